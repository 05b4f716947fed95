import type { Database } from '../db/client'
import type { findKeyForAuth } from '../db/repositories/api-keys'
import type { ConceptMapper, MappingCache } from '../engine/index'
import type { SemanticServices } from '../services/ai/index'
import type { ServiceContext } from '../services/context'
import type { Logger } from '../services/logger'
import type { VersionCache } from '../services/resolve-versions'
import type { JobDispatcher } from '../jobs/types'
import type { Config } from './config'
import type { KeyCache } from './lib/key-cache'
import type { Metrics } from './lib/metrics-port'
import type { RateLimiter } from './ratelimit/types'

export type { Role } from '../services/resolve-versions'

/** A key as authentication sees it (db/repositories/api-keys.ts `findKeyForAuth`), with its stored hash. */
export type AuthRecord = NonNullable<Awaited<ReturnType<typeof findKeyForAuth>>>
export type Tenant = AuthRecord['tenant']
export type ApiKeyRecord = AuthRecord['key']

/** What the batch, job and dead-letter routes need beyond the repositories. */
export interface BatchServices {
  /** QStash towards the worker containers, or the in-process dispatcher of jobs/embedded.ts. */
  dispatcher: JobDispatcher
  /** The tenant's job-callback signing secret (jobs/callbacks/signature.ts). */
  callbackSecret: (tenantId: string) => Promise<string>
  /** Largest batch accepted. @default 10000 */
  maxItems?: number
}

/** Everything a handler may use beyond the request's ServiceContext; built once per app (per isolate on Workers). */
export type Services = {
  config: Config
  limiter: RateLimiter
  keyCache: KeyCache
  metrics: Metrics
  logger: Logger
  /** Concept mapper shared by all requests; engine default when absent. */
  mapper?: ConceptMapper
  /** Mapping results by (text hash, mapper version, taxonomy version), shared across requests. */
  mappingCache: MappingCache
  /** The semantic tier (services/ai), when EMBED_URL or a Workers AI binding is configured. */
  semantic?: SemanticServices | null
  /** The one version cache (services/resolve-versions.ts), shared across requests. */
  versions: VersionCache
  /** Wall clock; injected so tests can pin dates. */
  clock: () => Date
  /** HMAC-SHA256 of a plaintext API key under API_KEY_SALT, hex. */
  hashApiKey: (plaintext: string) => Promise<string>
  /** Round trip to Redis for /ready; absent when no Redis is configured. */
  pingRedis?: () => Promise<void>
  /** Batch jobs; without them the batch, job and dead-letter routes are absent. */
  batch?: BatchServices
}

/** Fields the handler adds to the request's access-log line (never secrets or syllabus text). */
export type LogFields = { decision?: string; degraded?: boolean; replay?: boolean }

export type AppEnv = {
  /** The Workers entry hands each request its own database handle here (edge/entries/workers.ts). */
  Bindings: { db?: Database }
  Variables: {
    requestId: string
    traceId: string
    services: Services
    /** The request's repositories and caches: what service verbs get as `ctx` (edge/middleware/init.ts). */
    ctx: ServiceContext
    logger: Logger
    tenant: Tenant
    apiKey: ApiKeyRecord
    logFields: LogFields
    errorKind: string
  }
}
