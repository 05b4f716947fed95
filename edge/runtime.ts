import { Redis } from '@upstash/redis'
import type { Config } from './config'
import type { Logger } from '../services/logger'
import type { Metrics } from './lib/metrics-port'
import { MemoryRateLimiter } from './ratelimit/memory'
import type { RateLimiter } from './ratelimit/types'
import { UpstashRateLimiter } from './ratelimit/upstash'

/** Adapters chosen by config, shared by the runtime entries (DESIGN §3). */

export function createRedis(config: Config): Redis | undefined {
  if (!config.UPSTASH_REDIS_REST_URL || !config.UPSTASH_REDIS_REST_TOKEN) return undefined
  return new Redis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    enableTelemetry: false,
    // A failed call is retried by the caller's policy (rate limits fail open), not here.
    retry: { retries: 0 },
    // A hung Redis (connections accepted, nothing answered) must not pile up requests that never
    // end: each call is aborted a while after the rate limiter has stopped waiting for it.
    signal: () => AbortSignal.timeout(redisCallTimeoutMs(config)),
  })
}

/** How long one Redis call may take before it is aborted: twice the limiter's own wait, at least 1 s. */
export const redisCallTimeoutMs = (config: Pick<Config, 'RATE_LIMIT_TIMEOUT_MS'>) => Math.max(2 * config.RATE_LIMIT_TIMEOUT_MS, 1000)

/** Upstash when configured (shared by replicas), else in-memory (one process). */
export function createRateLimiter(config: Config, deps: { redis?: Redis; logger: Logger; metrics: Metrics; prefix?: string }): RateLimiter {
  if (!deps.redis) return new MemoryRateLimiter()
  return new UpstashRateLimiter({
    redis: deps.redis,
    prefix: deps.prefix ?? 'ee:rl',
    timeoutMs: config.RATE_LIMIT_TIMEOUT_MS,
    logger: deps.logger,
  })
}

export function redisPing(redis: Redis | undefined): (() => Promise<void>) | undefined {
  return redis ? async () => void (await redis.ping()) : undefined
}
