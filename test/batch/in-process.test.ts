import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InProcessDispatcher } from '../../jobs/dispatchers/in-process'
import { createEmbeddedJobs } from '../../jobs/embedded'
import { evaluateItemMessage } from '../../jobs/messages'
import type { JobRuntime } from '../../jobs/runtime'
import { batchPayload, createJobsFixture, waitFor, type JobsFixture } from './fixture'

/** The embedded default: the same handlers, driven by the in-process dispatcher. */
describe('batch on the in-process dispatcher', () => {
  let fixture: JobsFixture
  let dispatcher: InProcessDispatcher
  let runtime: JobRuntime

  beforeAll(async () => {
    fixture = await createJobsFixture()
    const jobs = createEmbeddedJobs({
      services: fixture.services,
      callbackSigningSecret: fixture.salt,
      leaseMs: 500,
      retryDelayMs: () => 10,
      sweepEveryMs: null,
      recoverAtStart: false,
    })
    dispatcher = jobs.dispatcher
    runtime = jobs.runtime
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('completes a 10,000-item batch with exact counters and one result per item', async () => {
    const { job, itemIds } = await fixture.createJob(Array.from({ length: 10_000 }, (_, i) => batchPayload(i)))
    await dispatcher.dispatch(itemIds.map((id) => evaluateItemMessage(id)))
    await dispatcher.idle()
    const snap = await fixture.snapshot(job.id)
    expect(snap.job).toMatchObject({ status: 'completed', total: 10_000, done: 10_000, failed: 0 })
    expect(snap.items).toEqual({ done: 10_000 })
    expect(snap.results).toBe(10_000)
    expect(snap.distinct_results).toBe(10_000)
  }, 180_000)

  it('sweeps an item whose holder vanished and completes it once', async () => {
    const { job, itemIds } = await fixture.createJob([batchPayload(1), batchPayload(2)])
    // Someone claimed item 0 and was never heard of again (process gone, message lost).
    const held = await fixture.jobItems.claim(itemIds[0]!, 300)
    expect('claimed' in held).toBe(true)
    await dispatcher.dispatch(itemIds.map((id) => evaluateItemMessage(id)))
    await dispatcher.idle()
    // The live lease made the delivery a no-op: only item 1 is done.
    expect((await fixture.snapshot(job.id)).items).toEqual({ done: 1, running: 1 })

    await waitFor(async () => (await fixture.database.pool.query("SELECT 1 FROM job_items WHERE id = $1 AND lease_until < now()", [itemIds[0]])).rowCount === 1)
    expect(await runtime.handlers.sweep({}, { retried: 0, messageId: 'tick' })).toMatchObject({ status: 'ok', detail: { redispatched: 1 } })
    await dispatcher.idle()
    const snap = await fixture.snapshot(job.id)
    expect(snap.job).toMatchObject({ status: 'completed', done: 2, failed: 0 })
    expect(snap.results).toBe(2)
  })
})
