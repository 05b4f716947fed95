import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createTenantsRepository } from '../../db/repositories/tenants'
import { type AppDeps, createApp } from '../../edge/app'
import { parseConfig } from '../../edge/config'
import { createLogger } from '../../services/logger'
import { createMetrics } from '../../edge/lib/metrics'
import type { Role } from '../../edge/context'
import { deriveCallbackSecret } from '../../jobs/callbacks/signature'
import { createEmbeddedJobs, type EmbeddedJobs } from '../../jobs/embedded'
import { createServiceContext } from '../../services/context'
import { createVersionCache } from '../../services/resolve-versions'
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
 * alternatives (an Upstash limiter, a pinned clock) — never mocks of our code. `jobs: true` adds
 * the in-process batch tier (jobs/embedded.ts, no sweeper), sharing the app's version cache as the
 * Node entry does; `close()` stops it.
 */
export async function createEdgeFixture(options: { env?: Record<string, string>; deps?: Partial<AppDeps>; jobs?: boolean } = {}) {
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
  const versions = options.deps?.versions ?? createVersionCache(config.VERSION_CACHE_TTL_MS)
  const jobs: EmbeddedJobs | undefined = options.jobs
    ? createEmbeddedJobs({ services: createServiceContext(database.db, { apiKeySalt: salt, versions }), callbackSigningSecret: salt, sweepEveryMs: null })
    : undefined
  const batch = jobs && { dispatcher: jobs.dispatcher, callbackSecret: (tenantId: string) => deriveCallbackSecret(salt, tenantId) }
  const app = createApp({ config, db: database.db, versions, logger, metrics: createMetrics(), batch, ...options.deps })
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

  async function close() {
    await jobs?.stop()
    await database.drop()
  }

  return { app, config, database, logs, tenants, keysRepo: keys, jobs, createTenant, call, close }
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
