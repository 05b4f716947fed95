import { Ratelimit } from '@upstash/ratelimit'
import type { Redis } from '@upstash/redis'
import type { Logger } from '../../services/logger'
import type { RateLimitResult, RateLimiter } from './types'

export type UpstashRateLimiterOptions = {
  redis: Redis
  /** Prefix of every Redis key, e.g. `ee:rl` (tests use a random one). */
  prefix: string
  /** Past this the request is allowed (fail open). @default 500 */
  timeoutMs?: number
  logger: Logger
  onFailOpen?: (reason: 'timeout' | 'error') => void
}

/**
 * Sliding-window limits in Redis through the official @upstash/ratelimit. One `Ratelimit` per
 * distinct (max, window) pair, since the library fixes both at construction; a tenant override
 * simply selects another instance. Fails open; see `types.ts`.
 */
export class UpstashRateLimiter implements RateLimiter {
  private readonly limiters = new Map<string, Ratelimit>()

  constructor(private readonly options: UpstashRateLimiterOptions) {}

  async limit(identifier: string, max: number, windowSeconds: number): Promise<RateLimitResult> {
    try {
      const res = await this.limiterFor(max, windowSeconds).limit(identifier)
      if (res.reason === 'timeout') this.failOpen('timeout', identifier)
      return {
        success: res.success,
        limit: res.limit,
        remaining: res.remaining,
        reset: res.reset,
        pending: res.pending,
        ...(res.reason === 'timeout' ? { failOpen: 'timeout' as const } : {}),
      }
    } catch (err) {
      this.failOpen('error', identifier, err)
      return { success: true, limit: max, remaining: max, reset: Date.now() + windowSeconds * 1000, failOpen: 'error' }
    }
  }

  private failOpen(reason: 'timeout' | 'error', identifier: string, err?: unknown): void {
    this.options.onFailOpen?.(reason)
    this.options.logger.warn('rate limiter unavailable; request allowed', {
      reason,
      identifier,
      error: err instanceof Error ? err.message : undefined,
    })
  }

  private limiterFor(max: number, windowSeconds: number): Ratelimit {
    const key = `${max}/${windowSeconds}`
    let limiter = this.limiters.get(key)
    if (!limiter) {
      limiter = new Ratelimit({
        redis: this.options.redis,
        limiter: Ratelimit.slidingWindow(max, `${windowSeconds} s`),
        prefix: `${this.options.prefix}:${key}`,
        timeout: this.options.timeoutMs ?? 500,
        analytics: false,
        // The default ephemeral cache stays on: an identifier known to be blocked skips Redis until reset.
      })
      this.limiters.set(key, limiter)
    }
    return limiter
  }
}
