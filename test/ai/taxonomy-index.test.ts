import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmbeddingCacheRepository } from '../../db/repositories/embedding-cache'
import type { TaxonomyNode } from '../../engine/index'
import { buildTaxonomyIndexHandler } from '../../jobs/handlers/build-taxonomy-index'
import { evaluateWithSemantic, nodeText } from '../../services/ai/index'
import { CALCULO, CALCULO_OUTRAS_PALAVRAS, pair, policyOf, startAiFixture, type AiFixture } from './fixture'

let fx: AiFixture
beforeAll(async () => {
  fx = await startAiFixture()
})
afterAll(() => fx.close())

const nodes = [
  { id: 'lim', area: 'mat', subarea: 'calc', conceito: 'Limites e continuidade', descricao: null, palavras_chave: ['limite'], nivel: 1, critico: false },
  { id: 'der', area: 'mat', subarea: 'calc', conceito: 'Derivadas', descricao: 'regras de derivação', palavras_chave: [], nivel: 1, critico: true },
  { id: 'int', area: 'mat', subarea: 'calc', conceito: 'Integrais', descricao: 'definida e indefinida', palavras_chave: ['integração'], nivel: 1, critico: false },
] as unknown as TaxonomyNode[]

describe('taxonomy index job → semantic mapper', () => {
  it('the mapper reads the vectors the job stored, embedding only the syllabi', async () => {
    const tenantId = crypto.randomUUID()
    const { services } = fx.services()
    const handler = buildTaxonomyIndexHandler({
      loadTaxonomy: async () => ({ nodes }),
      embedder: services.indexEmbedder,
      embeddings: createEmbeddingCacheRepository(fx.db.db),
    })
    expect(await handler({ tenant_id: tenantId, taxonomy_version: 't1' }, {} as never)).toMatchObject({
      status: 'ok',
      detail: { nodes: 3, embedded: 3, model: 'openai:text-embedding-3-small' },
    })
    fx.api.reset()

    // A fresh instance (empty memory, no Redis entry for them): node vectors come from Postgres.
    const fresh = fx.services().services
    const r = await evaluateWithSemantic(
      pair(CALCULO, CALCULO_OUTRAS_PALAVRAS),
      { policy: policyOf(), policyVersion: 'p', referenceDate: '2026-01-01', taxonomy: { version: 't1', nodes } },
      fresh,
      tenantId,
    )
    expect(r.meta.fonte_conceitos).toBe('taxonomia')
    expect((r.meta.semantico as { cache: { postgres: number } }).cache.postgres).toBe(3)
    for (const node of nodes) expect(fx.api.embeddedTexts).not.toContain(nodeText(node))

    // Another tenant with the same taxonomy text gets nothing from this tenant's index.
    fx.api.reset()
    await evaluateWithSemantic(
      pair(CALCULO, CALCULO_OUTRAS_PALAVRAS),
      { policy: policyOf(), policyVersion: 'p', referenceDate: '2026-01-01', taxonomy: { version: 't1', nodes } },
      fresh,
      crypto.randomUUID(),
    )
    for (const node of nodes) expect(fx.api.embeddedTexts).toContain(nodeText(node))
  })
})
