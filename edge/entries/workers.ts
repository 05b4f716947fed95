import { AsyncLocalStorage } from 'node:async_hooks'
import { createDatabase } from '../../db/client'
import { type App, createApp } from '../app'
import { type Config, ConfigError, parseConfig } from '../config'
import { createLogger } from '../lib/logger'
import { noopMetrics } from '../lib/metrics-port'
import { createRateLimiter, createRedis, redisPing } from '../runtime'
import type { Store } from '../store'
import { createDbStore } from '../store-db'

/**
 * Cloudflare Workers entry. Config is parsed from the bindings once per isolate; the app, key
 * cache, rate limiter and metrics live as long as the isolate. Database connections cannot: a
 * Worker may not use one request's socket in another, so each request opens its own Neon handle
 * (HTTP for single statements, a WebSocket only if it runs a transaction) and closes it in
 * `waitUntil` after answering. Handlers reach it through a request-scoped Store.
 */

type Env = Record<string, unknown>
type ExecutionContext = { waitUntil(promise: Promise<unknown>): void; passThroughOnException(): void; props: unknown }

const requestStore = new AsyncLocalStorage<Store>()

/** Delegates every call to the Store of the request being served. */
const scopedStore = new Proxy({} as Store, {
  get: (_, method: keyof Store) => {
    return (...args: unknown[]) => {
      const store = requestStore.getStore()
      if (!store) throw new Error('no request-scoped store')
      return (store[method] as (...a: unknown[]) => unknown)(...args)
    }
  },
})

let isolate: { env: Env; config: Config; app: App } | undefined

function boot(env: Env): { config: Config; app: App } {
  if (isolate?.env === env) return isolate
  const config = parseConfig(env, { driver: 'neon' })
  const logger = createLogger(config.LOG_LEVEL)
  const metrics = noopMetrics
  const redis = createRedis(config)
  const app = createApp({
    config,
    store: scopedStore,
    limiter: createRateLimiter(config, { redis, logger, metrics }),
    metrics,
    logger,
    pingRedis: redisPing(redis),
  })
  isolate = { env, config, app }
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
      return await requestStore.run(createDbStore(handle.db, config.API_KEY_SALT!), () => app.fetch(request, env, ctx))
    } finally {
      ctx.waitUntil(handle.close())
    }
  },

  /**
   * Cron triggers (wrangler.toml `[triggers]`). The worker/ engineer wires the sweeper here:
   * re-dispatch job items whose lease expired (DESIGN §6).
   */
  async scheduled(_controller: unknown, env: Env, _ctx: ExecutionContext): Promise<void> {
    try {
      boot(env)
    } catch (err) {
      if (err instanceof ConfigError) return void misconfigured(err)
      throw err
    }
  },
}
