import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { batchPayload, createJobsFixture, startQStashWorker, type JobsFixture } from './fixture'

/**
 * The containerized worker's path end to end: the official QStash Client publishes to the local
 * stand-in, which delivers signed requests to the worker's real HTTP server; Postgres is real.
 */
describe('batch through QStash and the worker HTTP server', () => {
  let fixture: JobsFixture
  beforeAll(async () => {
    fixture = await createJobsFixture()
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('finishes a 1,000-item batch with exact counters and one result per item', async () => {
    const worker = await startQStashWorker(fixture, { parallelism: 8 })
    try {
      const { job, itemIds } = await fixture.createJob(Array.from({ length: 1000 }, (_, i) => batchPayload(i)))
      await worker.dispatchJob(itemIds)
      await worker.settle()
      const snap = await fixture.snapshot(job.id)
      expect(snap.job).toMatchObject({ status: 'completed', total: 1000, done: 1000, failed: 0 })
      expect(snap.job?.completedAt).toBeInstanceOf(Date)
      expect(snap.items).toEqual({ done: 1000 })
      expect(snap.results).toBe(1000)
      expect(snap.distinct_results).toBe(1000)
      expect(worker.standIn.dlq).toHaveLength(0)
    } finally {
      await worker.close()
    }
  }, 180_000)

  it('stays at one result per item when QStash delivers every message twice', async () => {
    const worker = await startQStashWorker(fixture, { standIn: { duplicateDeliveries: 2 }, parallelism: 8 })
    try {
      const { job, itemIds } = await fixture.createJob(Array.from({ length: 300 }, (_, i) => batchPayload(i)))
      // A publish retried by the edge is deduplicated by QStash (deduplication id = item id)...
      await worker.dispatchJob(itemIds)
      await worker.dispatchJob(itemIds)
      await worker.settle()
      // ...and each of the 300 messages still reached the worker twice.
      expect(worker.standIn.deliveries.filter((d) => d.url.endsWith('/jobs/evaluate-item'))).toHaveLength(600)
      const snap = await fixture.snapshot(job.id)
      expect(snap.job).toMatchObject({ status: 'completed', total: 300, done: 300, failed: 0 })
      expect(snap.items).toEqual({ done: 300 })
      expect(snap.results).toBe(300)
      expect(snap.distinct_results).toBe(300)
    } finally {
      await worker.close()
    }
  }, 180_000)
})
