import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createTenantsRepository } from '../../db/repositories/tenants'
import { type AppDeps, createApp } from '../../edge/app'
import { parseConfig } from '../../edge/config'
import { createLogger } from '../../services/logger'
import { createMetrics } from '../../edge/lib/metrics'
import type { Role } from '../../edge/context'
import { type TestDatabase, createTestDatabase } from '../harness/postgres'

export type TenantFixture = {
  id: string
  slug: string
  keys: Record<Role, string>
  keyIds: Record<Role, string>
}

/**
 * The app in process over a fresh real Postgres database (one per test file), with tenants and
 * keys made through the real repositories. `env` overrides config; `deps` passes real
 * alternatives (an Upstash limiter, a pinned clock) — never mocks of our code.
 */
export async function createEdgeFixture(options: { env?: Record<string, string>; deps?: Partial<AppDeps> } = {}) {
  const database: TestDatabase = await createTestDatabase()
  const salt = `test-salt-${crypto.randomUUID()}`
  const config = parseConfig({
    DATABASE_DRIVER: 'pg',
    DATABASE_URL: database.url,
    API_KEY_SALT: salt,
    RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    ...options.env,
  })
  const logs: string[] = []
  const logger = createLogger('info', (line) => logs.push(line))
  const app = createApp({ config, db: database.db, logger, metrics: createMetrics(), ...options.deps })
  const tenants = createTenantsRepository(database.db)
  const keys = createApiKeysRepository(database.db, salt)

  async function createTenant(slug = `t-${crypto.randomUUID().slice(0, 8)}`): Promise<TenantFixture> {
    const tenant = await tenants.create({ slug, name: `Universidade ${slug}` })
    const made = {} as TenantFixture['keys']
    const ids = {} as TenantFixture['keyIds']
    for (const role of ['admin', 'auditor', 'api-client'] as const) {
      const { key, plaintext } = await keys.create(tenant.id, { role, name: role })
      made[role] = plaintext
      ids[role] = key.id
    }
    return { id: tenant.id, slug, keys: made, keyIds: ids }
  }

  /** `app.request` with a JSON body and the key of one role. */
  function call(
    method: string,
    path: string,
    init: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers }
    if (init.key) headers['X-API-Key'] = init.key
    let body: string | undefined = init.rawBody
    if (init.body !== undefined) body = JSON.stringify(init.body)
    if (body !== undefined) headers['Content-Type'] ??= 'application/json'
    return Promise.resolve(app.request(path, { method, headers, body }))
  }

  return { app, config, database, logs, tenants, keysRepo: keys, createTenant, call, close: () => database.drop() }
}

export type EdgeFixture = Awaited<ReturnType<typeof createEdgeFixture>>

/** A pair shaped like the replaced service's documented examples (our own text). */
export function samplePair(overrides: Record<string, unknown> = {}) {
  return {
    origem: {
      // The same title on both sides: the default scorer (engine/model) credits a pair only when titles and
      // contents agree; `Cálculo Diferencial e Integral I` → `Cálculo I` goes to a person.
      nome: 'Cálculo I',
      carga_horaria: 90,
      ementa:
        'Limites e continuidade de funções reais. Derivadas e regras de derivação. Aplicações da derivada: ' +
        'máximos e mínimos, taxas relacionadas. Integral indefinida e definida. Teorema fundamental do cálculo. ' +
        'Técnicas de integração.',
      aprovado: true,
      ano_conclusao: 2022,
    },
    destino: {
      nome: 'Cálculo I',
      carga_horaria: 80,
      ementa:
        '1 - Limites e continuidade. 2 - Derivadas e regras de derivação. 3 - Aplicações da derivada. ' +
        '4 - Integral definida e indefinida. 5 - Teorema fundamental do cálculo.',
    },
    ...overrides,
  }
}
