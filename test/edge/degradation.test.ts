import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as schema from '../../db/schema'
import { createApp } from '../../edge/app'
import { createLogger } from '../../services/logger'
import { type EdgeFixture, type TenantFixture, createEdgeFixture, samplePair } from './fixture'
import { startTcpProxy } from './tcp-proxy'

/**
 * The database goes away under a running app: its pool talks to Postgres through a proxy the
 * test cuts. The fixture's own direct pool checks afterwards that nothing was half-written.
 */
let f: EdgeFixture
let t: TenantFixture
let proxy: Awaited<ReturnType<typeof startTcpProxy>>
let pool: pg.Pool
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  f = await createEdgeFixture()
  t = await f.createTenant()
  proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 })
  pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/${f.database.name}`, connectionTimeoutMillis: 2000 })
  pool.on('error', () => undefined)
  app = createApp({ config: f.config, db: drizzle({ client: pool, schema }), logger: createLogger('silent') })
})
afterAll(async () => {
  await pool.end()
  await proxy.close()
  await f.close()
})

const evaluate = (body: unknown) =>
  app.request('/v2/equivalences/evaluate', {
    method: 'POST',
    headers: { 'X-API-Key': t.keys['api-client'], 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
const count = async (table: string) => (await f.database.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number

describe('database down', () => {
  it('is ready while the database answers', async () => {
    const res = await app.request('/ready')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'not_configured' } })
    // Warm the key cache so the outage is met by the evaluation itself, not by authentication.
    expect((await evaluate(samplePair())).status).toBe(200)
  })

  it('→ /ready 503 naming the database, evaluate 503 with Retry-After, nothing written', async () => {
    const [results, audits] = [await count('equivalence_results'), await count('audit_events')]
    proxy.cut()
    const ready = await app.request('/ready')
    expect(ready.status).toBe(503)
    expect(await ready.json()).toEqual(expect.objectContaining({ status: 'unavailable', detail: 'Unavailable: database' }))

    const res = await evaluate(samplePair({ request_id: 'during-outage' }))
    expect(res.status).toBe(503)
    expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect(await res.json()).toEqual({ detail: 'Service temporarily unavailable: database' })
    expect([await count('equivalence_results'), await count('audit_events')]).toEqual([results, audits])

    proxy.restore()
    const again = await evaluate(samplePair({ request_id: 'during-outage' }))
    expect(again.status).toBe(200)
    expect(again.headers.get('Idempotent-Replayed')).toBeNull()
    expect(await count('equivalence_results')).toBe(results + 1)
  })

  it('a database that was never there is a 503 at authentication too', async () => {
    const nowhere = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:9/none', connectionTimeoutMillis: 1000 })
    const cold = createApp({ config: f.config, db: drizzle({ client: nowhere, schema }), logger: createLogger('silent') })
    try {
      const res = await cold.request('/v1/results', { headers: { 'X-API-Key': t.keys.auditor } })
      expect(res.status).toBe(503)
      expect(res.headers.get('Retry-After')).toBeTruthy()
    } finally {
      await nowhere.end()
    }
  })
})
