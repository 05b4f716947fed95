import { Client } from '@upstash/qstash'
import { createDatabase } from '../../db/client'
import { deriveCallbackSecret } from '../../jobs/callbacks/signature'
import { createQStashDispatcher } from '../../jobs/dispatchers/qstash'
import type { JobDispatcher } from '../../jobs/types'
import { createLogger } from '../../services/logger'
import { type App, createApp } from '../app'
import { type Config, ConfigError, parseConfig } from '../config'
import { workersDocsAssets } from '../docs/assets-workers'
import { createIsolateMetrics } from '../lib/isolate-metrics'
import { createRateLimiter, createRedis, redisPing } from '../runtime'
import { createEdgeSemantic } from '../semantic'

/**
 * Cloudflare Workers entry. Config is parsed from the bindings once per isolate; the app, key
 * cache, version cache, rate limiter and metrics live as long as the isolate. Database connections
 * cannot: a Worker may not use one request's socket in another, so each request opens its own Neon
 * handle (HTTP for single statements, a WebSocket only if it runs a transaction), hands it to the
 * app as `env.db` (the init middleware builds the request's repositories over it) and closes it in
 * `waitUntil` after answering.
 */

type Env = Record<string, unknown>
type ExecutionContext = { waitUntil(promise: Promise<unknown>): void; passThroughOnException(): void; props: unknown }

let isolate: { env: Env; config: Config; app: App; dispatcher?: JobDispatcher } | undefined

function boot(env: Env): { config: Config; app: App; dispatcher?: JobDispatcher } {
  if (isolate?.env === env) return isolate
  const config = parseConfig(env, { driver: 'neon' })
  // Batch jobs need somewhere to run: QStash → the worker containers. Without it the routes are absent.
  const dispatcher =
    config.QSTASH_TOKEN && config.WORKER_URL
      ? createQStashDispatcher({ client: new Client({ baseUrl: config.QSTASH_URL, token: config.QSTASH_TOKEN }), workerUrl: config.WORKER_URL, apiUrl: config.API_URL })
      : undefined
  const logger = createLogger(config.LOG_LEVEL)
  // Per isolate: a scrape sees one isolate's counters (Cloudflare spreads requests over many), with
  // the same names and routes as Node and Deno.
  const metrics = createIsolateMetrics()
  const redis = createRedis(config)
  const app = createApp({
    config,
    // Embeddings over fetch (EMBED_URL) or the Workers AI binding (EMBED_PROVIDER=workers-ai, binding AI).
    semantic: createEdgeSemantic(config, { redis, workersAi: env.AI }),
    limiter: createRateLimiter(config, { redis, logger, metrics }),
    metrics,
    logger,
    pingRedis: redisPing(redis),
    docsAssets: workersDocsAssets,
    batch: dispatcher
      ? { dispatcher, callbackSecret: (tenantId) => deriveCallbackSecret(config.API_KEY_SALT!, tenantId) }
      : undefined,
  })
  isolate = { env, config, app, dispatcher }
  return isolate
}

/** Bad bindings: a fixed code, nothing about values (they may be secrets). */
function misconfigured(err: ConfigError): Response {
  console.error(JSON.stringify({ level: 'error', msg: 'invalid configuration', keys: err.issues.map((i) => i.key) }))
  return Response.json({ detail: 'Service misconfigured', code: 'CONFIG_INVALID' }, { status: 500 })
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    let booted
    try {
      booted = boot(env)
    } catch (err) {
      if (err instanceof ConfigError) return misconfigured(err)
      throw err
    }
    const { config, app } = booted
    const handle = await createDatabase({
      url: config.DATABASE_URL,
      driver: 'neon',
      poolSize: 1,
      neon: { fetchEndpoint: config.NEON_FETCH_ENDPOINT, wsProxy: config.NEON_WS_PROXY, secure: config.NEON_SECURE },
    })
    try {
      return await app.fetch(request, { ...env, db: handle.db }, ctx)
    } finally {
      ctx.waitUntil(handle.close())
    }
  },

  /**
   * Cron triggers (wrangler.toml `[triggers]`): the sweeper tick (DESIGN §6). The sweep itself runs
   * on a worker container — it re-dispatches through QStash anyway — so the isolate only publishes
   * a signed `sweep` message, like the QStash schedule does.
   */
  async scheduled(_controller: unknown, env: Env, ctx: ExecutionContext): Promise<void> {
    let booted
    try {
      booted = boot(env)
    } catch (err) {
      if (err instanceof ConfigError) return void misconfigured(err)
      throw err
    }
    if (booted.dispatcher) ctx.waitUntil(booted.dispatcher.dispatch([{ route: 'sweep', body: {} }]))
  },
}
