/**
 * Batch throughput: `npm run bench:batch [-- --items N] [--http-items N] [--concurrency N] [--parallelism N]`.
 *
 * End to end, accepted → result persisted: a job of N items is created in a fresh Postgres database
 * (127.0.0.1:5432) and dispatched; the clock stops when the job is completed (every result and
 * counter committed). Two transports, the same handlers:
 * - in-process: the embedded default's dispatcher (bulk claim/commit of up to 25 items a delivery);
 * - QStash: the official Client publishing to the local stand-in (test/harness/qstash.ts), which
 *   delivers each item as a signed request to the worker's real HTTP server (one item a delivery,
 *   `--parallelism` deliveries in flight through QStash flow control).
 * The machine may be shared: the load average is printed with each run.
 */
import { Client, Receiver } from '@upstash/qstash'
import type { Hono } from 'hono'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { createJobsRepository } from '../db/repositories/jobs'
import { createTenantsRepository } from '../db/repositories/tenants'
import { createMemoryMappingCache } from '../engine/index'
import { createQStashDispatcher } from '../jobs/dispatchers/qstash'
import { createEmbeddedJobs } from '../jobs/embedded'
import { evaluateItemMessage } from '../jobs/messages'
import { createJobRuntime } from '../jobs/runtime'
import type { JobDispatcher } from '../jobs/types'
import { createServiceContext } from '../services/context'
import { createVersionCache } from '../services/resolve-versions'
import { createWorkerApp } from '../worker/server'
import { batchPayload } from '../test/batch/fixture'
import { listen } from '../test/harness/listen'
import { createTestDatabase } from '../test/harness/postgres'
import { startQStashStandIn } from '../test/harness/qstash'

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '10000' },
    'http-items': { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '4' },
    parallelism: { type: 'string', default: '16' },
  },
})
const items = Number(values.items)
const httpItems = Number(values['http-items'])
const concurrency = Number(values.concurrency)
const parallelism = Number(values.parallelism)

async function setUp() {
  const database = await createTestDatabase({ poolSize: Math.max(concurrency, parallelism) + 4 })
  const salt = `bench-salt-${crypto.randomUUID()}`
  const tenant = await createTenantsRepository(database.db).create({ slug: `bench-${crypto.randomUUID().slice(0, 8)}`, name: 'Bench' })
  // As the entries build it: one version cache (5 s, the edge's default) and one mapping cache.
  const services = createServiceContext(database.db, { apiKeySalt: salt, versions: createVersionCache(5_000), mappingCache: createMemoryMappingCache() })
  return { database, salt, tenant, services, jobs: createJobsRepository(database.db) }
}

/** Creates the job (accepted), dispatches it and waits for its completion; returns seconds. */
async function run(env: Awaited<ReturnType<typeof setUp>>, n: number, dispatcher: JobDispatcher, wait: () => Promise<void>) {
  const payloads = Array.from({ length: n }, (_, i) => batchPayload(i))
  const t0 = performance.now()
  const { job, itemIds } = await env.jobs.create(env.tenant.id, { payloads, callbackUrl: null, createdByKeyId: null })
  const accepted = performance.now()
  await dispatcher.dispatch(itemIds.map((id) => evaluateItemMessage(id)))
  await wait()
  const done = performance.now()
  const final = await env.jobs.get(env.tenant.id, job.id)
  if (final?.status !== 'completed' || final.done !== n) throw new Error(`job not complete: ${JSON.stringify(final)}`)
  const { rows } = await env.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM equivalence_results WHERE request_id LIKE $1', [`batch:${job.id}:%`])
  if (rows[0]!.n !== n) throw new Error(`expected ${n} results, found ${rows[0]!.n}`)
  return { acceptSeconds: (accepted - t0) / 1000, processSeconds: (done - accepted) / 1000 }
}

function report(name: string, n: number, r: { acceptSeconds: number; processSeconds: number }, detail: string) {
  console.log(
    `${name.padEnd(11)} items=${n} ${detail} accept=${r.acceptSeconds.toFixed(2)}s ` +
      `accepted→persisted=${r.processSeconds.toFixed(2)}s items_per_second=${Math.round(n / r.processSeconds)} ` +
      `load=${loadavg()[0]!.toFixed(1)}`,
  )
}

async function inProcess(): Promise<void> {
  const env = await setUp()
  try {
    const { dispatcher } = createEmbeddedJobs({
      services: env.services,
      callbackSigningSecret: env.salt,
      concurrency,
      sweepEveryMs: null,
      recoverAtStart: false,
    })
    const r = await run(env, items, dispatcher, () => dispatcher.idle())
    report('in-process', items, r, `concurrency=${concurrency} batch=25`)
  } finally {
    await env.database.drop()
  }
}

async function viaQStash(): Promise<void> {
  const env = await setUp()
  const standIn = await startQStashStandIn({ maxInFlight: parallelism })
  const late: { app?: Hono } = {}
  const server = await listen((request) => late.app!.fetch(request))
  try {
    const dispatcher = createQStashDispatcher({
      client: new Client({ baseUrl: standIn.url, token: standIn.token }),
      workerUrl: server.url,
      parallelism,
    })
    const runtime = createJobRuntime({ services: env.services, dispatcher, callbackSigningSecret: env.salt })
    late.app = createWorkerApp({
      handlers: runtime.handlers,
      receiver: new Receiver({ currentSigningKey: standIn.currentSigningKey, nextSigningKey: standIn.nextSigningKey }),
      publicUrl: server.url,
      metrics: runtime.metrics,
    })
    const r = await run(env, httpItems, dispatcher, () => standIn.idle())
    report('qstash+http', httpItems, r, `worker_parallelism=${parallelism} (1 process)`)
  } finally {
    await standIn.close()
    await server.close()
    await env.database.drop()
  }
}

await inProcess()
if (httpItems > 0) await viaQStash()
process.exit(0)

