import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createApp } from '../../edge/app'
import { parseConfig } from '../../edge/config'
import { createEmbeddedJobs, type EmbeddedJobs } from '../../jobs/embedded'
import { batchResultRequestId, evaluateItemMessage } from '../../jobs/messages'
import { createLogger } from '../../services/logger'
import { batchPayload, batchRequest, createJobsFixture, type JobsFixture } from './fixture'

/**
 * The batch items' result ids (`batch:<job>:<index>`) are an internal id space: a client may not
 * take one (it would steal the item's result slot and send the item dead), and whatever goes wrong
 * with an item, its `error` never carries internal SQL.
 */
let fixture: JobsFixture
let jobs: EmbeddedJobs
let app: ReturnType<typeof createApp>
let key = ''

beforeAll(async () => {
  fixture = await createJobsFixture()
  jobs = createEmbeddedJobs({ services: fixture.services, callbackSigningSecret: fixture.salt, retries: 0, sweepEveryMs: null, recoverAtStart: false })
  const config = parseConfig({ DATABASE_DRIVER: 'pg', DATABASE_URL: fixture.database.url, API_KEY_SALT: fixture.salt, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'silent' })
  app = createApp({ config, db: fixture.database.db, logger: createLogger('silent') })
  key = (await createApiKeysRepository(fixture.database.db, fixture.salt).create(fixture.tenant.id, { role: 'api-client' })).plaintext
})
afterAll(async () => {
  await jobs?.stop()
  await fixture?.close()
})

describe('internal request ids', () => {
  it.each(['/v1/equivalences/evaluate', '/v2/equivalences/evaluate'])('%s refuses a request_id in the batch id space', async (path) => {
    const { job } = await fixture.createJob([batchPayload(1)])
    const res = await app.request(path, {
      method: 'POST',
      headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...batchRequest(1), request_id: batchResultRequestId(job.id, 0) }),
    })
    if (res.status === 404) throw new Error(`${path} is not served`)
    expect(res.status).toBe(422)
    expect(JSON.stringify(await res.json())).toContain('reserved for batch items')
    expect(await fixture.totalResults()).toBe(0)
  })

  it('an item that cannot store its result fails with an error free of SQL', async () => {
    const { job, itemIds } = await fixture.createJob([batchPayload(2)])
    // The slot taken anyway (straight in the database, as the old collision did).
    await fixture.database.pool.query(
      `INSERT INTO equivalence_results (tenant_id, request_id, input_hash, response, decisao, score, policy_version, model_version)
       VALUES ($1, $2, 'h', '{"decisao":"DEFERIDO"}', 'DEFERIDO', 1, 'p', 'm')`,
      [fixture.tenant.id, batchResultRequestId(job.id, 0)],
    )
    await jobs.dispatcher.dispatch(itemIds.map((id) => evaluateItemMessage(id)))
    await jobs.idle()
    const { rows } = await fixture.database.pool.query<{ status: string; last_error: string | null }>('SELECT status, last_error FROM job_items WHERE id = $1', [itemIds[0]])
    expect(rows[0]!.status).not.toBe('done')
    expect(rows[0]!.last_error).toBeTruthy()
    expect(rows[0]!.last_error).not.toMatch(/insert into|select |params|Failed query|Limites/i)
  })
})
