import { Client, Receiver } from '@upstash/qstash'
import type { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { verifyAudit } from '../../db/repositories/audit'
import { createApp } from '../../edge/app'
import { parseConfig } from '../../edge/config'
import { deriveCallbackSecret } from '../../jobs/callbacks/signature'
import { createQStashDispatcher, scheduleSweeper } from '../../jobs/dispatchers/qstash'
import { createJobRuntime, type JobRuntime } from '../../jobs/runtime'
import { createLogger } from '../../services/logger'
import { createWorkerApp } from '../../worker/server'
import { batchRequest, createJobsFixture, waitFor, type JobsFixture } from '../batch/fixture'
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy'
import { listen, type Listening } from '../harness/listen'
import { startQStashStandIn, type QStashStandIn } from '../harness/qstash'

/**
 * QStash failures around a batch, with our fault proxy on both legs:
 *
 *   API ──publish──▶ [proxy P] ──▶ QStash stand-in ──deliver──▶ [proxy D] ──▶ worker app ──▶ Postgres
 *
 * - publishing fails (P cut) while a batch is accepted, before or in the middle of its messages:
 *   the API still answers 202 — the job and every item are stored in one transaction before a
 *   message is published — and the sweeper (the worker's QStash schedule) re-dispatches the items
 *   whose message never left; every item settles exactly once;
 * - deliveries fail (D reset) in the middle of a batch: QStash retries, a delivery whose answer was
 *   lost after the worker committed is a harmless duplicate; every item settles exactly once, none
 *   goes dead, the counters are exact and the audit chain verifies.
 */
let fixture: JobsFixture
let standIn: QStashStandIn
let publish: FaultProxy
let deliver: FaultProxy
let workerServer: Listening
let apiServer: Listening
let runtime: JobRuntime
let key = ''
const errors: string[] = []

beforeAll(async () => {
  fixture = await createJobsFixture({ poolSize: 16 })
  standIn = await startQStashStandIn({ retryDelayMs: (n) => 100 * 2 ** n })
  publish = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(standIn.url).port) })

  // The worker, reached by QStash only through proxy D (WORKER_URL names the proxy).
  const lateWorker: { app?: Hono } = {}
  workerServer = await listen((request) => lateWorker.app!.fetch(request))
  deliver = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(workerServer.url).port) })
  const workerUrl = deliver.url('http')
  const lateApi: { app?: ReturnType<typeof createApp> } = {}
  apiServer = await listen((request) => lateApi.app!.fetch(request))

  const workerDispatcher = createQStashDispatcher({
    client: new Client({ baseUrl: standIn.url, token: standIn.token, retry: false }),
    workerUrl,
    apiUrl: apiServer.url,
    retries: 5,
    parallelism: 8,
  })
  runtime = createJobRuntime({
    services: fixture.services,
    dispatcher: workerDispatcher,
    callbackSigningSecret: fixture.salt,
    leaseMs: 30_000,
    // Items whose message never left are handed out again by the sweep after 1 s (production: minutes).
    sweep: { lostAfterMs: 1_000 },
  })
  lateWorker.app = createWorkerApp({
    handlers: runtime.handlers,
    receiver: new Receiver({ currentSigningKey: standIn.currentSigningKey, nextSigningKey: standIn.nextSigningKey }),
    publicUrl: workerUrl,
    metrics: runtime.metrics,
  })
  await scheduleSweeper(new Client({ baseUrl: standIn.url, token: standIn.token }), workerUrl)

  const config = parseConfig({
    DATABASE_DRIVER: 'pg',
    DATABASE_URL: fixture.database.url,
    API_KEY_SALT: fixture.salt,
    RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    QSTASH_URL: publish.url('http'),
    QSTASH_TOKEN: standIn.token,
    QSTASH_CURRENT_SIGNING_KEY: standIn.currentSigningKey,
    QSTASH_NEXT_SIGNING_KEY: standIn.nextSigningKey,
    WORKER_URL: workerUrl,
    API_URL: apiServer.url,
  })
  const dispatcher = createQStashDispatcher({
    // The official client's own retries off: the failure reaches the route at once.
    client: new Client({ baseUrl: publish.url('http'), token: standIn.token, retry: false }),
    workerUrl,
    apiUrl: apiServer.url,
    retries: 5,
    parallelism: 8,
  })
  lateApi.app = createApp({
    config,
    db: fixture.database.db,
    logger: { ...createLogger('silent'), error: (message: string) => void errors.push(message) },
    batch: { dispatcher, callbackSecret: (tenantId) => deriveCallbackSecret(fixture.salt, tenantId) },
  })
  key = (await createApiKeysRepository(fixture.database.db, fixture.salt).create(fixture.tenant.id, { role: 'api-client' })).plaintext
})
afterAll(async () => {
  await standIn?.close()
  await deliver?.close()
  await publish?.close()
  await workerServer?.close()
  await apiServer?.close()
  await fixture?.close()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function submit(n: number, offset: number): Promise<{ status: number; jobId: string }> {
  const res = await fetch(`${apiServer.url}/v2/equivalences/batch`, {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ items: Array.from({ length: n }, (_, i) => batchRequest(offset + i)) }),
  })
  const body = (await res.json()) as { job_id: string }
  return { status: res.status, jobId: body.job_id }
}

/**
 * Lets QStash deliver what it holds, then sweeps (the QStash schedule firing) once the items left
 * over have been untouched for the lost-message delay, until the job is completed.
 */
async function sweepUntilCompleted(jobId: string) {
  for (;;) {
    await standIn.idle()
    if ((await fixture.jobs.get(fixture.tenant.id, jobId))?.status === 'completed') return
    await sleep(1_100)
    await standIn.fireSchedules()
  }
}

async function expectSettledOnce(jobId: string, total: number) {
  const snap = await fixture.snapshot(jobId)
  expect(snap.job).toMatchObject({ status: 'completed', total, done: total, failed: 0 })
  expect(snap.items).toEqual({ done: total })
  expect(snap.results).toBe(total)
  expect(snap.distinct_results).toBe(total)
}

describe('a batch while QStash fails', () => {
  it('publishing refused while a batch is accepted: 202, nothing lost, the sweeper sends every item, each settles once', async () => {
    publish.cut()
    const { status, jobId } = await submit(40, 0)
    expect(status).toBe(202)
    expect(errors).toContain('batch dispatch failed; the sweeper will pick the items up')
    expect((await fixture.snapshot(jobId)).items).toEqual({ queued: 40 })
    publish.restore()
    await sweepUntilCompleted(jobId)
    await expectSettledOnce(jobId, 40)
  }, 60_000)

  it('publishing cut in the middle of a 300-item batch: the items already sent and the rest both settle exactly once', async () => {
    errors.length = 0
    const before = standIn.messages.size
    publish.delay(40) // a slow link, so the cut lands between two of the three publish calls
    const submitted = submit(300, 100)
    await waitFor(async () => standIn.messages.size - before >= 100, 10)
    publish.cut()
    const { status, jobId } = await submitted
    expect(status).toBe(202)
    expect(errors).toContain('batch dispatch failed; the sweeper will pick the items up')
    const published = standIn.messages.size - before
    expect(published).toBeGreaterThanOrEqual(100)
    expect(published).toBeLessThan(300)
    publish.restore()
    await sweepUntilCompleted(jobId)
    await expectSettledOnce(jobId, 300)
  }, 120_000)

  it('deliveries reset in the middle of a 300-item batch: retried, every item settles exactly once, none dead', async () => {
    const { status, jobId } = await submit(300, 2000)
    expect(status).toBe(202)
    await waitFor(async () => (await fixture.snapshot(jobId)).job!.done >= 60, 25)
    deliver.reset()
    await sleep(1_000) // the outage itself, not an assertion
    deliver.restore()
    await standIn.idle()
    // A delivery whose item was claimed when its connection died holds a lease; the sweep ends it.
    await sweepUntilCompleted(jobId)
    await runtime.notifier.idle()
    await expectSettledOnce(jobId, 300)
    expect(standIn.deliveries.some((d) => d.status === 0)).toBe(true) // the reset did cut deliveries
    expect(standIn.dlq).toEqual([])
    expect(await verifyAudit(fixture.database.db, fixture.tenant.id)).toMatchObject({ ok: true })
  }, 120_000)
})
