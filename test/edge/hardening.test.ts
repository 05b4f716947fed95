import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EdgeFixture, type TenantFixture, createEdgeFixture } from './fixture'

/** The smaller findings, each on the wire: secrets uncached, no key born expired. */
let f: EdgeFixture
let t: TenantFixture

beforeAll(async () => {
  f = await createEdgeFixture()
  t = await f.createTenant()
})
afterAll(() => f?.close())

describe('answers that carry a secret', () => {
  it('a created or rotated key comes with Cache-Control: no-store', async () => {
    const created = await f.call('POST', '/admin/api-keys', { key: t.keys.admin, body: { role: 'auditor', name: 'cache test' } })
    expect(created.status).toBe(201)
    expect(created.headers.get('cache-control')).toBe('no-store')
    const { id } = (await created.json()) as { id: string }
    const rotated = await f.call('POST', `/admin/api-keys/${id}/rotate`, { key: t.keys.admin })
    expect(rotated.status).toBe(201)
    expect(rotated.headers.get('cache-control')).toBe('no-store')
  })
})

describe('a key that would be born expired', () => {
  it('is a 422 naming expires_at, and nothing is created', async () => {
    const count = async () => (await f.database.pool.query('SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1', [t.id])).rows[0].n as number
    const before = await count()
    const res = await f.call('POST', '/admin/api-keys', { key: t.keys.admin, body: { role: 'auditor', expires_at: '2020-01-01T00:00:00Z' } })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [{ loc: ['body', 'expires_at'], msg: 'expires_at must be in the future', type: 'value_error' }] })
    expect(await count()).toBe(before)
    const later = await f.call('POST', '/admin/api-keys', { key: t.keys.admin, body: { role: 'auditor', expires_at: new Date(Date.now() + 86_400_000).toISOString() } })
    expect(later.status).toBe(201)
  })
})

describe('/metrics on the API without METRICS_TOKEN', () => {
  it.each(['/metrics', '/%6detrics', '/./metrics', '/metrics/', '//metrics'])('%s needs an admin key', async (path) => {
    const attempts: Record<string, string>[] = [{}, { 'X-API-Key': t.keys.auditor }, { 'X-API-Key': t.keys['api-client'] }, { 'X-API-Key': `${t.keys.admin}x` }]
    for (const headers of attempts) {
      const res = await f.app.request(`http://api.test${path}`, { headers })
      expect([401, 403, 404], `${path} ${JSON.stringify(headers)}`).toContain(res.status)
      expect(await res.text()).not.toContain(t.id)
    }
  })

  it('answers an admin key with the scrape', async () => {
    const res = await f.app.request('/metrics', { headers: { 'X-API-Key': t.keys.admin } })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await res.text()).toMatch(/^# HELP /m)
  })
})

describe('/metrics on the API', () => {
  const token = `metrics-${crypto.randomUUID()}`
  let m: EdgeFixture
  beforeAll(async () => {
    m = await createEdgeFixture({ env: { METRICS_TOKEN: token } })
  })
  afterAll(() => m?.close())

  it.each(['/metrics', '/%6detrics', '/./metrics', '/metrics/', '//metrics'])('%s needs the operator token', async (path) => {
    const tenant = await m.createTenant()
    const attempts: Record<string, string>[] = [{}, { 'X-API-Key': tenant.keys.admin }, { Authorization: `Bearer ${tenant.keys.admin}` }, { Authorization: `Bearer ${token}x` }]
    for (const headers of attempts) {
      const res = await m.app.request(`http://api.test${path}`, { headers })
      expect(res.status, `${path} ${JSON.stringify(headers)}`).not.toBe(200)
      expect(await res.text()).not.toContain(tenant.id)
    }
  })

  it('answers the operator token with the scrape', async () => {
    const res = await m.app.request('/metrics', { headers: { Authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await res.text()).toMatch(/^# HELP /m)
  })
})
