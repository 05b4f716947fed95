import { Validator } from '@seriousme/openapi-schema-validator'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createJobItemsRepository } from '../../db/repositories/job-items'
import { createTenantsRepository } from '../../db/repositories/tenants'
import { createApp } from '../../edge/app'
import { parseConfig } from '../../edge/config'
import { createLogger } from '../../services/logger'
import type { BatchServices } from '../../edge/context'
import { deriveCallbackSecret, verifyCallback, CALLBACK_SIGNATURE_HEADER } from '../../jobs/callbacks/signature'
import { createEmbeddedJobs } from '../../jobs/embedded'
import { createServiceContext } from '../../services/context'
import { createVersionCache } from '../../services/resolve-versions'
import { listen, type Listening } from '../harness/listen'
import { createTestDatabase, type TestDatabase } from '../harness/postgres'
import { batchRequest, waitFor } from './fixture'
import type { InProcessDispatcher } from '../../jobs/dispatchers/in-process'

type JobItemJson = { index: number; status: string; error: string | null; result: { decisao: string; meta: { request_id: string } } }

/** The edge's batch, job and dead-letter routes in process, over real Postgres and the in-process jobs. */
describe('batch and job routes', () => {
  let database: TestDatabase
  let app: ReturnType<typeof createApp>
  let batch: BatchServices
  let stopJobs: () => Promise<void>
  let salt: string
  const keys: Record<string, Record<'admin' | 'auditor' | 'api-client', string>> = {}
  const tenantIds: Record<string, string> = {}
  const callbacks: Array<{ body: string; signature: string | undefined }> = []
  let receiver: Listening

  beforeAll(async () => {
    database = await createTestDatabase()
    salt = `test-salt-${crypto.randomUUID()}`
    // The callback receiver listens on 127.0.0.1, so this deployment allows private callback hosts.
    const config = parseConfig({ ...baseEnv(), CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true' })
    const logger = createLogger('silent')
    const versions = createVersionCache(config.VERSION_CACHE_TTL_MS)
    const jobs = createEmbeddedJobs({
      services: createServiceContext(database.db, { apiKeySalt: salt, versions }),
      callbackSigningSecret: salt,
      callbackAllowPrivateNetworks: true,
      sweepEveryMs: 3_600_000,
      log: (message, fields) => logger.warn(message, fields),
    })
    batch = { dispatcher: jobs.dispatcher, callbackSecret: (tenantId) => deriveCallbackSecret(salt, tenantId) }
    stopJobs = jobs.stop
    app = createApp({ config, db: database.db, versions, logger, batch })
    for (const name of ['a', 'b']) {
      const tenant = await createTenantsRepository(database.db).create({ slug: `${name}-${crypto.randomUUID().slice(0, 6)}`, name })
      tenantIds[name] = tenant.id
      keys[name] = {} as Record<'admin' | 'auditor' | 'api-client', string>
      for (const role of ['admin', 'auditor', 'api-client'] as const) {
        keys[name]![role] = (await createApiKeysRepository(database.db, salt).create(tenant.id, { role })).plaintext
      }
    }
    const hook = new Hono().post('/hook', async (c) => {
      callbacks.push({ body: await c.req.text(), signature: c.req.header(CALLBACK_SIGNATURE_HEADER) })
      return c.body(null, 204)
    })
    receiver = await listen(hook.fetch)
  })
  afterAll(async () => {
    await stopJobs()
    await receiver.close()
    await database.drop()
  })

  const baseEnv = () => ({ DATABASE_DRIVER: 'pg', DATABASE_URL: database.url, API_KEY_SALT: salt, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'silent' })
  const call = (method: string, path: string, key: string, body?: unknown, on = app) =>
    on.request(path, {
      method,
      headers: { 'X-API-Key': key, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  const idle = () => (batch.dispatcher as InProcessDispatcher).idle()
  const jobCount = async () => (await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs')).rows[0]!.n

  it('accepts a batch with 202, runs it, and reports progress, results and a signed callback', async () => {
    const items = Array.from({ length: 30 }, (_, i) => batchRequest(i))
    const res = await call('POST', '/v2/equivalences/batch', keys.a!['api-client'], { items, callback_url: `${receiver.url}/hook` })
    expect(res.status).toBe(202)
    const accepted = (await res.json()) as { job_id: string; status: string; total: number }
    expect(accepted).toMatchObject({ status: 'QUEUED', total: 30 })
    await idle()

    const job = await (await call('GET', `/v2/jobs/${accepted.job_id}`, keys.a!.auditor)).json()
    expect(job).toMatchObject({ job_id: accepted.job_id, status: 'COMPLETED', progress: { done: 30, failed: 0, total: 30 } })
    expect(job.completed_at).toEqual(expect.any(String))

    const all = (await (await call('GET', `/v2/jobs/${accepted.job_id}/results`, keys.a!['api-client'])).json()) as JobItemJson[]
    expect(all).toHaveLength(30)
    expect(all.map((r) => r.index)).toEqual([...Array(30).keys()])
    expect(new Set(all.map((r) => r.result.meta.request_id)).size).toBe(30)
    expect(all.every((r) => r.status === 'DONE' && r.error === null && ['DEFERIDO', 'INDEFERIDO', 'ANALISE_HUMANA'].includes(r.result.decisao))).toBe(true)

    const first = (await (await call('GET', `/v2/jobs/${accepted.job_id}/results?limit=12`, keys.a!['api-client'])).json()) as { items: JobItemJson[]; next_cursor: string }
    expect(first.items.map((r) => r.index)).toEqual([...Array(12).keys()])
    const rest = (await (await call('GET', `/v2/jobs/${accepted.job_id}/results?limit=1000&cursor=${first.next_cursor}`, keys.a!['api-client'])).json()) as {
      items: JobItemJson[]
      next_cursor: string | null
    }
    expect(rest.items.map((r) => r.index)).toEqual([...Array(18).keys()].map((i) => i + 12))
    expect(rest.next_cursor).toBeNull()

    await waitFor(async () => callbacks.length > 0)
    const [delivered] = callbacks
    const secret = await deriveCallbackSecret(salt, tenantIds.a!)
    expect(await verifyCallback(secret, delivered!.signature, delivered!.body)).toBe(true)
    expect(await verifyCallback(await deriveCallbackSecret(salt, tenantIds.b!), delivered!.signature, delivered!.body)).toBe(false)
    expect(JSON.parse(delivered!.body)).toMatchObject({ event: 'job.completed', job_id: accepted.job_id, status: 'completed', progress: { done: 30, total: 30 } })
    const secretRoute = await (await call('GET', '/admin/jobs/callback-secret', keys.a!.admin)).json()
    expect(secretRoute.secret).toBe(secret)
  })

  it('with rate limits on, takes one admin token per admin call, the batch tier\'s admin routes included', async () => {
    const config = parseConfig({ ...baseEnv(), RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_ADMIN: '4' })
    const limited = createApp({ config, db: database.db, logger: createLogger('silent'), batch })
    const key = keys.b!.admin
    const remaining: Array<string | null> = []
    for (const path of ['/admin/jobs/dead-letters', '/admin/policies', '/admin/jobs/callback-secret', '/admin/jobs/dead-letters']) {
      const res = await call('GET', path, key, undefined, limited)
      expect(res.status).toBe(200)
      remaining.push(res.headers.get('X-RateLimit-Remaining'))
    }
    expect(remaining).toEqual(['3', '2', '1', '0'])
    expect((await call('GET', '/admin/jobs/dead-letters', key, undefined, limited)).status).toBe(429)
  })

  it('gives batches their own body limit, larger than the other routes\' one', async () => {
    const config = parseConfig({ ...baseEnv(), BODY_LIMIT_BYTES: '2048', BATCH_BODY_LIMIT_BYTES: '65536' })
    const limited = createApp({ config, db: database.db, logger: createLogger('silent'), batch })
    const post = (path: string, body: unknown) =>
      limited.request(path, { method: 'POST', headers: { 'X-API-Key': keys.a!['api-client'], 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    const items = Array.from({ length: 10 }, (_, i) => batchRequest(i))
    expect(JSON.stringify({ items }).length).toBeGreaterThan(2048)

    expect((await post('/v2/equivalences/evaluate', items[0])).status).toBe(200)
    expect((await post('/v2/equivalences/evaluate', { ...items[0], context: { pad: 'x'.repeat(3000) } })).status).toBe(413)
    expect((await post('/v2/equivalences/batch', { items })).status).toBe(202)
    const before = await jobCount()
    const huge = Array.from({ length: 200 }, (_, i) => batchRequest(i))
    const tooLarge = await post('/v2/equivalences/batch', { items: huge })
    expect(tooLarge.status).toBe(413)
    expect(await tooLarge.json()).toEqual({ detail: 'Request body larger than 65536 bytes' })
    expect(await jobCount()).toBe(before)
    await idle()
  })

  it('rejects bad items with a 422 naming each by index, and creates nothing', async () => {
    const before = await jobCount()
    const items = [batchRequest(0), { destino: batchRequest(1).destino }, batchRequest(2), batchRequest(3, { policy_version: 'nao-existe' })]
    const res = await call('POST', '/v2/equivalences/batch', keys.a!['api-client'], { items })
    expect(res.status).toBe(422)
    const { detail } = (await res.json()) as { detail: Array<{ loc: unknown[]; msg: string }> }
    expect(detail.map((d) => d.loc.slice(0, 3))).toEqual([['body', 'items', 1]])
    // Shape errors come first; once the shapes are right, unknown versions are named by index too.
    const fixed = await call('POST', '/v2/equivalences/batch', keys.a!['api-client'], { items: [items[0], items[2], items[3]] })
    expect(fixed.status).toBe(422)
    expect(((await fixed.json()) as { detail: Array<{ loc: unknown[] }> }).detail).toEqual([
      expect.objectContaining({ loc: ['body', 'items', 2, 'policy_version'] }),
    ])
    expect((await call('POST', '/v2/equivalences/batch', keys.a!['api-client'], { items: [] })).status).toBe(422)
    expect((await call('POST', '/v2/equivalences/batch', keys.a!['api-client'], { items: [batchRequest(0)], callback_url: 'ftp://x' })).status).toBe(422)
    expect(await jobCount()).toBe(before)
  })

  describe('callback_url outside public unicast space (CALLBACK_ALLOW_PRIVATE_NETWORKS off, the default)', () => {
    let strict: ReturnType<typeof createApp>
    beforeAll(() => {
      strict = createApp({ config: parseConfig(baseEnv()), db: database.db, logger: createLogger('silent'), batch })
    })
    const refused = async (callbackUrl: string, on = strict) => {
      const before = await jobCount()
      const res = await call('POST', '/v2/equivalences/batch', keys.a!['api-client'], { items: [batchRequest(0)], callback_url: callbackUrl }, on)
      expect(res.status, callbackUrl).toBe(422)
      const { detail } = (await res.json()) as { detail: Array<{ loc: unknown[]; msg: string; type: string }> }
      expect(detail, callbackUrl).toEqual([{ loc: ['body', 'callback_url'], msg: expect.any(String), type: 'value_error' }])
      expect(await jobCount()).toBe(before)
      return detail[0]!.msg
    }

    it.each([
      ['loopback', 'http://127.0.0.1:5432/'],
      ['loopback', 'http://127.1/hook'],
      ['loopback', 'http://2130706433/hook'],
      ['loopback', 'http://[::1]:8080/hook'],
      ['loopback', 'http://[::ffff:127.0.0.1]/hook'],
      ['private', 'http://10.0.0.7/hook'],
      ['private', 'https://172.16.5.4/hook'],
      ['private', 'http://192.168.0.10/hook'],
      ['private', 'http://[::ffff:10.1.2.3]/hook'],
      ['linkLocal', 'http://169.254.169.254/latest/meta-data/'],
      ['linkLocal', 'http://[fe80::1]/hook'],
      ['carrierGradeNat', 'http://100.64.0.1/hook'],
      ['uniqueLocal', 'http://[fd00::1]/hook'],
      ['multicast', 'http://224.0.0.1/hook'],
      ['multicast', 'http://[ff02::1]/hook'],
      ['unspecified', 'http://0.0.0.0:8100/hook'],
      ['unspecified', 'http://[::]/hook'],
      ['broadcast', 'http://255.255.255.255/hook'],
      ['reserved', 'http://240.0.0.1/hook'],
      ['reserved', 'http://192.0.2.10/hook'],
      ['reserved', 'http://[2001:db8::1]/hook'],
      ['unallocated', 'http://[::127.0.0.1]/hook'],
      ['rfc6052', 'http://[64:ff9b::a00:1]/hook'],
    ])('refuses a %s address literal: %s', async (range, callbackUrl) => {
      expect(await refused(callbackUrl)).toContain(`not a public address (${range})`)
    })

    it.each(['http://localhost:8100/hook', 'http://LOCALHOST./hook', 'http://api.localhost/hook', 'http://metadata.google.internal/', 'http://redis:6379/'])(
      'refuses a local name: %s',
      async (callbackUrl) => {
        expect(await refused(callbackUrl)).toMatch(/is a local name/)
      },
    )

    it('refuses credentials in the URL, even where private networks are allowed', async () => {
      expect(await refused('https://user:secret@hooks.universidade.example/job')).toContain('credentials')
      expect(await refused('https://token@hooks.universidade.example/job')).toContain('credentials')
      expect(await refused(`${receiver.url.replace('http://', 'http://user:secret@')}/hook`, app)).toContain('credentials')
    })
  })

  it('keeps jobs tenant-scoped and role-checked', async () => {
    const res = await call('POST', '/v2/equivalences/batch', keys.a!.admin, { items: [batchRequest(5)] })
    const { job_id } = (await res.json()) as { job_id: string }
    await idle()
    for (const path of [`/v2/jobs/${job_id}`, `/v2/jobs/${job_id}/results`]) {
      const foreign = await call('GET', path, keys.b!.admin)
      expect(foreign.status).toBe(404)
      expect(await foreign.json()).toEqual({ detail: 'Job not found' })
    }
    expect((await call('POST', `/admin/jobs/${job_id}/requeue`, keys.b!.admin)).status).toBe(404)
    expect((await call('GET', '/v2/jobs/not-a-uuid', keys.a!.admin)).status).toBe(404)
    expect((await call('POST', '/v2/equivalences/batch', keys.a!.auditor, { items: [batchRequest(5)] })).status).toBe(403)
    expect((await call('GET', '/admin/jobs/dead-letters', keys.a!['api-client'])).status).toBe(403)
    expect((await call('GET', `/v2/jobs/${job_id}/results?cursor=garbage`, keys.a!.admin)).status).toBe(422)
    expect((await call('GET', `/v2/jobs/${job_id}/results?limit=1001`, keys.a!.admin)).status).toBe(422)
  })

  it('lists dead items with their errors and requeues them through the admin routes', async () => {
    // An item can only go dead at run time (e.g. its policy version was deleted by hand); simulate
    // that state through the repository the worker uses, then drive the admin routes.
    const res = await call('POST', '/v2/equivalences/batch', keys.a!['api-client'], { items: [batchRequest(8), batchRequest(9)] })
    const { job_id } = (await res.json()) as { job_id: string }
    await idle()
    const items = await createJobItemsRepository(database.db).listItems(tenantIds.a!, job_id)
    const { rows } = await database.pool.query<{ result_id: string }>('SELECT result_id FROM job_items WHERE id = $1', [items[1]!.id])
    await database.pool.query("UPDATE job_items SET status = 'dead', last_error = 'boom', result_id = NULL WHERE id = $1", [items[1]!.id])
    await database.pool.query('DELETE FROM equivalence_results WHERE id = $1', [rows[0]!.result_id])
    await database.pool.query('UPDATE jobs SET done = 1, failed = 1 WHERE id = $1', [job_id])
    expect((await (await call('GET', `/v2/jobs/${job_id}`, keys.a!.auditor)).json()).status).toBe('PARTIAL')

    const dead = await (await call('GET', `/admin/jobs/dead-letters?job_id=${job_id}`, keys.a!.admin)).json()
    expect(dead).toEqual({ items: [expect.objectContaining({ item_id: items[1]!.id, job_id, index: 1, error: 'boom' })], next_cursor: null })
    expect((await (await call('GET', '/admin/jobs/dead-letters', keys.b!.admin)).json()).items).toEqual([])

    expect((await call('POST', `/admin/jobs/${job_id}/items/${items[0]!.id}/requeue`, keys.a!.admin)).status).toBe(404)
    const requeued = await call('POST', `/admin/jobs/${job_id}/items/${items[1]!.id}/requeue`, keys.a!.admin)
    expect(await requeued.json()).toEqual({ job_id, requeued: 1, item_ids: [items[1]!.id] })
    await idle()
    expect(await (await call('GET', `/v2/jobs/${job_id}`, keys.a!.auditor)).json()).toMatchObject({
      status: 'COMPLETED',
      progress: { done: 2, failed: 0, total: 2 },
    })
    expect((await (await call('POST', `/admin/jobs/${job_id}/requeue`, keys.a!.admin)).json()).requeued).toBe(0)
  })

  it('queues the embedding-index build of a taxonomy when it is activated', async () => {
    const version = `calc-${crypto.randomUUID().slice(0, 6)}`
    const nodes = [
      { id: 'calc.limites', conceito: 'Limites', palavras_chave: ['limite'] },
      { id: 'calc.derivadas', conceito: 'Derivadas' },
    ]
    expect((await call('POST', '/admin/taxonomies', keys.a!.admin, { version, nodes })).status).toBe(201)
    const cached = async () =>
      (await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM embedding_cache')).rows[0]!.n
    const before = await cached()
    expect((await call('POST', `/admin/taxonomies/${version}/activate`, keys.a!.admin)).status).toBe(200)
    await waitFor(async () => (await cached()) >= before + nodes.length)
    expect(await cached()).toBe(before + nodes.length)
  })

  it('describes the batch, job and dead-letter routes in a valid OpenAPI 3.1 document', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> }
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v2/equivalences/batch', '/v2/jobs/{id}', '/v2/jobs/{id}/results', '/admin/jobs/dead-letters']),
    )
    const validation = await new Validator().validate(doc)
    expect(validation.errors ?? []).toEqual([])
    expect(validation.valid).toBe(true)
  })

  it('queues a taxonomy index build for an existing version only', async () => {
    expect((await call('POST', '/admin/jobs/taxonomy-index', keys.a!.admin, { taxonomy_version: 'nao-existe' })).status).toBe(404)
    expect((await call('POST', '/admin/jobs/taxonomy-index', keys.a!['api-client'], { taxonomy_version: 'x' })).status).toBe(403)
  })
})
