import { Client, Receiver } from '@upstash/qstash'
import type { Hono } from 'hono'
import { randomUUID } from 'node:crypto'
import { createJobItemsRepository } from '../../db/repositories/job-items'
import { createJobsRepository } from '../../db/repositories/jobs'
import { createTenantsRepository } from '../../db/repositories/tenants'
import { createMemoryMappingCache } from '../../engine/index'
import { createQStashDispatcher } from '../../jobs/dispatchers/qstash'
import { evaluateItemMessage, type BatchItemPayload } from '../../jobs/messages'
import type { JobStore } from '../../jobs/ports'
import { createJobRuntime, type JobRuntime } from '../../jobs/runtime'
import type { JobDispatcher } from '../../jobs/types'
import { createServiceContext } from '../../services/context'
import { createVersionCache } from '../../services/resolve-versions'
import { createWorkerApp } from '../../worker/server'
import { listen, type Listening } from '../harness/listen'
import { createTestDatabase } from '../harness/postgres'
import { startQStashStandIn, type QStashStandIn, type QStashStandInOptions } from '../harness/qstash'

/** An evaluate request of our own making; `i` varies the text so results differ. */
export function batchRequest(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    origem: {
      nome: `Cálculo Diferencial ${i}`,
      carga_horaria: 60 + (i % 40),
      ementa:
        `Funções reais de uma variável. Limites e continuidade. Derivadas e aplicações (turma ${i}). ` +
        'Regra da cadeia. Máximos e mínimos. Integral indefinida. Teorema fundamental do cálculo.',
      ano_conclusao: 2015 + (i % 10),
    },
    destino: {
      nome: 'Cálculo I',
      carga_horaria: 72,
      ementa:
        'Limites. Continuidade. Derivadas: definição, regras de derivação, aplicações. ' +
        'Integrais: definida e indefinida; teorema fundamental do cálculo; técnicas de integração.',
    },
    ...overrides,
  }
}

export const batchPayload = (i: number, overrides: Record<string, unknown> = {}): BatchItemPayload => ({
  request: batchRequest(i, overrides),
  role: 'api-client',
})

/** Polls `check` until it holds (waiting, not a timed assertion: the test's own timeout bounds it). */
export async function waitFor(check: () => Promise<boolean>, pollMs = 50): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, pollMs))
}

/** A fresh database with one tenant, the job repository and counting helpers. */
export async function createJobsFixture(options: { poolSize?: number } = {}) {
  const database = await createTestDatabase({ poolSize: options.poolSize ?? 12 })
  const salt = `test-salt-${randomUUID()}`
  // What the job handlers evaluate under, built as the entries build it.
  const services = createServiceContext(database.db, { apiKeySalt: salt, versions: createVersionCache(5_000), mappingCache: createMemoryMappingCache() })
  const tenant = await createTenantsRepository(database.db).create({ slug: `t-${randomUUID().slice(0, 8)}`, name: 'Universidade Teste' })
  const jobs = createJobsRepository(database.db)
  const jobItems = createJobItemsRepository(database.db)

  const createJob = (payloads: BatchItemPayload[], callbackUrl: string | null = null) =>
    jobs.create(tenant.id, { payloads, callbackUrl, createdByKeyId: null })

  /** Everything the exactly-once assertions look at, read straight from Postgres. */
  async function snapshot(jobId: string) {
    const job = await jobs.get(tenant.id, jobId)
    const { rows } = await database.pool.query<{ results: number; items_with_result: number; distinct_results: number }>(
      `SELECT (SELECT count(*)::int FROM equivalence_results WHERE request_id LIKE $1) AS results,
              (SELECT count(*)::int FROM job_items WHERE job_id = $2 AND result_id IS NOT NULL) AS items_with_result,
              (SELECT count(DISTINCT result_id)::int FROM job_items WHERE job_id = $2) AS distinct_results`,
      [`batch:${jobId}:%`, jobId],
    )
    const byStatus = await database.pool.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM job_items WHERE job_id = $1 GROUP BY status',
      [jobId],
    )
    return { job, ...rows[0]!, items: Object.fromEntries(byStatus.rows.map((r) => [r.status, r.n])) as Record<string, number> }
  }

  const totalResults = async () =>
    (await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM equivalence_results')).rows[0]!.n

  return { database, salt, services, tenant, jobs, jobItems, createJob, snapshot, totalResults, close: () => database.drop() }
}

export type JobsFixture = Awaited<ReturnType<typeof createJobsFixture>>

/**
 * The worker's real HTTP server on a loopback port, fed by the QStash stand-in through the official
 * Client, verifying deliveries with the official Receiver.
 */
export async function startQStashWorker(
  fixture: JobsFixture,
  options: {
    standIn?: QStashStandInOptions
    /** Reuse a running stand-in (and leave it running on close). */
    existingStandIn?: QStashStandIn
    leaseMs?: number
    retries?: number
    parallelism?: number
    port?: number
    wrapJobStore?: (store: JobStore) => JobStore
  } = {},
) {
  const standIn: QStashStandIn = options.existingStandIn ?? (await startQStashStandIn({ retryDelayMs: () => 20, ...options.standIn }))
  const client = new Client({ baseUrl: standIn.url, token: standIn.token, retry: false })
  // The app needs the server's URL (signatures name it), the server needs the app: a late binding.
  const late: { app?: Hono } = {}
  const server: Listening = await listen((request) => late.app!.fetch(request), options.port)
  const dispatcher: JobDispatcher = createQStashDispatcher({
    client,
    workerUrl: server.url,
    retries: options.retries ?? 2,
    parallelism: options.parallelism ?? 8,
  })
  const runtime: JobRuntime = createJobRuntime({
    services: fixture.services,
    dispatcher,
    callbackSigningSecret: fixture.salt,
    leaseMs: options.leaseMs ?? 30_000,
    callbackRetryDelaysMs: [20, 40],
    wrapJobStore: options.wrapJobStore,
  })
  late.app = createWorkerApp({
    handlers: runtime.handlers,
    receiver: new Receiver({ currentSigningKey: standIn.currentSigningKey, nextSigningKey: standIn.nextSigningKey }),
    publicUrl: server.url,
    metrics: runtime.metrics,
  })
  const dispatchJob = (itemIds: readonly string[]) => dispatcher.dispatch(itemIds.map((id) => evaluateItemMessage(id)))
  /** Waits until QStash has nothing in flight and no job callback is being delivered. */
  const settle = async () => {
    await standIn.idle()
    await runtime.notifier.idle()
  }
  return {
    standIn,
    client,
    server,
    dispatcher,
    runtime,
    dispatchJob,
    settle,
    close: async () => {
      if (!options.existingStandIn) await standIn.close()
      await server.close()
    },
  }
}
