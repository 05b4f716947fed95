import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../edge/app'
import { createMetrics } from '../../edge/lib/metrics'
import { createLogger } from '../../services/logger'
import { createEdgeFixture, samplePair, type EdgeFixture, type TenantFixture } from '../edge/fixture'
import { consoleClient } from './client'

/** The console's gates: sessions, roles, CSRF, tenant isolation, revocation, cookie flags. */
describe('console security', () => {
  let f: EdgeFixture
  let t: TenantFixture
  let other: TenantFixture
  let resultId: string
  let otherResultId: string

  const reviewCount = async (id: string) =>
    (await f.database.pool.query('SELECT count(*)::int AS n FROM reviews WHERE result_id = $1', [id])).rows[0].n as number

  async function evaluate(key: string) {
    const res = await f.call('POST', '/v1/equivalences/evaluate', { key, body: samplePair() })
    expect(res.status).toBe(200)
    return ((await res.json()) as { meta: { request_id: string } }).meta.request_id
  }
  const idOf = async (tenantId: string, requestId: string) =>
    (await f.database.pool.query('SELECT id FROM equivalence_results WHERE tenant_id = $1 AND request_id = $2', [tenantId, requestId])).rows[0].id as string

  beforeAll(async () => {
    f = await createEdgeFixture()
    t = await f.createTenant()
    other = await f.createTenant()
    resultId = await idOf(t.id, await evaluate(t.keys['api-client']))
    otherResultId = await idOf(other.id, await evaluate(other.keys['api-client']))
  })
  afterAll(() => f.close())

  it('every page needs a session: a page leads to the login form, a form post is 403 and writes nothing', async () => {
    const anon = consoleClient(f.app)
    for (const path of ['/console/fila', `/console/resultados/${resultId}`, '/console/avaliar', '/console/lotes', '/console/admin/chaves']) {
      const res = await anon.get(path)
      expect(res.status, path).toBe(303)
      expect(res.headers.get('location')).toMatch(/^\/console\/login\?motivo=missing/)
    }
    const res = await anon.post(`/console/resultados/${resultId}/decisao`, { label: 'DEFERIDO', motivo: 'x', _csrf: 'x' })
    expect(res.status).toBe(403)
    expect(await reviewCount(resultId)).toBe(0)
  })

  it('an api-client key cannot sign in; a wrong key neither; the login form needs its CSRF token', async () => {
    const client = consoleClient(f.app)
    const refused = await client.login(t.keys['api-client'])
    expect(refused.status).toBe(403)
    expect(client.jar.has('ee_console')).toBe(false)
    expect(await refused.text()).toContain('auditor ou de administrador')

    expect((await client.login('ee_not_a_real_key')).status).toBe(401)
    expect(client.jar.has('ee_console')).toBe(false)

    const noToken = await client.post('/console/login', { api_key: t.keys.auditor })
    expect(noToken.status).toBe(403)
    expect(client.jar.has('ee_console')).toBe(false)
  })

  it('an auditor signs in: HttpOnly, SameSite=Strict, Path=/console, with an expiry; Secure over HTTPS', async () => {
    const client = consoleClient(f.app)
    const res = await client.login(t.keys.auditor)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/console/fila')
    const cookie = client.lastSetCookies().find((c) => c.startsWith('ee_console='))!
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    expect(cookie).toMatch(/Path=\/console/)
    expect(cookie).toMatch(/Max-Age=28800/)
    expect(cookie).not.toMatch(/Secure/)
    expect((await client.get('/console/fila')).status).toBe(200)

    const secure = consoleClient(f.app, 'https://console.test')
    await secure.login(t.keys.admin)
    expect(secure.lastSetCookies().find((c) => c.startsWith('ee_console='))).toMatch(/Secure/)
  })

  it('a form post with a missing or wrong CSRF token is 403 and writes nothing', async () => {
    const client = consoleClient(f.app)
    await client.login(t.keys.auditor)
    const missing = await client.post(`/console/resultados/${resultId}/decisao`, { label: 'DEFERIDO', motivo: 'Conteúdo equivalente' })
    expect(missing.status).toBe(403)
    const wrong = await client.post(`/console/resultados/${resultId}/decisao`, { label: 'DEFERIDO', motivo: 'Conteúdo equivalente', _csrf: 'f'.repeat(64) })
    expect(wrong.status).toBe(403)
    // A token from another session does not work either.
    const otherSession = consoleClient(f.app)
    await otherSession.login(t.keys.admin)
    const foreignToken = await otherSession.csrfOf('/console/fila')
    expect((await client.post(`/console/resultados/${resultId}/atribuir`, { _csrf: foreignToken })).status).toBe(403)
    expect(await reviewCount(resultId)).toBe(0)
    const assigned = await f.database.pool.query('SELECT count(*)::int AS n FROM review_assignments WHERE result_id = $1', [resultId])
    expect(assigned.rows[0].n).toBe(0)
  })

  it("another tenant's result is 404 to read, to decide and to assign", async () => {
    const client = consoleClient(f.app)
    await client.login(t.keys.auditor)
    const csrf = await client.csrfOf('/console/fila')
    expect((await client.get(`/console/resultados/${otherResultId}`)).status).toBe(404)
    expect((await client.get('/console/resultados/not-a-uuid')).status).toBe(404)
    expect((await client.post(`/console/resultados/${otherResultId}/decisao`, { _csrf: csrf, label: 'DEFERIDO', motivo: 'Outro' })).status).toBe(404)
    expect((await client.post(`/console/resultados/${otherResultId}/atribuir`, { _csrf: csrf })).status).toBe(404)
    expect(await reviewCount(otherResultId)).toBe(0)
  })

  it("a revoked key's session ends at its next request", async () => {
    const created = await f.call('POST', '/admin/api-keys', { key: t.keys.admin, body: { role: 'auditor', name: 'temporário' } })
    expect(created.status).toBe(201)
    const { id, key } = (await created.json()) as { id: string; key: string }
    const client = consoleClient(f.app)
    await client.login(key)
    expect((await client.get('/console/fila')).status).toBe(200)
    expect((await f.call('POST', `/admin/api-keys/${id}/revoke`, { key: t.keys.admin })).status).toBe(200)
    const after = await client.get('/console/fila')
    expect(after.status).toBe(303)
    expect(after.headers.get('location')).toMatch(/motivo=revoked/)
  })

  it('a key revoked on another instance ends its session at once on this one, whatever the caches hold', async () => {
    // Two instances over one database, each with its own key and version caches (default TTLs).
    const other = createApp({ config: f.config, db: f.database.db, logger: createLogger('silent'), metrics: createMetrics() })
    const created = await f.call('POST', '/admin/api-keys', { key: t.keys.admin, body: { role: 'auditor', name: 'duas instâncias' } })
    const { id, key } = (await created.json()) as { id: string; key: string }
    const here = consoleClient(f.app)
    await here.login(key)
    const there = consoleClient(other)
    for (const [name, value] of here.jar) there.jar.set(name, value)
    // Both instances have seen the key (sessions and API calls) before the revoke.
    expect((await here.get('/console/fila')).status).toBe(200)
    expect((await there.get('/console/fila')).status).toBe(200)
    expect((await f.call('GET', '/v1/results', { key })).status).toBe(200)
    const csrf = await there.csrfOf('/console/fila')

    expect((await other.request(`/admin/api-keys/${id}/revoke`, { method: 'POST', headers: { 'X-API-Key': t.keys.admin } })).status).toBe(200)
    const after = await here.get(`/console/resultados/${resultId}`)
    expect(after.status).toBe(303)
    expect(after.headers.get('location')).toMatch(/motivo=revoked/)
    // A form post with the revoked session and its once-valid CSRF token writes nothing either.
    expect((await there.post(`/console/resultados/${resultId}/atribuir`, { _csrf: csrf })).status).toBe(403)
    const assigned = await f.database.pool.query('SELECT count(*)::int AS n FROM review_assignments WHERE result_id = $1', [resultId])
    expect(assigned.rows[0].n).toBe(0)
  })

  it('a tenant disabled elsewhere ends its sessions at the next request', async () => {
    const tenant = await f.createTenant()
    const client = consoleClient(f.app)
    await client.login(tenant.keys.admin)
    expect((await client.get('/console/fila')).status).toBe(200)
    await f.tenants.setStatus(tenant.id, 'disabled')
    const after = await client.get('/console/fila')
    expect(after.status).toBe(303)
    expect(after.headers.get('location')).toMatch(/motivo=revoked/)
  })

  it('auditors do not reach admin pages; sign-out ends the session; redirects stay inside the console', async () => {
    const client = consoleClient(f.app)
    const res = await client.post('/console/login', { _csrf: await client.csrfOf('/console/login'), api_key: t.keys.auditor, voltar: 'https://evil.example/' })
    expect(res.headers.get('location')).toBe('/console/fila')
    expect((await client.get('/console/admin/chaves')).status).toBe(403)
    expect((await client.get('/console/admin/precedentes')).status).toBe(403)
    const csrf = await client.csrfOf('/console/fila')
    expect((await client.post('/console/sair', { _csrf: csrf })).status).toBe(303)
    expect(client.jar.has('ee_console')).toBe(false)
    expect((await client.get('/console/fila')).status).toBe(303)
  })

  it("the replaced service's pages lead to the console", async () => {
    expect((await f.app.request('/dashboard')).headers.get('location')).toBe('/console/fila')
    expect((await f.app.request(`/dashboard/result/${resultId}`)).headers.get('location')).toBe(`/console/resultados/${resultId}`)
    expect((await f.app.request('/test-ui')).headers.get('location')).toBe('/console/avaliar')
  })
})
