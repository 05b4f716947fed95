import autocannon from 'autocannon'
import { fork } from 'node:child_process'
import { once } from 'node:events'
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
 * Env: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (50), BENCH_TENANTS (8), BENCH_PORT (8190).
 */
const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const TENANTS = Number(process.env.BENCH_TENANTS ?? 8)
const PORT = Number(process.env.BENCH_PORT ?? 8190)
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
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, DATABASE_URL: database.url, DATABASE_DRIVER: 'pg', API_KEY_SALT: salt, PORT: String(PORT), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  try {
    await once(server, 'message')
    const evaluations: autocannon.Request[] = Array.from({ length: 64 }, (_, i) => ({
      method: 'POST',
      path: '/v1/equivalences/evaluate',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKeys[i % apiKeys.length]! },
      body: JSON.stringify(pair(i)),
    }))
    const bareInsert: autocannon.Request[] = [
      { method: 'POST', path: '/bench/bare-insert', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: 1 }) },
    ]
    console.log(`bench:http — ${CONNECTIONS} connections, ${DURATION}s per route, ${TENANTS} tenants, auth on, rate limits off, node-postgres`)
    // A short warm-up: JIT, key cache, mapping cache, pool connections.
    await autocannon({ url: `http://127.0.0.1:${PORT}`, connections: 10, duration: 2, requests: evaluations })
    const trivial = await run('GET /health (trivial reference)', [{ method: 'GET', path: '/health' }])
    const bare = await run('bare insert in one transaction', bareInsert)
    const evaluate = await run('POST /v1/equivalences/evaluate', evaluations)
    const { rows } = await database.pool.query('SELECT count(*)::int AS n FROM equivalence_results')
    console.log(`\npersisted results: ${rows[0].n}`)
    console.log(`evaluate / trivial: ${(evaluate.rps / trivial.rps).toFixed(2)}   evaluate / bare insert: ${(evaluate.rps / bare.rps).toFixed(2)}`)
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
