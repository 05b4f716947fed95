import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createPoliciesRepository } from '../../db/repositories/policies'
import { createTenantsRepository } from '../../db/repositories/tenants'
import { createApp } from '../../edge/app'
import { parseConfig } from '../../edge/config'
import { createMemoryMappingCache, DEFAULT_POLICY, type ConceptMapper } from '../../engine/index'
import { deriveCallbackSecret } from '../../jobs/callbacks/signature'
import { createEmbeddedJobs, type EmbeddedJobs } from '../../jobs/embedded'
import { createServiceContext } from '../../services/context'
import { createLogger } from '../../services/logger'
import { createVersionCache } from '../../services/resolve-versions'
import { createTestDatabase, type TestDatabase } from '../harness/postgres'
import { batchRequest } from './fixture'

type Answer = { decisao: string; score: number; breakdown: unknown; evidence: unknown; degraded_mode: boolean; policy_version: string; meta: Record<string, unknown> }

/**
 * One request, two transports: POST /v2/equivalences/evaluate and the same body as a batch item
 * run by the job handlers (services/evaluation.ts behind both). With the same versions they must
 * decide alike, and an engine exception must degrade both to ANALISE_HUMANA.
 */
describe('the HTTP evaluate and a batch item give the same answer', () => {
  let database: TestDatabase
  const running: EmbeddedJobs[] = []
  let salt: string
  let tenantId: string
  let key: string

  beforeAll(async () => {
    database = await createTestDatabase()
    salt = `test-salt-${crypto.randomUUID()}`
    const tenant = await createTenantsRepository(database.db).create({ slug: `tr-${crypto.randomUUID().slice(0, 6)}`, name: 'Transportes' })
    tenantId = tenant.id
    key = (await createApiKeysRepository(database.db, salt).create(tenant.id, { role: 'api-client' })).plaintext
    // A stored policy version, named by the request: both transports must resolve it alike.
    await createPoliciesRepository(database.db).create(tenant.id, { version: 'regulamento-2026', config: DEFAULT_POLICY })
  })
  afterAll(async () => {
    for (const jobs of running) await jobs.stop()
    await database.drop()
  })

  /** The app and the embedded jobs over one database, one version cache and one mapping cache, as edge/entries/node.ts builds them. */
  function deployment(mapper?: ConceptMapper) {
    const config = parseConfig({ DATABASE_DRIVER: 'pg', DATABASE_URL: database.url, API_KEY_SALT: salt, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'silent' })
    const versions = createVersionCache(config.VERSION_CACHE_TTL_MS)
    const mappingCache = createMemoryMappingCache()
    const jobs = createEmbeddedJobs({
      services: createServiceContext(database.db, { apiKeySalt: salt, versions, mappingCache, mapper }),
      callbackSigningSecret: salt,
      sweepEveryMs: null,
      recoverAtStart: false,
    })
    running.push(jobs)
    const app = createApp({
      config,
      db: database.db,
      versions,
      mappingCache,
      mapper,
      logger: createLogger('silent'),
      batch: { dispatcher: jobs.dispatcher, callbackSecret: (id) => deriveCallbackSecret(salt, id) },
    })
    const call = (method: string, path: string, body?: unknown) =>
      app.request(path, {
        method,
        headers: { 'X-API-Key': key, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    /** Both answers for `request`: over HTTP, and as the only item of a batch once it ran. */
    async function both(request: Record<string, unknown>): Promise<{ http: Answer; item: Answer }> {
      const res = await call('POST', '/v2/equivalences/evaluate', request)
      expect(res.status).toBe(200)
      const http = (await res.json()) as Answer
      const accepted = await call('POST', '/v2/equivalences/batch', { items: [request] })
      expect(accepted.status).toBe(202)
      const { job_id } = (await accepted.json()) as { job_id: string }
      await jobs.idle()
      const items = (await (await call('GET', `/v2/jobs/${job_id}/results`)).json()) as Array<{ status: string; result: Answer }>
      expect(items.map((i) => i.status)).toEqual(['DONE'])
      return { http, item: items[0]!.result }
    }
    return { both }
  }

  const decision = (a: Answer) => ({ decisao: a.decisao, score: a.score, breakdown: a.breakdown, evidence: a.evidence, degraded_mode: a.degraded_mode, policy_version: a.policy_version })

  it.each([
    ['the tenant default', batchRequest(3)],
    ['an explicit policy version', batchRequest(4, { policy_version: 'regulamento-2026' })],
    ['a short syllabus (the engine degrades by itself)', batchRequest(5, { origem: { nome: 'X', carga_horaria: 60, ementa: 'Curta.' } })],
  ])('with %s', async (_name, request) => {
    const { http, item } = await deployment().both(request)
    expect(item.evidence).not.toBeUndefined()
    expect(decision(item)).toEqual(decision(http))
    expect(item.meta).toMatchObject({ job_id: expect.any(String), item_index: 0 })
  })

  it('degrades an engine exception to ANALISE_HUMANA on both transports', async () => {
    // A broken mapper passed through deps: reading its version throws outside the engine's own
    // mapper guard, so evaluateEquivalence itself rejects.
    const broken: ConceptMapper = {
      get version(): string {
        throw new Error('broken mapper')
      },
      map: async () => [],
    }
    const { http, item } = await deployment(broken).both(batchRequest(6))
    for (const answer of [http, item]) {
      expect(answer).toMatchObject({ decisao: 'ANALISE_HUMANA', degraded_mode: true, score: 0, model_version: 'unavailable' })
      expect(answer.meta).toMatchObject({ falha_motor: true })
    }
    expect(decision(item)).toEqual(decision(http))
    // The degraded answer is stored like any other: the item is done, not retried or dead.
    const { rows } = await database.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM equivalence_results WHERE tenant_id = $1 AND degraded AND response->'meta'->>'falha_motor' = 'true'",
      [tenantId],
    )
    expect(rows[0]!.n).toBe(2)
  })
})
