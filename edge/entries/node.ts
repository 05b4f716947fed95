import { serve } from '@hono/node-server'
import { join } from 'node:path'
import { createDatabase } from '../../db/client'
import { createApp } from '../app'
import { createFsDocsAssets } from '../docs/assets-fs'
import { ConfigError, parseConfig } from '../config'
import { createMetrics } from '../lib/metrics'
import { createRateLimiter, createRedis, redisPing } from '../runtime'
import { createEdgeSemantic } from '../semantic'
import { createPromAiMetrics } from '../lib/ai-metrics'
import { loadOrCreateSalt, writeDemoKeysFile } from '../../db/local-files'
import { demoKeysFromEnv, seedDemo } from '../../db/seed'
import { createMemoryMappingCache } from '../../engine/index'
import { Client } from '@upstash/qstash'
import { deriveCallbackSecret } from '../../jobs/callbacks/signature'
import { createQStashDispatcher } from '../../jobs/dispatchers/qstash'
import { createEmbeddedJobs } from '../../jobs/embedded'
import type { JobDispatcher } from '../../jobs/types'
import { createServiceContext } from '../../services/context'
import { createLogger } from '../../services/logger'
import { createVersionCache } from '../../services/resolve-versions'

/**
 * `npm start`. With no env this is the embedded default: PGlite in .data/, migrated on open, demo
 * data on the first start, in-memory rate limits. With DATABASE_URL it is the container server
 * (node-postgres; migrations are a deploy step: `npm run db:migrate`).
 */
async function main(): Promise<void> {
  let config
  try {
    config = parseConfig(process.env)
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(1)
    }
    throw err
  }
  const logger = createLogger(config.LOG_LEVEL)
  const embedded = config.DATABASE_DRIVER === 'pglite'
  const dataDir = join(config.PGLITE_DIR, '..')
  const salt = config.API_KEY_SALT ?? (await loadOrCreateSalt(dataDir))
  config = { ...config, API_KEY_SALT: salt }

  const database = await createDatabase({ url: config.DATABASE_URL, driver: config.DATABASE_DRIVER, pgliteDir: config.PGLITE_DIR, poolSize: config.DATABASE_POOL_SIZE })
  // The demo seed is idempotent and runs on every start of the embedded default, and on a server
  // database whenever a demo key is given in the env: changing ADMIN_API_KEY / AUDITOR_API_KEY /
  // CLIENT_API_KEY rotates that key, as the replaced service did.
  const envKeys = demoKeysFromEnv(process.env)
  if (embedded || Object.keys(envKeys).length > 0) {
    const { generated, rotated } = await seedDemo(database.db, { salt, keys: envKeys })
    const keysFile = embedded ? join(dataDir, 'demo-keys.json') : null
    if (keysFile && (Object.keys(generated).length > 0 || rotated.length > 0)) {
      await writeDemoKeysFile(keysFile, { generated, replaced: rotated })
    }
    for (const role of rotated) console.log(`Demo ${role} key set from the environment.`)
    for (const [role, key] of Object.entries(generated)) console.log(`Demo ${role} key (new; shown only now): ${key}`)
    if (keysFile) console.log(`Demo keys: ${keysFile}`)
  }

  const metrics = createMetrics({ defaultMetrics: true })
  const redis = createRedis(config)
  // Embeddings / LLM when EMBED_URL is set (the API and the embedded jobs share it); else lexical.
  const semantic = createEdgeSemantic(config, { redis, aiMetrics: createPromAiMetrics(metrics.registry) })
  // One version cache and one mapping cache for the API and the embedded jobs alike.
  const versions = createVersionCache(config.VERSION_CACHE_TTL_MS)
  const mappingCache = createMemoryMappingCache()
  // Batch jobs: published to QStash for the worker containers when configured, else run in this
  // process (jobs/embedded.ts).
  let dispatcher: JobDispatcher
  let stopJobs = async () => undefined as void
  if (config.QSTASH_TOKEN && config.WORKER_URL) {
    const client = new Client({ baseUrl: config.QSTASH_URL, token: config.QSTASH_TOKEN })
    dispatcher = createQStashDispatcher({ client, workerUrl: config.WORKER_URL, apiUrl: config.API_URL })
  } else {
    const embedded = createEmbeddedJobs({
      services: createServiceContext(database.db, { apiKeySalt: salt, versions, mappingCache, semantic }),
      // The taxonomy index is built with the provider the mapper reads it with (else offline vectors).
      embedder: semantic?.indexEmbedder,
      callbackSigningSecret: salt,
      callbackAllowPrivateNetworks: config.CALLBACK_ALLOW_PRIVATE_NETWORKS,
      sweep: { lostAfterMs: config.JOB_LOST_AFTER_SECONDS * 1000 },
      leaseMs: config.JOB_LEASE_SECONDS * 1000,
      sweepEveryMs: config.JOB_SWEEP_SECONDS * 1000,
      // PGlite runs every query on this thread, one at a time: deliveries in parallel only make the
      // stretches the event loop is held longer (and the batch slower); one at a time keeps /health
      // and the other requests answered between them. Server Postgres gets the default 4.
      concurrency: database.driver === 'pglite' ? 1 : undefined,
      // ...and 10 items a commit (a 25-item commit is one ~30–60 ms statement there).
      batchSize: database.driver === 'pglite' ? 10 : undefined,
      log: (message, fields) => logger.warn(message, fields),
    })
    dispatcher = embedded.dispatcher
    stopJobs = embedded.stop
  }
  const app = createApp({
    config,
    db: database.db,
    versions,
    mappingCache,
    semantic,
    batch: { dispatcher, callbackSecret: (tenantId) => deriveCallbackSecret(salt, tenantId) },
    limiter: createRateLimiter(config, { redis, logger, metrics }),
    metrics,
    logger,
    pingRedis: redisPing(redis),
    docsAssets: createFsDocsAssets(),
  })

  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    console.log(`Equivalence Engine listening on http://localhost:${info.port} (docs: /docs, review console: /console, database: ${database.driver})`)
  })
  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal })
    server.close(() => {
      void stopJobs()
        .then(() => database.close())
        .finally(() => process.exit(0))
    })
    setTimeout(() => process.exit(0), 10_000).unref()
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}

main().catch((err: unknown) => {
  console.error('failed to start:', err instanceof Error ? err.message : err)
  process.exit(1)
})
