import { Client } from '@upstash/qstash'
import { createServer } from 'node:net'
import { once } from 'node:events'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createTenantsRepository } from '../../db/repositories/tenants'
import { createApp } from '../../edge/app'
import { parseConfig } from '../../edge/config'
import { deriveCallbackSecret } from '../../jobs/callbacks/signature'
import { createQStashDispatcher } from '../../jobs/dispatchers/qstash'
import { createLogger } from '../../services/logger'
import { listen, type Listening } from '../harness/listen'
import { signDelivery, startQStashStandIn, type QStashStandIn } from '../harness/qstash'
import { batchPayload, batchRequest, createJobsFixture, type JobsFixture } from './fixture'

/**
 * Workers down: QStash (the stand-in, through the official Client) cannot deliver a single item,
 * gives up after its retries and calls the failure callback — on the API (API_URL), not on the
 * dead workers. Every item goes dead with the delivery error, the job's counters move once, the job
 * status (/v2 and /v1) says what happened and the dead-letter list has the items. The callback
 * route acts only on requests QStash signed for exactly its URL, which names the tenant.
 */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

let fixture: JobsFixture
let standIn: QStashStandIn
let api: Listening
let tenantB: string
const keys = { client: '', admin: '', otherClient: '' }

beforeAll(async () => {
  fixture = await createJobsFixture()
  standIn = await startQStashStandIn({ retryDelayMs: () => 10 })
  const deadWorkers = `http://127.0.0.1:${await freePort()}` // nothing listens: every worker is down
  const late: { app?: ReturnType<typeof createApp> } = {}
  api = await listen((request) => late.app!.fetch(request))
  const config = parseConfig({
    DATABASE_DRIVER: 'pg',
    DATABASE_URL: fixture.database.url,
    API_KEY_SALT: fixture.salt,
    RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    QSTASH_URL: standIn.url,
    QSTASH_TOKEN: standIn.token,
    QSTASH_CURRENT_SIGNING_KEY: standIn.currentSigningKey,
    QSTASH_NEXT_SIGNING_KEY: standIn.nextSigningKey,
    WORKER_URL: deadWorkers,
    API_URL: api.url,
  })
  const dispatcher = createQStashDispatcher({
    client: new Client({ baseUrl: standIn.url, token: standIn.token, retry: false }),
    workerUrl: deadWorkers,
    apiUrl: config.API_URL,
    retries: 2,
  })
  late.app = createApp({
    config,
    db: fixture.database.db,
    logger: createLogger('silent'),
    batch: { dispatcher, callbackSecret: (tenantId) => deriveCallbackSecret(fixture.salt, tenantId) },
  })
  const apiKeys = createApiKeysRepository(fixture.database.db, fixture.salt)
  keys.client = (await apiKeys.create(fixture.tenant.id, { role: 'api-client' })).plaintext
  keys.admin = (await apiKeys.create(fixture.tenant.id, { role: 'admin' })).plaintext
  tenantB = (await createTenantsRepository(fixture.database.db).create({ slug: `b-${randomUUID().slice(0, 8)}`, name: 'Outra' })).id
  keys.otherClient = (await apiKeys.create(tenantB, { role: 'api-client' })).plaintext
})
afterAll(async () => {
  await standIn?.close()
  await api?.close()
  await fixture?.close()
})

const call = (path: string, key: string, body?: unknown) =>
  fetch(`${api.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

const failureUrl = (tenantId: string) => `${api.url}/jobs/failure/${tenantId}`

/** A failure callback body as QStash writes it, for a message carrying `item_id`. */
function failurePayload(itemId: string): string {
  return JSON.stringify({
    status: 0,
    header: {},
    body: Buffer.from('connect ECONNREFUSED').toString('base64'),
    retried: 2,
    maxRetries: 2,
    sourceMessageId: `msg_${randomUUID()}`,
    dlqId: `dlq_${randomUUID()}`,
    url: 'http://127.0.0.1:1/jobs/evaluate-item',
    method: 'POST',
    sourceHeader: {},
    sourceBody: Buffer.from(JSON.stringify({ item_id: itemId })).toString('base64'),
    notBefore: Date.now(),
    createdAt: Date.now(),
  })
}

const postCallback = (url: string, body: string, signature?: string) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(signature ? { 'Upstash-Signature': signature } : {}) }, body })

describe('QStash failure callbacks on the API while the workers are down', () => {
  it('every item goes dead with the delivery error; job status and dead letters say so; counters move once', async () => {
    const v2 = await call('/v2/equivalences/batch', keys.client, { items: [batchRequest(1), batchRequest(2), batchRequest(3)] })
    expect(v2.status).toBe(202)
    const { job_id: jobV2 } = (await v2.json()) as { job_id: string }
    const v1 = await call('/v1/equivalences/batch', keys.client, { items: [batchRequest(4), batchRequest(5)] })
    expect(v1.status).toBe(200)
    const { job_id: jobV1 } = (await v1.json()) as { job_id: string }
    await standIn.idle()

    // QStash tried the workers (1 + 2 retries per item), then called the API for each item.
    const callbacks = standIn.deliveries.filter((d) => d.url === failureUrl(fixture.tenant.id))
    expect(callbacks).toHaveLength(5)
    for (const d of callbacks) expect(d.status).toBe(200)
    expect(standIn.deliveries.filter((d) => d.url.endsWith('/jobs/evaluate-item') && d.status === 0)).toHaveLength(15)

    const snapshot = await fixture.snapshot(jobV2)
    expect(snapshot.job).toMatchObject({ status: 'completed', total: 3, done: 0, failed: 3 })
    expect(snapshot.items).toEqual({ dead: 3 })
    expect((await fixture.snapshot(jobV1)).job).toMatchObject({ status: 'completed', total: 2, done: 0, failed: 2 })

    const status = (await (await call(`/v2/jobs/${jobV2}`, keys.client)).json()) as { status: string; errors: Array<{ index: number; error: string }> }
    expect(status.status).toBe('PARTIAL')
    expect(status.errors.map((e) => e.index)).toEqual([0, 1, 2])
    for (const e of status.errors) {
      expect(e.error).toBe('delivery failed after 3 attempts: the worker did not answer (workers down or unreachable)')
    }
    const statusV1 = (await (await call(`/v1/jobs/${jobV1}`, keys.client)).json()) as { progress: { failed: number }; errors: Array<{ error: string }> }
    expect(statusV1.progress.failed).toBe(2)
    expect(statusV1.errors).toHaveLength(2)
    expect(statusV1.errors[0]!.error).toMatch(/the worker did not answer/)

    const dead = (await (await call(`/admin/jobs/dead-letters?job_id=${jobV2}`, keys.admin)).json()) as { items: Array<{ error: string }> }
    expect(dead.items).toHaveLength(3)
    // The error is ours: no SQL, no syllabus text, no raw network message.
    for (const item of dead.items) expect(item.error).not.toMatch(/select|insert|ementa|Limites|ECONNREFUSED/i)

    // QStash redelivers a callback (at-least-once): nothing moves twice.
    const message = [...standIn.messages.values()].find((m) => m.url === failureUrl(fixture.tenant.id))!
    const again = await postCallback(message.url, message.body, await signDelivery({ key: standIn.currentSigningKey, url: message.url, body: message.body }))
    expect(again.status).toBe(200)
    const [a, b] = await Promise.all([fixture.snapshot(jobV2), fixture.snapshot(jobV1)])
    expect(a.job!.failed + b.job!.failed).toBe(5)
    expect(a.job!.done + b.job!.done).toBe(0)
  })

  it('refuses unsigned, mis-signed, oversized and cross-tenant callbacks; writes nothing', async () => {
    const { job, itemIds } = await fixture.createJob([batchPayload(9)])
    const itemId = itemIds[0]!
    const body = failurePayload(itemId)
    const mine = failureUrl(fixture.tenant.id)
    const sign = (url: string, payload = body) => signDelivery({ key: standIn.currentSigningKey, url, body: payload })

    expect((await postCallback(mine, body)).status).toBe(401)
    expect((await postCallback(mine, body, await signDelivery({ key: 'sig_attacker', url: mine, body }))).status).toBe(401)
    expect((await postCallback(mine, body.replace('"retried":2', '"retried":1'), await sign(mine))).status).toBe(401)
    // Signed for the workers' route, or for another tenant's callback URL: not this route's.
    expect((await postCallback(mine, body, await sign('http://127.0.0.1:1/jobs/failure'))).status).toBe(401)
    expect((await postCallback(mine, body, await sign(failureUrl(tenantB)))).status).toBe(401)
    // Bounded before anything reads it, signed or not.
    expect((await postCallback(mine, 'x'.repeat(300 * 1024))).status).toBe(413)
    // A genuine QStash callback for tenant B's URL that names tenant A's item: not B's item.
    expect((await postCallback(failureUrl(tenantB), body, await sign(failureUrl(tenantB)))).status).toBe(404)

    expect(await fixture.jobItems.getItem(fixture.tenant.id, itemId)).toMatchObject({ status: 'queued' })
    expect((await fixture.jobs.get(fixture.tenant.id, job.id))!.failed).toBe(0)

    // The same body, signed for the right tenant's URL, is acted on (the refusals were not about the body).
    expect((await postCallback(mine, body, await sign(mine))).status).toBe(200)
    expect(await fixture.jobItems.getItem(fixture.tenant.id, itemId)).toMatchObject({ status: 'dead' })
    expect((await fixture.jobs.get(fixture.tenant.id, job.id))!).toMatchObject({ failed: 1, status: 'completed' })
    // Tenant B cannot see A's job status either.
    expect((await call(`/v2/jobs/${job.id}`, keys.otherClient)).status).toBe(404)
  })
})
