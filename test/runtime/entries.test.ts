import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createTenantsRepository } from '../../db/repositories/tenants'
import { samplePair } from '../edge/fixture'
import { type TestDatabase, createTestDatabase } from '../harness/postgres'
import { type Started, freePort, runToExit, startServer } from './process'

/**
 * The real runtime entries, booted as processes against a fresh Postgres database: the Node
 * server (`npm start` with DATABASE_URL) and the Deno one (`deno task start`). A few cases only;
 * the full suite runs in process.
 */
let database: TestDatabase
let key: string
/** Without METRICS_TOKEN the scrape answers an admin key only. */
let adminKey: string
const salt = `runtime-salt-${crypto.randomUUID()}`

beforeAll(async () => {
  database = await createTestDatabase()
  const tenant = await createTenantsRepository(database.db).create({ slug: 'runtime', name: 'Runtime' })
  key = (await createApiKeysRepository(database.db, salt).create(tenant.id, { role: 'api-client' })).plaintext
  adminKey = (await createApiKeysRepository(database.db, salt).create(tenant.id, { role: 'admin' })).plaintext
})
afterAll(() => database.drop())

const env = () => ({ DATABASE_URL: database.url, API_KEY_SALT: salt, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'warn' })

async function smoke(server: Started, requestId: string) {
  expect(await fetch(`${server.url}/health`).then((r) => r.json())).toEqual({ status: 'alive' })
  const res = await fetch(`${server.url}/v2/equivalences/evaluate`, {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify(samplePair({ request_id: requestId })),
  })
  expect(res.status).toBe(200)
  expect((await res.json()).decisao).toBe('DEFERIDO')
  const unauthorized = await fetch(`${server.url}/v2/equivalences/evaluate`, { method: 'POST', body: '{}' })
  expect(await unauthorized.json()).toEqual({ detail: 'Missing X-API-Key' })
  const rows = await database.pool.query('SELECT decisao FROM equivalence_results WHERE request_id = $1', [requestId])
  expect(rows.rows).toEqual([{ decisao: 'DEFERIDO' }])

  // The same contract on every runtime: a /v1 batch runs to `done`, /docs has its files, /metrics the original's names.
  const headers = { 'X-API-Key': key, 'Content-Type': 'application/json' }
  const created = await fetch(`${server.url}/v1/equivalences/batch`, { method: 'POST', headers, body: JSON.stringify({ items: [samplePair({ request_id: `${requestId}-b` })] }) })
  expect(created.status).toBe(200)
  const { job_id } = (await created.json()) as { job_id: string }
  let status = ''
  while (status !== 'done') {
    status = ((await fetch(`${server.url}/v1/jobs/${job_id}`, { headers }).then((r) => r.json())) as { status: string }).status
    if (status !== 'done') await new Promise((resolve) => setTimeout(resolve, 100))
  }
  expect((await fetch(`${server.url}/docs/assets/swagger-ui.css`)).status).toBe(200)
  expect(await fetch(`${server.url}/metrics`, { headers: { 'X-API-Key': adminKey } }).then((r) => r.text())).toContain('http_requests_total{')
}

describe('Node entry', () => {
  it('serves evaluate end to end against Postgres', async () => {
    const server = await startServer('node', ['--import', 'tsx', 'edge/entries/node.ts'], env(), await freePort())
    try {
      await smoke(server, 'runtime-node')
    } finally {
      await server.stop()
    }
  })

  it('exits non-zero naming every bad variable', async () => {
    const { code, output } = await runToExit('node', ['--import', 'tsx', 'edge/entries/node.ts'], {
      DATABASE_URL: 'not a url',
      PORT: '70000',
      RATE_LIMIT_ENABLED: 'maybe',
    })
    expect(code).toBe(1)
    for (const k of ['DATABASE_URL', 'PORT', 'RATE_LIMIT_ENABLED']) expect(output).toContain(k)
  })
})

describe('Deno entry', () => {
  it('serves evaluate end to end against Postgres', async () => {
    const server = await startServer('node_modules/.bin/deno', ['task', 'start'], env(), await freePort(), 240_000)
    try {
      await smoke(server, 'runtime-deno')
    } finally {
      await server.stop()
    }
  }, 300_000)
})
