import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCalibrationConsoleFixture, REVIEWED, type ConsoleTenant } from './calibration-fixture'
import { consoleClient } from './client'

/**
 * The calibration pages' gates and flow without a browser: admins start, read, activate and
 * revert; auditors read and change nothing; a missing CSRF token is 403 and writes nothing;
 * another tenant's calibration is 404.
 */
describe('console calibration pages', () => {
  let f: Awaited<ReturnType<typeof createCalibrationConsoleFixture>>
  let t: ConsoleTenant
  let other: ConsoleTenant
  let calibrationId: string

  const rows = async (tenantId: string) =>
    (await f.database.pool.query<{ id: string; status: string; job_status: string }>('SELECT id, status, job_status FROM calibrations WHERE tenant_id = $1 ORDER BY created_at', [tenantId])).rows
  const defaultPolicy = async (tenantId: string) =>
    (await f.database.pool.query<{ version: string }>('SELECT version FROM policy_versions WHERE tenant_id = $1 AND is_default', [tenantId])).rows[0]?.version
  const form = { course_id: '', precisao_minima_deferido: '0.95', precisao_minima_indeferido: '0.9', min_revisoes: '30', min_revisoes_por_idioma: '30' }

  beforeAll(async () => {
    f = await createCalibrationConsoleFixture()
    t = await f.createTenant()
    other = await f.createTenant()
    await f.seedReviews(t)
  }, 120_000)
  afterAll(() => f?.close())

  it('needs a session: the pages lead to the login form, a post without one is 403', async () => {
    const anon = consoleClient(f.app)
    const page = await anon.get('/console/calibracoes')
    expect(page.status).toBe(303)
    expect(page.headers.get('location')).toMatch(/^\/console\/login\?motivo=missing/)
    expect((await anon.post('/console/calibracoes', { ...form, _csrf: 'x' })).status).toBe(403)
    expect(await rows(t.id)).toEqual([])
  })

  it('an admin post without (or with a wrong) CSRF token is 403 and starts nothing', async () => {
    const admin = consoleClient(f.app)
    await admin.login(t.keys.admin)
    expect((await admin.post('/console/calibracoes', form)).status).toBe(403)
    expect((await admin.post('/console/calibracoes', { ...form, _csrf: 'f'.repeat(64) })).status).toBe(403)
    expect(await rows(t.id)).toEqual([])
  })

  it('too few reviews: the form answers 422 in words, nothing is queued', async () => {
    const admin = consoleClient(f.app)
    await admin.login(t.keys.admin)
    const csrf = await admin.csrfOf('/console/calibracoes')
    const res = await admin.post('/console/calibracoes', { ...form, min_revisoes: '1000', _csrf: csrf })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain(`Revisões insuficientes: ${REVIEWED} caso(s) revisado(s); são necessários ao menos 1000.`)
    expect((await admin.post('/console/calibracoes', { ...form, precisao_minima_deferido: '2', _csrf: csrf })).status).toBe(422)
    expect(await rows(t.id)).toEqual([])
  })

  it('an admin starts a calibration; the job computes it; the report page shows it with the changed cases', async () => {
    const admin = consoleClient(f.app)
    await admin.login(t.keys.admin)
    const csrf = await admin.csrfOf('/console/calibracoes')
    const res = await admin.post('/console/calibracoes', { ...form, _csrf: csrf })
    expect(res.status).toBe(303)
    const location = res.headers.get('location')!
    expect(location).toMatch(/^\/console\/calibracoes\/[0-9a-f-]{36}$/)
    calibrationId = location.split('/').pop()!
    await f.jobs.idle()
    expect(await rows(t.id)).toEqual([{ id: calibrationId, status: 'proposta', job_status: 'done' }])
    expect(await (await admin.get(`/console/calibracoes/${calibrationId}/progresso`)).json()).toMatchObject({ status: 'completed', job_status: 'done' })
    const html = await (await admin.get(location)).text()
    expect(html).toContain('Matriz de confusão — limiares atuais')
    expect(html).toContain('Matriz de confusão — limiares propostos')
    expect(html).toContain('IC95')
    expect(html).toContain('Casos cuja decisão mudaria (12)')
    expect(html).toMatch(/href="\/console\/resultados\/[0-9a-f-]{36}"/)
    expect(html).toContain('Ativar proposta')
    // Agreement per month, in the report and live on the list page.
    expect(html).toContain('Concordância ao longo do tempo')
    expect(html).toContain('Concordância com os revisores por curso')
    const list = await (await admin.get('/console/calibracoes')).text()
    expect(list).toContain(new Date().toISOString().slice(0, 7))
    expect(list).toContain(`/console/calibracoes/${calibrationId}`)
    expect(list).toContain('href="/console/calibracoes" aria-current="page"')
  })

  it('an auditor reads the list and the report but cannot start, activate or revert, even with a valid token', async () => {
    const auditor = consoleClient(f.app)
    await auditor.login(t.keys.auditor)
    const list = await auditor.get('/console/calibracoes')
    expect(list.status).toBe(200)
    const listHtml = await list.text()
    expect(listHtml).not.toContain('Nova calibração')
    const report = await auditor.get(`/console/calibracoes/${calibrationId}`)
    expect(report.status).toBe(200)
    const html = await report.text()
    expect(html).toContain('Matriz de confusão')
    expect(html).not.toContain('Ativar proposta')
    const csrf = await auditor.csrfOf('/console/calibracoes')
    expect((await auditor.post('/console/calibracoes', { ...form, _csrf: csrf })).status).toBe(403)
    expect((await auditor.post(`/console/calibracoes/${calibrationId}/ativar`, { _csrf: csrf })).status).toBe(403)
    expect((await auditor.post(`/console/calibracoes/${calibrationId}/reverter`, { _csrf: csrf })).status).toBe(403)
    expect(await rows(t.id)).toEqual([{ id: calibrationId, status: 'proposta', job_status: 'done' }])
    expect(await defaultPolicy(t.id)).toBe('base')
  })

  it("another tenant's calibration is 404 to read, to activate and to revert", async () => {
    const stranger = consoleClient(f.app)
    await stranger.login(other.keys.admin)
    const csrf = await stranger.csrfOf('/console/calibracoes')
    expect((await stranger.get(`/console/calibracoes/${calibrationId}`)).status).toBe(404)
    expect((await stranger.get('/console/calibracoes/nao-e-uuid')).status).toBe(404)
    expect((await stranger.get(`/console/calibracoes/${calibrationId}/progresso`)).status).toBe(404)
    expect((await stranger.post(`/console/calibracoes/${calibrationId}/ativar`, { _csrf: csrf })).status).toBe(404)
    expect((await stranger.post(`/console/calibracoes/${calibrationId}/reverter`, { _csrf: csrf })).status).toBe(404)
    expect(await (await stranger.get('/console/calibracoes')).text()).not.toContain(calibrationId)
    expect(await rows(t.id)).toEqual([{ id: calibrationId, status: 'proposta', job_status: 'done' }])
    expect(await defaultPolicy(t.id)).toBe('base')
  })

  it('activate without a CSRF token is 403 and changes nothing; with it, a new policy version; revert brings the old one back', async () => {
    const admin = consoleClient(f.app)
    await admin.login(t.keys.admin)
    expect((await admin.post(`/console/calibracoes/${calibrationId}/ativar`, {})).status).toBe(403)
    expect(await defaultPolicy(t.id)).toBe('base')
    const csrf = await admin.csrfOf(`/console/calibracoes/${calibrationId}`)
    const activated = await admin.post(`/console/calibracoes/${calibrationId}/ativar`, { _csrf: csrf })
    expect(activated.status).toBe(303)
    expect(activated.headers.get('location')).toBe(`/console/calibracoes/${calibrationId}?feito=ativada`)
    expect(await defaultPolicy(t.id)).toMatch(/^base-cal-/)
    const page = await (await admin.get(activated.headers.get('location')!)).text()
    expect(page).toContain('Calibração ativada')
    expect(page).toContain('Reverter para base')
    expect((await admin.post(`/console/calibracoes/${calibrationId}/reverter`, {})).status).toBe(403)
    expect(await defaultPolicy(t.id)).toMatch(/^base-cal-/)
    const reverted = await admin.post(`/console/calibracoes/${calibrationId}/reverter`, { _csrf: csrf })
    expect(reverted.status).toBe(303)
    expect(await defaultPolicy(t.id)).toBe('base')
    const after = await (await admin.get(reverted.headers.get('location')!)).text()
    expect(after).toContain('não está em vigor')
    expect(after).not.toContain('Reverter para base')
    expect(after).toContain('Ativar de novo')
    const audit = await f.database.pool.query<{ action: string }>('SELECT action FROM audit_events WHERE tenant_id = $1 AND target = $2 ORDER BY seq', [t.id, calibrationId])
    expect(audit.rows.map((r) => r.action)).toEqual(['calibration.created', 'calibration.completed', 'calibration.activated', 'calibration.reverted'])
  })
})
