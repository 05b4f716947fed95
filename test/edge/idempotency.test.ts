import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../edge/app'
import { createLogger } from '../../services/logger'
import type { VersionCache } from '../../services/resolve-versions'
import { type EdgeFixture, type TenantFixture, createEdgeFixture, samplePair } from './fixture'

let f: EdgeFixture
let t: TenantFixture
beforeAll(async () => {
  f = await createEdgeFixture()
  t = await f.createTenant()
})
afterAll(() => f.close())

describe('idempotent evaluation under concurrency', () => {
  it('50 concurrent identical evaluations with one request_id → one stored row and audit event, identical bodies', async () => {
    const body = samplePair({ request_id: 'concurrent-1' })
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body })),
    )
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200))
    const texts = await Promise.all(responses.map((r) => r.text()))
    const first = JSON.parse(texts[0]!)
    for (const text of texts) expect(JSON.parse(text)).toEqual(first)
    expect(responses.filter((r) => r.headers.get('Idempotent-Replayed') !== 'true')).toHaveLength(1)

    const rows = await f.database.pool.query('SELECT count(*)::int AS n FROM equivalence_results WHERE tenant_id = $1 AND request_id = $2', [
      t.id,
      'concurrent-1',
    ])
    expect(rows.rows[0].n).toBe(1)
    const audit = await f.database.pool.query("SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND action = 'result.created'", [t.id])
    expect(audit.rows[0].n).toBe(1)
    const verify = await f.call('GET', '/admin/audit/verify', { key: t.keys.admin }).then((r) => r.json())
    expect(verify).toMatchObject({ ok: true, checked: 1, broken_at: null, reason: null })
  })

  it('a repeat, and a later read of the result, return the first answer byte for byte', async () => {
    const body = samplePair({ request_id: 'bytes-1' })
    const first = await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body })
    const firstText = await first.text()
    const again = await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body })
    expect(again.headers.get('Idempotent-Replayed')).toBe('true')
    expect(await again.text()).toBe(firstText)
    const listed = await f.call('GET', '/v1/results?limit=50', { key: t.keys.auditor }).then((r) => r.json())
    const stored = listed.items.find((r: { request_id: string }) => r.request_id === 'bytes-1')
    const read = await f.call('GET', `/v1/results/${stored.id}`, { key: t.keys.auditor }).then((r) => r.json())
    expect(JSON.stringify(read.response)).toBe(firstText)
  })

  it('a repeat gets its stored answer even when its versions no longer resolve', async () => {
    // A version cache (passed through deps) whose look-ups can be made to fail; otherwise it
    // caches nothing, so every request reaches the real repositories.
    let versionsFail = false
    const versions: VersionCache = {
      get: (_tenantId, _key, load) => (versionsFail ? Promise.reject(new Error('version store unavailable')) : load()),
      invalidate: () => undefined,
    }
    const app = createApp({ config: f.config, db: f.database.db, versions, logger: createLogger('silent') })
    const post = (body: unknown) =>
      app.request('/v2/equivalences/evaluate', {
        method: 'POST',
        headers: { 'X-API-Key': t.keys['api-client'], 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
    const body = samplePair({ request_id: 'stored-before-1' })
    const first = await post(body)
    expect(first.status).toBe(200)
    versionsFail = true
    const again = await post(body)
    expect(again.status).toBe(200)
    expect(again.headers.get('Idempotent-Replayed')).toBe('true')
    expect(await again.text()).toBe(await first.text())
    // Another body under that id is still a conflict; a new id still needs its versions.
    expect((await post(samplePair({ request_id: 'stored-before-1', course_id: 'outro' }))).status).toBe(409)
    expect((await post(samplePair({ request_id: 'stored-before-2' }))).status).toBe(500)
  })

  it('the same request_id in two tenants is two independent results', async () => {
    const other = await f.createTenant()
    const body = samplePair({ request_id: 'shared-id' })
    const a = await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body })
    const b = await f.call('POST', '/v2/equivalences/evaluate', { key: other.keys['api-client'], body: { ...body, course_id: 'X' } })
    expect([a.status, b.status]).toEqual([200, 200])
    expect(b.headers.get('Idempotent-Replayed')).toBeNull()
  })
})
