import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createApp } from '../../edge/app'
import { BATCH_PATH } from '../../edge/routes/equivalences/batch'
import { parseConfig } from '../../edge/config'
import { deriveCallbackSecret } from '../../jobs/callbacks/signature'
import { createEmbeddedJobs, type EmbeddedJobs } from '../../jobs/embedded'
import { createLogger } from '../../services/logger'
import { batchRequest, createJobsFixture, type JobsFixture } from './fixture'

/**
 * A 10,000-item batch on the embedded default runs in the API's own process: the event loop must
 * stay free for other requests while it runs. Not a timed assertion: /health, asked while the
 * batch runs, must answer while the job is still running — a blocked loop would answer it only
 * after the last item.
 */
let fixture: JobsFixture
let jobs: EmbeddedJobs
let app: ReturnType<typeof createApp>
let key = ''

beforeAll(async () => {
  fixture = await createJobsFixture()
  jobs = createEmbeddedJobs({ services: fixture.services, callbackSigningSecret: fixture.salt, sweepEveryMs: null, recoverAtStart: false })
  const config = parseConfig({ DATABASE_DRIVER: 'pg', DATABASE_URL: fixture.database.url, API_KEY_SALT: fixture.salt, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'silent' })
  app = createApp({
    config,
    db: fixture.database.db,
    logger: createLogger('silent'),
    batch: { dispatcher: jobs.dispatcher, callbackSecret: (tenantId) => deriveCallbackSecret(fixture.salt, tenantId) },
  })
  key = (await createApiKeysRepository(fixture.database.db, fixture.salt).create(fixture.tenant.id, { role: 'api-client' })).plaintext
})
afterAll(async () => {
  await jobs?.stop()
  await fixture?.close()
})

describe('/health during a 10,000-item in-process batch', () => {
  it('answers, again and again, while the batch is still running', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => batchRequest(i))
    const res = await app.request(BATCH_PATH, { method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'application/json' }, body: JSON.stringify({ items }) })
    expect([200, 202]).toContain(res.status)
    const { job_id: jobId } = (await res.json()) as { job_id: string }
    const done = async () => (await fixture.database.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM job_items WHERE job_id = $1 AND status = 'done'", [jobId])).rows[0]!.n
    const answeredWhileRunning: number[] = []
    for (let i = 0; i < 5; i++) {
      const health = await app.request('/health')
      expect(health.status).toBe(200)
      answeredWhileRunning.push(await done())
    }
    await jobs.idle()
    expect(await done()).toBe(10_000)
    // Every /health came back before the last item was done.
    for (const n of answeredWhileRunning) expect(n).toBeLessThan(10_000)
  }, 240_000)
})
