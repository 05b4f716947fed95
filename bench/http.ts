import autocannon from 'autocannon'
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { cpus, loadavg } from 'node:os'
import { createApiKeysRepository } from '../db/repositories/api-keys'
import { createTenantsRepository } from '../db/repositories/tenants'
import { createTestDatabase } from '../test/harness/postgres'

/**
 * `npm run bench:http`: autocannon against the Node server (separate process) persisting to the
 * local Postgres, 50 connections, rate limits off, auth on. Prints evaluations/s with p50/p99, and
 * two references from the same run as ratios: GET /health (trivial) and a bare route that inserts
 * one row in one transaction. Evaluations rotate over TENANTS tenants (a tenant's audit chain is
 * one lock; tenants do not wait on each other) and over distinct syllabus pairs.
 *
 * Setup, so the references measure the machine and not the harness: the load generator runs in this
 * process and the server in a child (they do not share an event loop); app and bare route get pools
 * of the same size (default 40: with ~8 ms per WAL flush, 10 connections cap a commit-per-request
 * route near 1,250/s, and Postgres only groups commits that are concurrent); the access log is at
 * `warn` (one JSON line per request to a pipe is not what is measured — say so in the output);
 * every route is warmed up (JIT, tsx transpile, pool connections) before it is measured.
 * Durability is untouched: the run prints the server's synchronous_commit and fsync.
 *
 * Env: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (50), BENCH_TENANTS (8), BENCH_PORT (8190),
 * BENCH_POOL_SIZE (40), BENCH_LOG_LEVEL (warn), BENCH_CPU_PROF (a folder: the server writes a
 * --cpu-prof profile there), BENCH_ONLY_EVALUATE=1 (skip the references, for profiling),
 * BENCH_WIRE=v2 (the native route instead of /v1), BENCH_REQUEST_IDS=1 (every evaluation carries a fresh `request_id`, as idempotent clients send:
 * each then also pays the look-up for a stored answer before it is evaluated).
 */
const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const TENANTS = Number(process.env.BENCH_TENANTS ?? 8)
const PORT = Number(process.env.BENCH_PORT ?? 8190)
/** Wire version of the evaluate route measured: `v1` (the replaced service's contract) or `v2` (native). */
const WIRE = process.env.BENCH_WIRE === 'v2' ? 'v2' : 'v1'
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 40)
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn'
const salt = `bench-salt-${crypto.randomUUID()}`

const TOPICS = [
  'Limites e continuidade',
  'Derivadas e regras de derivação',
  'Aplicações da derivada',
  'Integral definida e indefinida',
  'Teorema fundamental do cálculo',
  'Técnicas de integração',
  'Séries numéricas',
  'Equações diferenciais ordinárias',
  'Vetores no plano e no espaço',
  'Matrizes e determinantes',
]
/** Distinct pairs, so the mapping cache sees a realistic mix rather than one text. */
function pair(i: number) {
  const pick = (offset: number, n: number) => Array.from({ length: n }, (_, k) => TOPICS[(i + offset + k) % TOPICS.length]).join('. ')
  return {
    origem: { nome: `Cálculo ${i}`, carga_horaria: 60 + (i % 4) * 15, ementa: `${pick(0, 6)}.`, aprovado: true, ano_conclusao: 2020 + (i % 5) },
    destino: { nome: 'Cálculo I', carga_horaria: 75, ementa: pick(1, 5).split('. ').map((t, k) => `${k + 1} - ${t}`).join(' ') },
  }
}

type Result = { rps: number; p50: number; p99: number; non2xx: number; errors: number; total: number }

async function run(title: string, requests: autocannon.Request[]): Promise<Result> {
  const instance = autocannon({ url: `http://127.0.0.1:${PORT}`, connections: CONNECTIONS, duration: DURATION, requests })
  const r = await instance
  const result = { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, total: r.requests.total }
  console.log(`${title.padEnd(34)} ${result.rps.toFixed(0).padStart(6)} req/s   p50 ${String(result.p50).padStart(3)} ms   p99 ${String(result.p99).padStart(3)} ms   non-2xx ${result.non2xx}   errors ${result.errors}`)
  return result
}

async function main(): Promise<void> {
  const database = await createTestDatabase()
  const tenants = createTenantsRepository(database.db)
  const keys = createApiKeysRepository(database.db, salt)
  const apiKeys: string[] = []
  for (let i = 0; i < TENANTS; i++) {
    const tenant = await tenants.create({ slug: `bench-${i}`, name: `Bench ${i}` })
    apiKeys.push((await keys.create(tenant.id, { role: 'api-client' })).plaintext)
  }

  const server = fork('bench/http-server.ts', [], {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [])],
    env: { ...process.env, DATABASE_URL: database.url, DATABASE_DRIVER: 'pg', API_KEY_SALT: salt, PORT: String(PORT), LOG_LEVEL, DATABASE_POOL_SIZE: String(POOL_SIZE) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  try {
    await once(server, 'message')
    const withRequestIds = process.env.BENCH_REQUEST_IDS === '1'
    let sent = 0
    const evaluations: autocannon.Request[] = Array.from({ length: 64 }, (_, i) => ({
      method: 'POST',
      path: `/${WIRE}/equivalences/evaluate`,
      headers: { 'content-type': 'application/json', 'x-api-key': apiKeys[i % apiKeys.length]! },
      body: JSON.stringify(pair(i)),
      ...(withRequestIds
        ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify({ ...pair(i), request_id: `bench-${process.pid}-${sent++}` }) }) }
        : {}),
    }))
    const bareInsert: autocannon.Request[] = [
      { method: 'POST', path: '/bench/bare-insert', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: 1 }) },
    ]
    const { rows: durability } = await database.pool.query(
      "SELECT current_setting('synchronous_commit') AS sc, current_setting('fsync') AS fsync",
    )
    console.log(`bench:http — ${CONNECTIONS} connections, ${DURATION}s per route, ${TENANTS} tenants, auth on, rate limits off, node-postgres pool ${POOL_SIZE}${withRequestIds ? ', a fresh request_id per evaluation' : ''}`)
    console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start (the references share the machine with everything else running)`)
    console.log(`durability: synchronous_commit=${durability[0].sc} fsync=${durability[0].fsync} (every response waits for its commit)   access log: ${LOG_LEVEL}`)
    // Warm-up of every measured route: JIT, tsx transpile, key cache, mapping cache, pool connections.
    for (const requests of [[{ method: 'GET' as const, path: '/health' }], bareInsert, evaluations]) {
      await autocannon({ url: `http://127.0.0.1:${PORT}`, connections: CONNECTIONS, duration: 2, requests })
    }
    const skipRefs = process.env.BENCH_ONLY_EVALUATE === '1'
    const trivial = skipRefs ? { rps: NaN } : await run('GET /health (trivial reference)', [{ method: 'GET', path: '/health' }])
    const bare = skipRefs ? { rps: NaN } : await run('bare insert in one transaction', bareInsert)
    const countResults = async () => (await database.pool.query('SELECT count(*)::int AS n FROM equivalence_results')).rows[0].n as number
    const before = await countResults()
    const evaluate = await run(`POST /${WIRE}/equivalences/evaluate`, evaluations)
    const persisted = (await countResults()) - before
    console.log(`\npersisted during the evaluate run: ${persisted} (${(persisted / DURATION).toFixed(0)}/s; answered ${evaluate.total})`)
    console.log(`evaluate / trivial: ${(evaluate.rps / trivial.rps).toFixed(2)}   evaluate / bare insert: ${(evaluate.rps / bare.rps).toFixed(2)}`)
    console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
    console.log(`evaluations_per_second=${evaluate.rps.toFixed(0)} p50_ms=${evaluate.p50} p99_ms=${evaluate.p99}`)
  } finally {
    server.kill('SIGTERM')
    await once(server, 'exit').catch(() => undefined)
    await database.drop()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
