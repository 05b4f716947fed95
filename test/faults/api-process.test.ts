import { type ChildProcess, spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { verifyAudit } from '../../db/repositories/audit'
import { createTenantsRepository } from '../../db/repositories/tenants'
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy'
import { createTestDatabase, type TestDatabase } from '../harness/postgres'

/**
 * The real Node entry (`npm start` with DATABASE_URL: node-postgres, the embedded batch tier) as a
 * child process, its database behind our fault proxy. The connections are cut and reset under
 * evaluate load, under a batch in flight and under admin writes: the process must live, answer
 * 503 + Retry-After while the database is away and 200 once it is back, with no restart; every
 * batch item settles exactly once, the counters are exact and the audit chain verifies.
 *
 * Waiting is by polling (bounded by the test timeout), never by asserting on durations.
 */
let database: TestDatabase
let proxy: FaultProxy
let server: ChildProcess
let base: string
let tenantId: string
const keys = { admin: '', client: '' }
const output: string[] = []
const salt = `fault-salt-${crypto.randomUUID()}`

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
async function until(check: () => Promise<boolean> | boolean, pollMs = 50) {
  while (!(await check())) await sleep(pollMs)
}
const alive = () => server.exitCode === null && server.signalCode === null

beforeAll(async () => {
  ;[database, proxy] = await Promise.all([createTestDatabase(), startFaultProxy({ host: '127.0.0.1', port: 5432 })])
  const tenant = await createTenantsRepository(database.db).create({ slug: `faults-${crypto.randomUUID().slice(0, 6)}`, name: 'Faults' })
  tenantId = tenant.id
  const apiKeys = createApiKeysRepository(database.db, salt)
  keys.admin = (await apiKeys.create(tenant.id, { role: 'admin' })).plaintext
  keys.client = (await apiKeys.create(tenant.id, { role: 'api-client' })).plaintext

  const port = 20_000 + Math.floor(Math.random() * 40_000)
  base = `http://127.0.0.1:${port}`
  server = spawn(process.execPath, ['--import', 'tsx', 'edge/entries/node.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_DRIVER: 'pg',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/${database.name}`,
      DATABASE_POOL_SIZE: '8',
      API_KEY_SALT: salt,
      RATE_LIMIT_ENABLED: 'false',
      LOG_LEVEL: 'info',
      // The same recovery as in production, on a shorter clock: items whose delivery gave up during
      // the cut are handed out again after 2 s (not 5 min), a claim whose holder lost its connection
      // expires after 3 s (not 60), and the sweeper runs every second (not 30).
      JOB_LOST_AFTER_SECONDS: '2',
      JOB_LEASE_SECONDS: '3',
      JOB_SWEEP_SECONDS: '1',
      PGLITE_DIR: `/tmp/f-faults-${port}/pglite`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  for (const stream of [server.stdout!, server.stderr!]) stream.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  await until(async () => {
    if (!alive()) throw new Error(`server exited: ${output.join('')}`)
    return fetch(`${base}/health`).then((r) => r.ok, () => false)
  }, 100)
}, 60_000)

afterAll(async () => {
  if (server && alive()) {
    server.kill('SIGTERM')
    await until(() => !alive())
  }
  await proxy?.close()
  await database?.drop()
})

const pair = (i: number, requestId: string) => ({
  request_id: requestId,
  origem: {
    nome: `Cálculo Diferencial ${i}`,
    carga_horaria: 60 + (i % 40),
    ementa: `Funções reais. Limites e continuidade. Derivadas e aplicações (turma ${i}). Integral indefinida. Teorema fundamental do cálculo.`,
    aprovado: true,
    ano_conclusao: 2022,
  },
  destino: { nome: 'Cálculo I', carga_horaria: 72, ementa: 'Limites. Continuidade. Derivadas. Integrais. Teorema fundamental do cálculo.' },
})

function post(path: string, body: unknown, key = keys.client) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
}

/** Status and Retry-After of every answer, so the test can say what was seen during the cut. */
type Seen = { status: number; retryAfter: string | null }
async function evaluate(i: number, requestId: string): Promise<Seen> {
  try {
    const res = await post('/v2/equivalences/evaluate', pair(i, requestId))
    await res.arrayBuffer()
    return { status: res.status, retryAfter: res.headers.get('retry-after') }
  } catch {
    return { status: 0, retryAfter: null } // the process did not answer at all
  }
}

const storedCount = async (like: string) =>
  (await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM equivalence_results WHERE tenant_id = $1 AND request_id LIKE $2', [tenantId, like])).rows[0]!.n

describe('the API process while its database goes away', () => {
  it('evaluate load: 503 + Retry-After during the cut, 200 after, each request stored once', async () => {
    const seen: Seen[] = []
    const ids: string[] = []
    let phase: 'before' | 'cut' | 'after' = 'before'
    const duringCut: Seen[] = []
    const worker = async (w: number) => {
      for (let n = 0; phase !== 'after' || n < 10; n++) {
        const id = `load-${w}-${n}`
        ids.push(id)
        const answer = await evaluate(n, id)
        seen.push(answer)
        if (phase === 'cut') duringCut.push(answer)
        if (phase === 'after' && n >= 10) break
      }
    }
    const load = Promise.all(Array.from({ length: 6 }, (_, w) => worker(w)))
    await until(() => seen.filter((s) => s.status === 200).length >= 30)
    proxy.reset()
    phase = 'cut'
    await until(() => duringCut.filter((s) => s.status === 503).length >= 12)
    proxy.restore()
    phase = 'after'
    await load

    expect(alive()).toBe(true)
    expect(new Set(seen.map((s) => s.status))).toEqual(new Set([200, 503]))
    for (const s of seen.filter((x) => x.status === 503)) expect(Number(s.retryAfter)).toBeGreaterThan(0)

    // A client retries what failed, with the same request id: each ends stored exactly once.
    for (const id of ids) {
      const [, w, n] = id.split('-')
      expect((await evaluate(Number(n), id)).status, `${w}`).toBe(200)
    }
    expect(await storedCount('load-%')).toBe(new Set(ids).size)
    expect(await verifyAudit(database.db, tenantId)).toMatchObject({ ok: true })
  }, 120_000)

  it('admin writes: 503 during, 200 after, nothing half-written', async () => {
    proxy.reset()
    const during = await post('/admin/api-keys', { role: 'auditor', name: 'during the cut' }, keys.admin)
    expect(during.status).toBe(503)
    expect(Number(during.headers.get('retry-after'))).toBeGreaterThan(0)
    proxy.restore()
    let after: Response
    do after = await post('/admin/api-keys', { role: 'auditor', name: 'after the cut' }, keys.admin)
    while (after.status === 503)
    expect(after.status).toBe(201)
    const names = (await database.pool.query<{ name: string }>('SELECT name FROM api_keys WHERE tenant_id = $1', [tenantId])).rows.map((r) => r.name)
    expect(names).not.toContain('during the cut')
    expect(alive()).toBe(true)
    expect(await verifyAudit(database.db, tenantId)).toMatchObject({ ok: true })
  }, 60_000)

  // Items whose completion died with the connection stay `running` until their lease runs out,
  // those whose delivery gave up stay queued: the embedded sweeper hands both out again — none goes
  // dead for an outage. With the short clock above that is seconds after the cut (production
  // defaults: lease 60 s, sweep every 30 s, lost after 5 min).
  it('a 2,000-item batch cut in the middle: every item settles exactly once, counters exact', async () => {
    const items = Array.from({ length: 2000 }, (_, i) => {
      const { request_id: _id, ...rest } = pair(i, '')
      return rest
    })
    const res = await post('/v2/equivalences/batch', { items })
    expect([200, 202]).toContain(res.status)
    const { job_id: jobId } = (await res.json()) as { job_id: string }
    const itemsDone = async () =>
      (await database.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM job_items WHERE job_id = $1 AND status = 'done'", [jobId])).rows[0]!.n
    await until(async () => (await itemsDone()) >= 200)
    proxy.reset()
    await sleep(2_000) // the outage itself, not an assertion
    proxy.restore()
    const job = async () =>
      (await database.pool.query<{ status: string; done: number; failed: number; total: number }>('SELECT status, done, failed, total FROM jobs WHERE id = $1', [jobId])).rows[0]!
    await until(async () => (await job()).status === 'completed', 200)

    expect(alive()).toBe(true)
    expect(await job()).toMatchObject({ status: 'completed', total: 2000, done: 2000, failed: 0 })
    const { rows } = await database.pool.query<{ results: number; distinct_results: number; done: number }>(
      `SELECT (SELECT count(*)::int FROM equivalence_results WHERE request_id LIKE $1) AS results,
              (SELECT count(DISTINCT result_id)::int FROM job_items WHERE job_id = $2) AS distinct_results,
              (SELECT count(*)::int FROM job_items WHERE job_id = $2 AND status = 'done') AS done`,
      [`batch:${jobId}:%`, jobId],
    )
    expect(rows[0]).toEqual({ results: 2000, distinct_results: 2000, done: 2000 })
    expect(await verifyAudit(database.db, tenantId)).toMatchObject({ ok: true })
  }, 120_000)
})
