import { cors } from 'hono/cors'
import { secureHeaders } from 'hono/secure-headers'
import type { Database } from '../db/client'
import { createMemoryMappingCache } from '../engine/index'
import { FAILURE_CALLBACK_PATH } from '../jobs/dispatchers/qstash'
import { MAX_FAILURE_CALLBACK_BYTES } from '../jobs/dispatchers/qstash-failure'
import { buildTaxonomyIndexMessage } from '../jobs/messages'
import { createLogger, type Logger } from '../services/logger'
import { createVersionCache, type VersionCache } from '../services/resolve-versions'
import type { Config } from './config'
import type { BatchServices, Services } from './context'
import { ApiError, handleError } from './errors'
import { createKeyHasher } from './lib/api-key'
import { KeyCache } from './lib/key-cache'
import { type Metrics, noopMetrics } from './lib/metrics-port'
import { authenticate } from './middleware/auth'
import { bodyLimit } from './middleware/body-limit'
import { serviceContextFor } from './middleware/init'
import { defaultToJson } from './middleware/json-by-default'
import { refuseUnsafeText } from './middleware/safe-text'
import { requestContext } from './middleware/request-context'
import { MemoryRateLimiter } from './ratelimit/memory'
import { type RateLimiter, unlimited } from './ratelimit/types'
import { registerConsole } from './console/index'
import { registerAdminRoutes } from './routes/admin/index'
import { registerCalibrationRoutes } from './routes/calibrations/index'
import type { DocsAssets } from './docs/assets'
import { BATCH_PATHS } from './routes/equivalences/batch'
import { registerEquivalenceRoutes } from './routes/equivalences/index'
import { registerJobRoutes } from './routes/jobs/index'
import { type App, createOpenApiApp } from './routes/openapi'
import { withExamples } from './routes/openapi-examples'
import { registerResultRoutes } from './routes/results/index'
import { registerReviewRoutes } from './routes/review/index'
import { registerDocs } from './routes/system/docs'
import { registerHealth } from './routes/system/health'
import { registerMetrics } from './routes/system/metrics'
import { registerReady } from './routes/system/ready'

export type { App } from './routes/openapi'
export type { AppEnv, Services } from './context'

/** What a runtime entry hands the app; everything but config (and a database) has a default. */
export type AppDeps = {
  config: Config
  /**
   * The database every request uses (Node, Deno, tests). Absent: each request brings its own as
   * `env.db` (the Workers entry), and the repositories are built per request.
   */
  db?: Database
  /** @default a cache of VERSION_CACHE_TTL_MS (the Node entry shares it with the embedded jobs) */
  versions?: VersionCache
  /** @default MemoryRateLimiter (or none when RATE_LIMIT_ENABLED=false) */
  limiter?: RateLimiter
  /** @default noopMetrics (the Node and Deno entries pass Prometheus metrics) */
  metrics?: Metrics
  logger?: Logger
  clock?: () => Date
  pingRedis?: () => Promise<void>
  mapper?: Services['mapper']
  /** The semantic tier (edge/semantic.ts); absent = lexical mapping. */
  semantic?: Services['semantic']
  /** @default an in-memory cache of 10,000 mappings */
  mappingCache?: Services['mappingCache']
  /** Lets a caller (tests, the Workers entry) keep one cache across app instances. */
  keyCache?: KeyCache
  /** Batch jobs (QStash, or jobs/embedded.ts on Node); without it the batch and job routes are absent. */
  batch?: BatchServices
  /**
   * Swagger UI's files for `/docs` (edge/docs/): read from node_modules on Node and Deno, bundled
   * on Workers. @default none (the page is served, its assets are 404)
   */
  docsAssets?: DocsAssets
}

export function createServices(deps: AppDeps): Services {
  const { config } = deps
  if (!config.API_KEY_SALT) throw new Error('API_KEY_SALT must be resolved before the app is created')
  return {
    config,
    versions: deps.versions ?? createVersionCache(config.VERSION_CACHE_TTL_MS),
    limiter: config.RATE_LIMIT_ENABLED ? (deps.limiter ?? new MemoryRateLimiter()) : unlimited,
    keyCache: deps.keyCache ?? new KeyCache(config.API_KEY_CACHE_TTL_MS),
    metrics: deps.metrics ?? noopMetrics,
    logger: deps.logger ?? createLogger(config.LOG_LEVEL),
    clock: deps.clock ?? (() => new Date()),
    hashApiKey: createKeyHasher(config.API_KEY_SALT),
    pingRedis: deps.pingRedis,
    mapper: deps.mapper,
    semantic: deps.semantic ?? null,
    mappingCache: deps.mappingCache ?? createMemoryMappingCache(),
    batch: deps.batch,
  }
}

/** The one Hono app every runtime serves. */
export function createApp(deps: AppDeps): App {
  const services = createServices(deps)
  const { config } = services
  const app = createOpenApiApp()

  app.onError(handleError)
  app.notFound((c) => {
    c.set('errorKind', 'NOT_FOUND')
    return c.json({ detail: 'Not Found' }, 404)
  })

  app.use('*', requestContext(services))
  app.use('*', services.metrics.registerMetrics)
  app.use('*', secureHeaders({ crossOriginResourcePolicy: 'same-origin' }))
  if (config.CORS_ORIGINS.length) {
    app.use('*', cors({ origin: config.CORS_ORIGINS, allowHeaders: ['X-API-Key', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'] }))
  }
  // A batch carries up to 10,000 syllabus pairs, so it gets its own, larger limit.
  const limitBody = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError('PAYLOAD_TOO_LARGE', `Request body larger than ${maxSize} bytes`)
      },
    })
  const defaultBodyLimit = limitBody(config.BODY_LIMIT_BYTES)
  const batchBodyLimit = limitBody(config.BATCH_BODY_LIMIT_BYTES)
  // QStash's failure callbacks (POST /jobs/failure/{tenant}) are bounded as tightly as the workers' deliveries.
  const jobBodyLimit = limitBody(MAX_FAILURE_CALLBACK_BYTES)
  app.use('*', (c, next) =>
    BATCH_PATHS.has(c.req.path)
      ? batchBodyLimit(c, next)
      : c.req.path.startsWith(`${FAILURE_CALLBACK_PATH}/`)
        ? jobBodyLimit(c, next)
        : defaultBodyLimit(c, next),
  )

  // One layer for three steps (each async middleware layer costs every request a few µs):
  // the request's ServiceContext (middleware/init.ts; only auth and the routes read it), a body
  // without Content-Type read as JSON (middleware/json-by-default.ts), and the text check:
  // NUL and unpaired surrogates are a 422 naming the field before any route (or Postgres) sees them;
  // the /v1 batch fails such items one by one instead.
  // The /v2 batch checks its items itself, in slices (routes/equivalences/batch.ts): 10,000 of them
  // walked at once would hold the event loop.
  const setServiceContext = serviceContextFor(services, deps.db)
  const checkText = refuseUnsafeText({ itemsFailAlone: [...BATCH_PATHS].map((path) => ({ path, field: 'items' })) })
  app.use('*', (c, next) => {
    setServiceContext(c)
    defaultToJson(c)
    return checkText(c, next)
  })

  // Public: probes, metrics, documentation.
  registerHealth(app)
  registerReady(app)
  registerMetrics(app)

  registerDocs(app, deps.docsAssets ?? { read: async () => null })

  // Everything under /v1, /v2 and /admin needs a key; roles and rate-limit groups are set per route.
  app.use('/v1/*', authenticate)
  app.use('/v2/*', authenticate)
  app.use('/admin/*', authenticate)
  // Each resource folder registers its own routes; the batch tier's are absent without one.
  const batch = deps.batch
  registerEquivalenceRoutes(app, batch)
  registerResultRoutes(app)
  if (batch) registerJobRoutes(app)
  registerAdminRoutes(app, {
    batch,
    // With a batch tier, activating a taxonomy queues its embedding-index build at once.
    taxonomies: batch
      ? { onActivated: (tenantId, version) => batch.dispatcher.dispatch([buildTaxonomyIndexMessage(tenantId, version)]) }
      : {},
  })

  // The human loop (issue 15): /v2 reads of results, reviews and precedents; the review console.
  registerReviewRoutes(app, { jobs: Boolean(batch) })
  // Model threshold calibration from reviews (issue 13): /v2/admin/calibrations.
  registerCalibrationRoutes(app)
  registerConsole(app)

  app.openAPIRegistry.registerComponent('securitySchemes', 'ApiKeyAuth', { type: 'apiKey', in: 'header', name: 'X-API-Key' })
  const documentConfig = {
    openapi: '3.1.0',
    info: {
      title: 'Equivalence Engine',
      version: '1.0.0',
      description: 'Decides whether a taken course (origem) can be credited as a target course (destino).',
    },
  }
  // Built once (routes are all registered by now), with an example on every route (routes/openapi-examples.ts).
  let document: unknown
  app.get('/openapi.json', (c) => c.json((document ??= withExamples(app.getOpenAPI31Document(documentConfig))) as object))
  return app
}
