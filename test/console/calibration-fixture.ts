import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createTenantsRepository } from '../../db/repositories/tenants'
import { createApp, type App } from '../../edge/app'
import { parseConfig } from '../../edge/config'
import { createMetrics } from '../../edge/lib/metrics'
import { createMemoryMappingCache } from '../../engine/index'
import { deriveCallbackSecret } from '../../jobs/callbacks/signature'
import { createEmbeddedJobs } from '../../jobs/embedded'
import { createServiceContext } from '../../services/context'
import { createLogger } from '../../services/logger'
import { createVersionCache } from '../../services/resolve-versions'
import { createTestDatabase } from '../harness/postgres'

/**
 * The console's calibration pages over the real app, the in-process job runner and a fresh
 * Postgres, with a tenant whose reviewers labelled 36 results (our own syllabi): high, middling
 * and low pairs, the middling ones credited by the reviewers although the base policy's model
 * (gbdt-pares-1) sends them to a person — so a calibration has cases whose decision changes.
 */
export type ConsoleTenant = { id: string; keys: Record<'admin' | 'auditor' | 'api-client', string> }

const limites = 'Limites e continuidade de funções reais. Derivadas e regras de derivação. Aplicações da derivada. Integral definida e indefinida. Teorema fundamental do cálculo.'
const course = (nome: string, ementa: string) => ({ nome, carga_horaria: 90, ementa })
const templates = {
  alto: { origem: course('Cálculo I', limites), destino: course('Cálculo I', limites), label: 'DEFERIDO' },
  medio: { origem: course('Cálculo Diferencial e Integral I', limites), destino: course('Cálculo I', limites), label: 'DEFERIDO' },
  baixo: {
    origem: course('História da Arte Moderna', 'Impressionismo e pós-impressionismo. Vanguardas europeias. Arte moderna no Brasil. Crítica de arte e museus.'),
    destino: course('Cálculo I', limites),
    label: 'INDEFERIDO',
  },
} as const
export const REVIEWED = 36

export async function createCalibrationConsoleFixture() {
  const database = await createTestDatabase()
  const salt = `test-salt-${crypto.randomUUID()}`
  const config = parseConfig({ DATABASE_DRIVER: 'pg', DATABASE_URL: database.url, API_KEY_SALT: salt, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'silent' })
  const versions = createVersionCache(config.VERSION_CACHE_TTL_MS)
  const mappingCache = createMemoryMappingCache()
  const ctx = createServiceContext(database.db, { apiKeySalt: salt, versions, mappingCache })
  const jobs = createEmbeddedJobs({
    services: ctx,
    callbackSigningSecret: salt,
    sweepEveryMs: null,
    recoverAtStart: false,
  })
  const app: App = createApp({
    config,
    db: database.db,
    versions,
    mappingCache,
    metrics: createMetrics(),
    logger: createLogger('silent'),
    batch: { dispatcher: jobs.dispatcher, callbackSecret: (tenantId) => deriveCallbackSecret(salt, tenantId) },
  })
  const call = async (method: string, path: string, key: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: { 'X-API-Key': key, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })

  async function createTenant(): Promise<ConsoleTenant> {
    const tenant = await createTenantsRepository(database.db).create({ slug: `t-${crypto.randomUUID().slice(0, 8)}`, name: 'Universidade da Calibração' })
    const repo = createApiKeysRepository(database.db, salt)
    const keys = {} as ConsoleTenant['keys']
    for (const role of ['admin', 'auditor', 'api-client'] as const) keys[role] = (await repo.create(tenant.id, { role, name: role })).plaintext
    return { id: tenant.id, keys }
  }

  /** The base policy, 12 results of each kind and a review of each. */
  async function seedReviews(t: ConsoleTenant): Promise<void> {
    const base = await call('POST', '/admin/policies', t.keys.admin, { version: 'base', config: { modelo: { versao: 'gbdt-pares-1' } }, is_default: true })
    if (base.status !== 201) throw new Error(`policy: ${base.status}`)
    for (const [kind, { label: _label, ...pair }] of Object.entries(templates)) {
      for (let i = 0; i < REVIEWED / 3; i++) {
        const res = await call('POST', '/v2/equivalences/evaluate', t.keys['api-client'], { ...pair, request_id: `${kind}-${i}`, course_id: `curso-${kind}` })
        if (res.status !== 200) throw new Error(`evaluate: ${res.status}`)
      }
    }
    const { rows } = await database.pool.query<{ id: string; request_id: string }>('SELECT id, request_id FROM equivalence_results WHERE tenant_id = $1', [t.id])
    for (const r of rows) {
      const kind = r.request_id.split('-')[0] as keyof typeof templates
      const res = await call('POST', `/v1/results/${r.id}/reviews`, t.keys.auditor, { label: templates[kind].label })
      if (res.status >= 300) throw new Error(`review: ${res.status}`)
    }
  }

  return {
    app,
    database,
    ctx,
    jobs,
    call,
    createTenant,
    seedReviews,
    async close() {
      await jobs.stop()
      await database.drop()
    },
  }
}
