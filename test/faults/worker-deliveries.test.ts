import { Client, Receiver } from '@upstash/qstash'
import type { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type DatabaseHandle } from '../../db/client'
import { verifyAudit } from '../../db/repositories/audit'
import { createMemoryMappingCache } from '../../engine/index'
import { createQStashDispatcher } from '../../jobs/dispatchers/qstash'
import { evaluateItemMessage } from '../../jobs/messages'
import { createJobRuntime, type JobRuntime } from '../../jobs/runtime'
import { createServiceContext } from '../../services/context'
import { createVersionCache } from '../../services/resolve-versions'
import { createWorkerApp } from '../../worker/server'
import { batchPayload, createJobsFixture, waitFor, type JobsFixture } from '../batch/fixture'
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy'
import { listen, type Listening } from '../harness/listen'
import { startQStashStandIn, type QStashStandIn } from '../harness/qstash'

/**
 * The worker's deliveries while its database goes away: QStash (our stand-in) → the worker's HTTP
 * app → the fault proxy → Postgres. The connections are reset in the middle of a batch; deliveries
 * fail and are retried by QStash, some run out of retries during the outage and are left for the
 * sweeper (not sent dead); after the restore every item settles exactly once, the counters are
 * exact and the audit chain verifies.
 */
let fixture: JobsFixture
let proxy: FaultProxy
let handle: DatabaseHandle
let standIn: QStashStandIn
let server: Listening
let runtime: JobRuntime
let dispatcher: ReturnType<typeof createQStashDispatcher>

beforeAll(async () => {
  ;[fixture, proxy] = await Promise.all([createJobsFixture(), startFaultProxy({ host: '127.0.0.1', port: 5432 })])
  handle = await createDatabase({ url: `postgres://postgres@127.0.0.1:${proxy.port}/${fixture.database.name}`, driver: 'pg', poolSize: 8 })
  standIn = await startQStashStandIn({ retryDelayMs: () => 50 })
  const client = new Client({ baseUrl: standIn.url, token: standIn.token, retry: false })
  const late: { app?: Hono } = {}
  server = await listen((request) => late.app!.fetch(request))
  dispatcher = createQStashDispatcher({ client, workerUrl: server.url, retries: 2, parallelism: 8 })
  runtime = createJobRuntime({
    services: createServiceContext(handle.db, { apiKeySalt: fixture.salt, versions: createVersionCache(5_000), mappingCache: createMemoryMappingCache() }),
    dispatcher,
    callbackSigningSecret: fixture.salt,
    leaseMs: 2_000,
    sweep: { lostAfterMs: 1_000 },
  })
  late.app = createWorkerApp({
    handlers: runtime.handlers,
    receiver: new Receiver({ currentSigningKey: standIn.currentSigningKey, nextSigningKey: standIn.nextSigningKey }),
    publicUrl: server.url,
    metrics: runtime.metrics,
  })
})
afterAll(async () => {
  await standIn?.close()
  await server?.close()
  await proxy?.close()
  // pg's pool.end() can wait forever on a client whose proxied socket the reset half-closed (seen
  // under load; the Node entry bounds its own shutdown at 10 s): bounded here too.
  await Promise.race([handle?.close(), new Promise((resolve) => setTimeout(resolve, 3_000))])
  await fixture?.close()
})

describe('worker deliveries through a database reset', () => {
  it('every item settles exactly once, none goes dead, counters exact, audit verifies', async () => {
    const n = 400
    const { job, itemIds } = await fixture.createJob(Array.from({ length: n }, (_, i) => batchPayload(i)))
    const done = async () => (await fixture.snapshot(job.id)).items.done ?? 0
    await dispatcher.dispatch(itemIds.map((id) => evaluateItemMessage(id)))
    await waitFor(async () => (await done()) >= 40)
    proxy.reset()
    await new Promise((resolve) => setTimeout(resolve, 1_500)) // the outage itself, not an assertion
    proxy.restore()
    // The sweeper's schedule, played by the test: lost messages and expired leases go out again.
    await waitFor(async () => {
      await runtime.handlers.sweep({}, { retried: 0, messageId: 'tick' }).catch(() => undefined)
      await standIn.idle()
      return (await fixture.snapshot(job.id)).job?.status === 'completed'
    }, 500)
    const snap = await fixture.snapshot(job.id)
    expect(snap.job).toMatchObject({ status: 'completed', total: n, done: n, failed: 0 })
    expect(snap.items).toEqual({ done: n })
    expect(snap.results).toBe(n)
    expect(snap.distinct_results).toBe(n)
    expect(await verifyAudit(fixture.database.db, fixture.tenant.id)).toMatchObject({ ok: true })
  }, 180_000)
})
