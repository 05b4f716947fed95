import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createTenantsRepository } from '../../db/repositories/tenants'
import { createMemoryMappingCache, EvaluateRequestSchema, TaxonomyNodeSchema, type MappingCache } from '../../engine/index'
import { createServiceContext } from '../../services/context'
import { evaluate } from '../../services/evaluation'
import { createVersionCache } from '../../services/resolve-versions'
import { createTaxonomy, setTaxonomyStatus } from '../../services/taxonomies'
import { createTestDatabase, type TestDatabase } from '../harness/postgres'

/**
 * Two tenants, each with a taxonomy named `v1` — with different nodes — and one mapping cache
 * shared by the process, as the Node entry shares it. Tenant B evaluating a text first must not
 * change tenant A's decision on the same text (before, A got B's cached mapping: INDEFERIDO instead
 * of ANALISE_HUMANA, no evidence, `cache_mapeamento: true`).
 */
let database: TestDatabase
const tenants: Record<'a' | 'b', string> = { a: '', b: '' }
const salt = `test-salt-${crypto.randomUUID()}`

const node = (id: string, conceito: string, palavras: string[]) =>
  TaxonomyNodeSchema.parse({ id, area: 'Matemática', subarea: 'Cálculo', conceito, descricao: conceito, palavras_chave: palavras, nivel: 1, critico: false })
const taxonomies = {
  a: [node('lim', 'Limites', ['limite', 'continuidade']), node('der', 'Derivadas', ['derivada', 'regra da cadeia']), node('int', 'Integrais', ['integral', 'teorema fundamental'])],
  b: [node('ter', 'Termodinâmica', ['calor', 'entropia']), node('opt', 'Óptica', ['lente', 'refração']), node('ele', 'Eletricidade', ['corrente', 'tensão'])],
}

beforeAll(async () => {
  database = await createTestDatabase()
  const ctx = createServiceContext(database.db, { apiKeySalt: salt, versions: createVersionCache(5_000) })
  for (const name of ['a', 'b'] as const) {
    const tenant = await createTenantsRepository(database.db).create({ slug: `${name}-${crypto.randomUUID().slice(0, 6)}`, name })
    tenants[name] = tenant.id
    const { key } = await createApiKeysRepository(database.db, salt).create(tenant.id, { role: 'admin' })
    await createTaxonomy({ ctx, input: { tenantId: tenant.id, actorKeyId: key.id, version: 'v1', nodes: taxonomies[name] } })
    await setTaxonomyStatus({ ctx, input: { tenantId: tenant.id, actorKeyId: key.id, version: 'v1', status: 'active' } })
  }
})
afterAll(() => database?.drop())

const request = EvaluateRequestSchema.parse({
  taxonomy_version: 'v1',
  origem: {
    nome: 'Cálculo Diferencial e Integral',
    carga_horaria: 90,
    ementa: 'Limites e continuidade. Derivadas, regra da cadeia e aplicações. Integral definida e indefinida. Teorema fundamental do cálculo.',
    aprovado: true,
    ano_conclusao: 2023,
  },
  destino: {
    nome: 'Cálculo I',
    carga_horaria: 80,
    ementa: 'Limites e continuidade de funções. Derivadas e a regra da cadeia. Integrais e o teorema fundamental do cálculo. Calor e entropia.',
  },
})

async function decide(tenant: 'a' | 'b', mappingCache: MappingCache) {
  const ctx = createServiceContext(database.db, { apiKeySalt: salt, versions: createVersionCache(5_000), mappingCache })
  const { response } = await evaluate({ ctx, input: { tenantId: tenants[tenant], role: 'admin', request, requestId: 'r-1' } })
  const { timings_ms: _t, ...rest } = response as typeof response & { timings_ms?: unknown }
  return rest
}

describe('one mapping cache, two tenants with a taxonomy named v1', () => {
  it('B evaluating first changes nothing of A’s decision, and A’s repeat is a cache hit of its own', async () => {
    const alone = await decide('a', createMemoryMappingCache())
    const shared = createMemoryMappingCache()
    const b = await decide('b', shared)
    const a = await decide('a', shared)
    expect(b.taxonomy_version).toBe('v1')
    expect(a).toEqual(alone)
    expect(JSON.stringify(a.evidence)).not.toEqual(JSON.stringify(b.evidence))
    // The cache still works within a tenant: A again hits A's own entry, with the same answer.
    const again = await decide('a', shared)
    expect({ ...again, meta: undefined }).toEqual({ ...alone, meta: undefined })
    expect(a.meta).toMatchObject({ cache_mapeamento: false })
    expect(again.meta).toMatchObject({ cache_mapeamento: true })
  })
})
