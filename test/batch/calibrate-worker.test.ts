import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createApp, type App } from '../../edge/app'
import { parseConfig } from '../../edge/config'
import { deriveCallbackSecret } from '../../jobs/callbacks/signature'
import { createLogger } from '../../services/logger'
import { signDelivery } from '../harness/qstash'
import { createJobsFixture, startQStashWorker, type JobsFixture } from './fixture'

/**
 * The container tier: POST /v2/admin/calibrations on the API publishes a calibrate message through
 * QStash (the stand-in, official client) to the worker's real HTTP server, which verifies the
 * signature and computes the calibration in Postgres; an unsigned or forged delivery does nothing.
 */
describe('calibration through QStash and the worker', () => {
  let fixture: JobsFixture
  let worker: Awaited<ReturnType<typeof startQStashWorker>>
  let app: App
  let admin: string

  const call = (method: string, path: string, key: string, body?: unknown) =>
    Promise.resolve(
      app.request(path, {
        method,
        headers: { 'X-API-Key': key, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    )

  beforeAll(async () => {
    fixture = await createJobsFixture()
    worker = await startQStashWorker(fixture)
    const config = parseConfig({ DATABASE_DRIVER: 'pg', DATABASE_URL: fixture.database.url, API_KEY_SALT: fixture.salt, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'silent' })
    app = createApp({
      config,
      db: fixture.database.db,
      logger: createLogger('silent'),
      batch: { dispatcher: worker.dispatcher, callbackSecret: (tenantId) => deriveCallbackSecret(fixture.salt, tenantId) },
    })
    const keys = createApiKeysRepository(fixture.database.db, fixture.salt)
    admin = (await keys.create(fixture.tenant.id, { role: 'admin', name: 'admin' })).plaintext
    const text = 'Limites e continuidade. Derivadas e aplicações. Integral definida e indefinida. Teorema fundamental do cálculo.'
    const arte = 'Impressionismo e pós-impressionismo. Vanguardas europeias. Arte moderna no Brasil.'
    for (let i = 0; i < 12; i++) {
      const same = i % 2 === 0
      const body = {
        request_id: `cal-${i}`,
        course_id: `curso-${i % 3}`,
        origem: { nome: same ? 'Cálculo I' : 'História da Arte', carga_horaria: 90, ementa: same ? text : arte },
        destino: { nome: 'Cálculo I', carga_horaria: 90, ementa: text },
      }
      expect((await call('POST', '/v2/equivalences/evaluate', admin, body)).status).toBe(200)
    }
    const { rows } = await fixture.database.pool.query<{ id: string; request_id: string }>('SELECT id, request_id FROM equivalence_results WHERE tenant_id = $1', [fixture.tenant.id])
    for (const r of rows) {
      const label = Number(r.request_id.split('-')[1]) % 2 === 0 ? 'DEFERIDO' : 'INDEFERIDO'
      expect((await call('POST', `/v1/results/${r.id}/reviews`, admin, { label })).status).toBeLessThan(300)
    }
  }, 120_000)
  afterAll(async () => {
    await worker?.close()
    await fixture?.close()
  })

  it('is computed by the worker from a signed delivery', async () => {
    const res = await call('POST', '/v2/admin/calibrations', admin, { min_revisoes: 10 })
    expect(res.status).toBe(202)
    const queued = (await res.json()) as { id: string; status_url: string }
    await worker.settle()
    const deliveries = worker.standIn.deliveries.filter((d) => d.url.endsWith('/jobs/calibrate'))
    expect(deliveries).toEqual([expect.objectContaining({ status: 200, retried: 0 })])
    const done = (await call('GET', queued.status_url, admin).then((r) => r.json())) as { job_status: string; attempts: number; report: { revisoes: number } }
    expect(done).toMatchObject({ job_status: 'done', attempts: 1, report: { revisoes: 12 } })
  })

  it('refuses an unsigned or forged calibrate request: 401, and the calibration stays queued', async () => {
    // Queued without a message (as if its publish were lost), then offered to the worker by a forger.
    const queued = await fixture.database.pool.query<{ id: string }>(
      `INSERT INTO calibrations (tenant_id, base_policy_version, params, job_status) VALUES ($1, 'builtin-default', '{"min_revisoes": 10}', 'queued') RETURNING id`,
      [fixture.tenant.id],
    )
    const id = queued.rows[0]!.id
    const url = `${worker.server.url}/jobs/calibrate`
    const body = JSON.stringify({ tenant_id: fixture.tenant.id, calibration_id: id })
    const post = (signature?: string) =>
      fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(signature ? { 'Upstash-Signature': signature } : {}) }, body })
    expect((await post()).status).toBe(401)
    expect((await post(await signDelivery({ key: 'sig_attacker', url, body }))).status).toBe(401)
    // Signed for another route of the worker.
    expect((await post(await signDelivery({ key: worker.standIn.currentSigningKey, url: `${worker.server.url}/jobs/sweep`, body }))).status).toBe(401)
    const row = await fixture.database.pool.query('SELECT job_status, attempts FROM calibrations WHERE id = $1', [id])
    expect(row.rows[0]).toEqual({ job_status: 'queued', attempts: 0 })
    // A genuine delivery does it.
    const ok = await post(await signDelivery({ key: worker.standIn.currentSigningKey, url, body }))
    expect(ok.status).toBe(200)
    const after = await fixture.database.pool.query('SELECT job_status, attempts FROM calibrations WHERE id = $1', [id])
    expect(after.rows[0]).toEqual({ job_status: 'done', attempts: 1 })
  })
})
