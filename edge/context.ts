import type { ConceptMapper, MappingCache } from '../engine/index'
import type { Config } from './config'
import type { KeyCache } from './lib/key-cache'
import type { Logger } from './lib/logger'
import type { Metrics } from './lib/metrics-port'
import type { RateLimiter } from './ratelimit/types'
import type { ApiKeyRecord, Store, Tenant } from './store'

/** Everything a handler may use; built once per app (per isolate on Workers). */
export type Services = {
  config: Config
  store: Store
  limiter: RateLimiter
  keyCache: KeyCache
  metrics: Metrics
  logger: Logger
  /** Concept mapper shared by all requests (it keeps the mapping cache); engine default when absent. */
  mapper?: ConceptMapper
  /** Mapping results by (text hash, mapper version, taxonomy version), shared across requests. */
  mappingCache: MappingCache
  /** Wall clock; injected so tests can pin dates. */
  clock: () => Date
  /** HMAC-SHA256 of a plaintext API key under API_KEY_SALT, hex. */
  hashApiKey: (plaintext: string) => Promise<string>
  /** Round trip to Redis for /ready; absent when no Redis is configured. */
  pingRedis?: () => Promise<void>
}

/** Fields the handler adds to the request's access-log line (never secrets or syllabus text). */
export type LogFields = { decision?: string; degraded?: boolean; replay?: boolean }

export type AppEnv = {
  Variables: {
    requestId: string
    traceId: string
    services: Services
    logger: Logger
    tenant: Tenant
    apiKey: ApiKeyRecord
    logFields: LogFields
    errorKind: string
  }
}
