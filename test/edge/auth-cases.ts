import { expect, it } from 'vitest'
import type { Role } from '../../edge/context'
import type { EdgeFixture } from './fixture'

export type PreparedRequest = { method: string; path: string; body?: unknown }

/**
 * The authentication and role cases every protected route must pass, shared by the route tests:
 * no key → 401 `Missing X-API-Key`, unknown key → 401 `Invalid API key`, a revoked or expired key
 * → 401 (the look-up the API uses, `findKeyForAuth`, then the middleware's checks), a
 * key of a disabled tenant → 403, and each role in `forbidden` → 403.
 */
export function runAuthCases(
  getFixture: () => EdgeFixture,
  prepare: () => PreparedRequest | Promise<PreparedRequest>,
  options: { forbidden?: Role[] } = {},
): void {
  it('401 Missing X-API-Key without a key', async () => {
    const r = await prepare()
    const res = await getFixture().call(r.method, r.path, { body: r.body })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: 'Missing X-API-Key' })
  })

  it('401 Invalid API key for an unknown key', async () => {
    const r = await prepare()
    const res = await getFixture().call(r.method, r.path, { body: r.body, key: 'ee_not-a-real-key' })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: 'Invalid API key' })
  })

  it('401 for a revoked key, at once', async () => {
    const f = getFixture()
    const t = await f.createTenant()
    const r = await prepare()
    const key = await f.keysRepo.create(t.id, { role: 'admin', name: 'to revoke' })
    // Warm the key cache first: the revoke must still take effect immediately.
    await f.call('GET', '/admin/api-keys', { key: key.plaintext })
    const revoked = await f.call('POST', `/admin/api-keys/${key.key.id}/revoke`, { key: t.keys.admin })
    expect(revoked.status).toBe(200)
    const res = await f.call(r.method, r.path, { body: r.body, key: key.plaintext })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: 'Invalid API key' })
  })

  it('401 for a key past its expiry, and the same answer as for an unknown key', async () => {
    const f = getFixture()
    const t = await f.createTenant()
    const r = await prepare()
    const key = await f.keysRepo.create(t.id, { role: 'admin', name: 'expired', expiresAt: new Date(Date.now() - 1000) })
    const res = await f.call(r.method, r.path, { body: r.body, key: key.plaintext })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: 'Invalid API key' })
  })

  it('403 for a key of a disabled tenant', async () => {
    const f = getFixture()
    const t = await f.createTenant()
    await f.tenants.setStatus(t.id, 'disabled')
    const r = await prepare()
    const res = await f.call(r.method, r.path, { body: r.body, key: t.keys.admin })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ detail: 'Tenant disabled' })
  })

  for (const role of options.forbidden ?? []) {
    it(`403 for the ${role} role`, async () => {
      const f = getFixture()
      const t = await f.createTenant()
      const r = await prepare()
      const res = await f.call(r.method, r.path, { body: r.body, key: t.keys[role] })
      expect(res.status).toBe(403)
      expect(typeof (await res.json()).detail).toBe('string')
    })
  }
}
