import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPoliciesRepository } from '../../db/repositories/policies'
import { DEFAULT_POLICY } from '../../engine/index'
import { evaluateItemMessage } from '../../jobs/messages'
import { createQStashDispatcher, scheduleSweeper } from '../../jobs/dispatchers/qstash'
import { startQStashStandIn } from '../harness/qstash'
import { batchPayload, createJobsFixture, startQStashWorker, waitFor, type JobsFixture } from './fixture'

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

describe('worker failures through QStash', () => {
  let fixture: JobsFixture
  beforeAll(async () => {
    fixture = await createJobsFixture()
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('kills an item that can never succeed, finishes the job as partial, and completes it after a requeue', async () => {
    const worker = await startQStashWorker(fixture)
    try {
      const { job, itemIds } = await fixture.createJob([
        batchPayload(0),
        batchPayload(1, { policy_version: 'regulamento-2027' }),
        batchPayload(2),
      ])
      await worker.dispatchJob(itemIds)
      await worker.settle()

      let snap = await fixture.snapshot(job.id)
      expect(snap.job).toMatchObject({ status: 'completed', total: 3, done: 2, failed: 1 })
      expect(snap.items).toEqual({ done: 2, dead: 1 })
      const [dead] = await fixture.jobItems.listDead(fixture.tenant.id, { jobId: job.id, limit: 10 })
      expect(dead).toMatchObject({ id: itemIds[1], idx: 1, lastError: "Unknown policy_version 'regulamento-2027'" })
      // 489 told QStash not to retry; the message is in QStash's DLQ and the failure callback killed the item.
      expect(worker.standIn.deliveries.filter((d) => d.url.endsWith('/jobs/evaluate-item') && d.status === 489)).toHaveLength(1)
      expect(worker.standIn.dlq).toHaveLength(1)

      // The secretariat publishes the missing regulation; an admin requeues the job's dead items.
      await createPoliciesRepository(fixture.database.db).create(fixture.tenant.id, { version: 'regulamento-2027', config: DEFAULT_POLICY })
      const requeued = await fixture.jobItems.requeueDead(fixture.tenant.id, { jobId: job.id })
      expect(requeued).toEqual([itemIds[1]])
      expect((await fixture.jobs.get(fixture.tenant.id, job.id))?.status).toBe('running')
      await worker.dispatcher.dispatch(requeued.map((id) => evaluateItemMessage(id, Date.now())))
      await worker.settle()

      snap = await fixture.snapshot(job.id)
      expect(snap.job).toMatchObject({ status: 'completed', done: 3, failed: 0 })
      expect(snap.results).toBe(3)
      expect(snap.distinct_results).toBe(3)
    } finally {
      await worker.close()
    }
  })

  it('completes once an item whose worker process died holding the lease', async () => {
    const standIn = await startQStashStandIn({ retryDelayMs: () => 200 })
    const port = await freePort()
    const workerUrl = `http://127.0.0.1:${port}`
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/batch/crashing-worker.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: fixture.database.url,
        API_KEY_SALT: fixture.salt,
        QSTASH_URL: standIn.url,
        QSTASH_TOKEN: standIn.token,
        QSTASH_CURRENT_SIGNING_KEY: standIn.currentSigningKey,
        QSTASH_NEXT_SIGNING_KEY: standIn.nextSigningKey,
        WORKER_URL: workerUrl,
        PORT: String(port),
        JOB_LEASE_SECONDS: '1',
        SWEEP_CRON: '',
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    })
    const exited = once(child, 'exit')
    let replacement: Awaited<ReturnType<typeof startQStashWorker>> | undefined
    try {
      await waitFor(() => fetch(`${workerUrl}/health`).then((r) => r.ok, () => false), 100)
      const { job, itemIds } = await fixture.createJob([batchPayload(7)])
      const client = (await import('@upstash/qstash')).Client
      const dispatcher = createQStashDispatcher({ client: new client({ baseUrl: standIn.url, token: standIn.token, retry: false }), workerUrl })
      await dispatcher.dispatch(itemIds.map((id) => evaluateItemMessage(id)))

      const [code] = await exited
      expect(code).toBe(86)
      const [claimed] = await fixture.jobItems.listItems(fixture.tenant.id, job.id)
      expect(claimed).toMatchObject({ status: 'running', attempts: 1 })

      // A replacement container comes up at the same address; QStash retries (the connection was
      // cut), and once the dead worker's lease has expired the scheduled sweeper hands it out again.
      replacement = await startQStashWorker(fixture, { existingStandIn: standIn, port, leaseMs: 1000 })
      await scheduleSweeper(replacement.client, workerUrl, '* * * * *')
      await waitFor(async () => {
        const { rows } = await fixture.database.pool.query('SELECT lease_until IS NULL OR lease_until < now() AS free FROM job_items WHERE id = $1', [itemIds[0]])
        return rows[0].free as boolean
      })
      await standIn.idle()
      await standIn.fireSchedules()
      await replacement.settle()

      const snap = await fixture.snapshot(job.id)
      expect(snap.job).toMatchObject({ status: 'completed', done: 1, failed: 0 })
      expect(snap.results).toBe(1)
      const [item] = await fixture.jobItems.listItems(fixture.tenant.id, job.id)
      expect(item).toMatchObject({ status: 'done', attempts: 2 })
    } finally {
      child.kill('SIGKILL')
      await replacement?.close()
      await standIn.close()
    }
  }, 180_000)
})
