import { createDatabase } from '../../db/client'
import { Client } from '@upstash/qstash'
import { deriveCallbackSecret } from '../../jobs/callbacks/signature'
import { createQStashDispatcher } from '../../jobs/dispatchers/qstash'
import { createEmbeddedJobs } from '../../jobs/embedded'
import type { JobDispatcher } from '../../jobs/types'
import { createServiceContext } from '../../services/context'
import { createVersionCache } from '../../services/resolve-versions'
import { createApp } from '../app'
import { createFsDocsAssets } from '../docs/assets-fs'
import { ConfigError, parseConfig } from '../config'
import { createLogger } from '../../services/logger'
import { createMetrics } from '../lib/metrics'
import { createRateLimiter, createRedis, redisPing } from '../runtime'
import { createEdgeSemantic } from '../semantic'
import { createPromAiMetrics } from '../lib/ai-metrics'

/**
 * Deno entry (`deno task start`): a long-lived process like Node's, so one database pool serves
 * every request. Needs DATABASE_URL (node-postgres through Deno's npm compatibility, or Neon) and
 * API_KEY_SALT; the embedded PGlite default is the Node entry's job.
 */

// The few Deno APIs used here, typed locally so the project's tsc (Node types) checks this file.
declare const Deno: {
  env: { toObject(): Record<string, string> }
  exit(code: number): never
  serve(options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void }, handler: (req: Request) => Response | Promise<Response>): unknown
}

let config
try {
  config = parseConfig(Deno.env.toObject(), { driver: 'pg' })
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message)
    Deno.exit(1)
  }
  throw err
}
if (config.DATABASE_DRIVER === 'pglite') {
  console.error('Invalid configuration:\n  - DATABASE_URL: required under Deno (the embedded database is `npm start`)')
  Deno.exit(1)
}

const logger = createLogger(config.LOG_LEVEL)
const metrics = createMetrics()
const redis = createRedis(config)
const semantic = createEdgeSemantic(config, { redis, aiMetrics: createPromAiMetrics(metrics.registry) })
const database = await createDatabase({
  url: config.DATABASE_URL,
  driver: config.DATABASE_DRIVER,
  poolSize: config.DATABASE_POOL_SIZE,
  neon: { fetchEndpoint: config.NEON_FETCH_ENDPOINT, wsProxy: config.NEON_WS_PROXY, secure: config.NEON_SECURE },
})
// Batch jobs, as on Node: QStash towards the worker containers when configured, else in this
// long-lived process (jobs/embedded.ts).
const versions = createVersionCache(config.VERSION_CACHE_TTL_MS)
const salt = config.API_KEY_SALT!
let dispatcher: JobDispatcher
if (config.QSTASH_TOKEN && config.WORKER_URL) {
  dispatcher = createQStashDispatcher({ client: new Client({ baseUrl: config.QSTASH_URL, token: config.QSTASH_TOKEN }), workerUrl: config.WORKER_URL, apiUrl: config.API_URL })
} else {
  dispatcher = createEmbeddedJobs({
    services: createServiceContext(database.db, { apiKeySalt: salt, versions, semantic }),
    callbackSigningSecret: salt,
    callbackAllowPrivateNetworks: config.CALLBACK_ALLOW_PRIVATE_NETWORKS,
    log: (message, fields) => logger.warn(message, fields),
  }).dispatcher
}
const app = createApp({
  config,
  db: database.db,
  versions,
  semantic,
  limiter: createRateLimiter(config, { redis, logger, metrics }),
  metrics,
  logger,
  pingRedis: redisPing(redis),
  batch: { dispatcher, callbackSecret: (tenantId) => deriveCallbackSecret(salt, tenantId) },
  docsAssets: createFsDocsAssets(),
})

Deno.serve({ port: config.PORT, hostname: config.HOST, onListen: ({ port }) => console.log(`Equivalence Engine (Deno) listening on port ${port}`) }, app.fetch)
