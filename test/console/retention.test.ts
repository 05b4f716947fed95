import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sweepHandler } from '../../jobs/handlers/sweep'
import type { JobStore } from '../../jobs/ports'
import { createServiceContext } from '../../services/context'
import { createVersionCache } from '../../services/resolve-versions'
import { purgeExpiredInputs } from '../../services/retention'
import { createEdgeFixture, samplePair, type EdgeFixture, type TenantFixture } from '../edge/fixture'
import { consoleClient } from './client'

/** Input retention: set in the console, applied by the sweeper; decisions, hashes and audit stay. */
describe('input retention', () => {
  let f: EdgeFixture
  let t: TenantFixture
  let keep: TenantFixture

  async function evaluateAged(tenant: TenantFixture, daysAgo: number) {
    const res = await f.call('POST', '/v1/equivalences/evaluate', { key: tenant.keys['api-client'], body: samplePair() })
    const { meta } = (await res.json()) as { meta: { request_id: string } }
    const { rows } = await f.database.pool.query(
      `UPDATE equivalence_results SET created_at = now() - make_interval(days => $3) WHERE tenant_id = $1 AND request_id = $2 RETURNING id`,
      [tenant.id, meta.request_id, daysAgo],
    )
    return rows[0].id as string
  }

  beforeAll(async () => {
    f = await createEdgeFixture()
    t = await f.createTenant()
    keep = await f.createTenant()
  })
  afterAll(() => f.close())

  it('an admin sets the retention in the console; the sweep removes old inputs and keeps the rest', async () => {
    const old = await evaluateAged(t, 40)
    const recent = await evaluateAged(t, 1)
    const untouched = await evaluateAged(keep, 400)

    const admin = consoleClient(f.app)
    await admin.login(t.keys.admin)
    const csrf = await admin.csrfOf('/console/admin/configuracoes')
    expect((await admin.post('/console/admin/configuracoes', { _csrf: csrf, sla: '3', retencao: '30' })).status).toBe(200)

    // The sweeper's run (a QStash schedule, the Workers cron or the embedded timer) includes the purge.
    const ctx = createServiceContext(f.database.db, { apiKeySalt: f.config.API_KEY_SALT!, versions: createVersionCache(0) })
    const store = {
      sweepStale: async () => ({ redispatch: [], dead: 0 }),
      completeSettledJobs: async () => [],
      pendingCallbacks: async () => [],
    } as unknown as JobStore
    const sweep = sweepHandler({ store, dispatcher: { dispatch: async () => undefined } as never, onFinished: () => undefined, purgeInputs: () => purgeExpiredInputs(ctx) })
    const outcome = await sweep({}, { retried: 0, messageId: 'test-sweep' })
    expect(outcome).toMatchObject({ status: 'ok', detail: { inputs_purged: 1 } })

    const read = async (tenant: TenantFixture, id: string) => (await (await f.call('GET', `/v2/results/${id}`, { key: tenant.keys.auditor })).json()) as Record<string, unknown>
    expect(await read(t, old)).toMatchObject({ inputs: null, inputs_purged_at: expect.any(String), input_hash: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect((await read(t, recent)).inputs).not.toBeNull()
    expect((await read(keep, untouched)).inputs).not.toBeNull()
    const page = await (await admin.get(`/console/resultados/${old}`)).text()
    expect(page).toContain('removidos pela política de retenção')

    const { rows } = await f.database.pool.query(`SELECT payload FROM audit_events WHERE tenant_id = $1 AND action = 'result.inputs_purged'`, [t.id])
    expect(rows).toEqual([{ payload: expect.objectContaining({ count: 1 }) }])
    expect((await purgeExpiredInputs(ctx))[t.id]).toBeUndefined()
    expect(((await (await f.call('GET', '/admin/audit/verify', { key: t.keys.admin })).json()) as { ok: boolean }).ok).toBe(true)
  })

  it("the console's audit check finds stored inputs edited after the fact", async () => {
    const id = await evaluateAged(t, 0)
    const admin = consoleClient(f.app)
    await admin.login(t.keys.admin)
    expect(await (await admin.get('/console/admin/auditoria?verificar=1')).text()).toContain('Entradas guardadas conferem')
    await f.database.pool.query(`UPDATE equivalence_results SET inputs = jsonb_set(inputs::jsonb, '{origem,nome}', '"Outra"')::json WHERE id = $1`, [id])
    const page = await (await admin.get('/console/admin/auditoria?verificar=1')).text()
    expect(page).toContain(`resultados/${id}`)
    expect(page).toContain('não conferem com o hash auditado')
  })
})
