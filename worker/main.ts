import { Client, Receiver } from '@upstash/qstash'
import { createDatabase } from '../db/client'
import { createMemoryMappingCache } from '../engine/index'
import { createQStashDispatcher, scheduleSweeper } from '../jobs/dispatchers/qstash'
import type { JobStore } from '../jobs/ports'
import { createJobRuntime } from '../jobs/runtime'
import { createSemanticServices } from '../services/ai/index'
import { createServiceContext } from '../services/context'
import { createLogger } from '../services/logger'
import { createVersionCache } from '../services/resolve-versions'
import type { WorkerConfig } from './config'
import { createWorkerApp } from './server'
import { serve } from '@hono/node-server'

export interface RunningWorker {
  url: string
  stop(): Promise<void>
}

/**
 * Boots the containerized worker: Postgres, the QStash client (for re-dispatches by the sweeper),
 * the Receiver with both signing keys, and the HTTP server. `wrapJobStore` exists for fault
 * injection in tests (a worker that dies holding a lease).
 */
export async function startWorker(
  config: WorkerConfig,
  options: { wrapJobStore?: (store: JobStore) => JobStore; scheduleSweep?: boolean } = {},
): Promise<RunningWorker> {
  const logger = createLogger(config.LOG_LEVEL)
  const database = await createDatabase({ url: config.DATABASE_URL, driver: config.DATABASE_DRIVER })
  const client = new Client({ baseUrl: config.QSTASH_URL, token: config.QSTASH_TOKEN })
  const dispatcher = createQStashDispatcher({
    client,
    workerUrl: config.WORKER_URL,
    apiUrl: config.API_URL,
    retries: config.JOB_RETRIES,
    parallelism: config.WORKER_PARALLELISM,
  })
  // Embeddings / LLM for batch items and the taxonomy index when EMBED_URL is set (vectors in Postgres).
  const semantic = createSemanticServices(config, {})
  const runtime = createJobRuntime({
    services: createServiceContext(database.db, {
      apiKeySalt: config.API_KEY_SALT,
      // The items of one batch mostly share their versions; a few seconds of staleness is the edge's too.
      versions: createVersionCache(10_000),
      mappingCache: createMemoryMappingCache(),
      semantic,
    }),
    dispatcher,
    callbackSigningSecret: config.API_KEY_SALT,
    callbackAllowPrivateNetworks: config.CALLBACK_ALLOW_PRIVATE_NETWORKS,
    embedder: semantic?.indexEmbedder,
    leaseMs: config.JOB_LEASE_SECONDS * 1000,
    sweep: { lostAfterMs: config.JOB_LOST_AFTER_SECONDS * 1000 },
    wrapJobStore: options.wrapJobStore,
    log: (message, fields) => logger.warn(message, fields),
  })
  const app = createWorkerApp({
    handlers: runtime.handlers,
    receiver: new Receiver({
      currentSigningKey: config.QSTASH_CURRENT_SIGNING_KEY,
      nextSigningKey: config.QSTASH_NEXT_SIGNING_KEY,
    }),
    publicUrl: config.WORKER_URL,
    metrics: runtime.metrics,
    logger,
  })
  if (config.SWEEP_CRON && options.scheduleSweep !== false) {
    // Idempotent (fixed schedule id); a failure here must not keep the worker from serving.
    await scheduleSweeper(client, config.WORKER_URL, config.SWEEP_CRON).catch((err: unknown) =>
      logger.warn('could not create the sweeper schedule', { error: err instanceof Error ? err.message : String(err) }),
    )
  }
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: '0.0.0.0' })
  logger.info('worker listening', { port: config.PORT, public_url: config.WORKER_URL })
  return {
    url: `http://127.0.0.1:${config.PORT}`,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await runtime.notifier.idle()
      await database.close()
    },
  }
}
