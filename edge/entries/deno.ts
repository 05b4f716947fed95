import { createDatabase } from '../../db/client'
import { createApp } from '../app'
import { ConfigError, parseConfig } from '../config'
import { createLogger } from '../../services/logger'
import { createMetrics } from '../lib/metrics'
import { createRateLimiter, createRedis, redisPing } from '../runtime'
import { createEdgeSemantic } from '../semantic'

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
const semantic = createEdgeSemantic(config, { redis, metrics })
const database = await createDatabase({
  url: config.DATABASE_URL,
  driver: config.DATABASE_DRIVER,
  poolSize: config.DATABASE_POOL_SIZE,
  neon: { fetchEndpoint: config.NEON_FETCH_ENDPOINT, wsProxy: config.NEON_WS_PROXY, secure: config.NEON_SECURE },
})
const app = createApp({
  config,
  db: database.db,
  semantic,
  limiter: createRateLimiter(config, { redis, logger, metrics }),
  metrics,
  logger,
  pingRedis: redisPing(redis),
})

Deno.serve({ port: config.PORT, hostname: config.HOST, onListen: ({ port }) => console.log(`Equivalence Engine (Deno) listening on port ${port}`) }, app.fetch)
