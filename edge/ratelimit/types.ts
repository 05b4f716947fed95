/**
 * Rate limiting behind one interface: `UpstashRateLimiter` (Redis over the Upstash REST protocol)
 * and `MemoryRateLimiter` (one process: the embedded default and tests).
 *
 * Failure mode, chosen on purpose: when the backend errors or answers slower than the configured
 * timeout, the request is ALLOWED (fail open), a warning is logged and the
 * `rate_limit_failures_total` metric counts it. Limits protect capacity; refusing every client
 * because the limiter's store is down would turn a cache outage into an API outage.
 */
export type RateLimitResult = {
  success: boolean
  limit: number
  remaining: number
  /** Epoch milliseconds at which the window resets. */
  reset: number
  /** Set when the limiter could not decide and let the request through. */
  failOpen?: 'timeout' | 'error'
  /** Bookkeeping still in flight (Upstash analytics/multi-region sync); hand to `runInBackground`. */
  pending?: Promise<unknown>
}

export interface RateLimiter {
  limit(identifier: string, max: number, windowSeconds: number): Promise<RateLimitResult>
}

/** Lets every request through; used when RATE_LIMIT_ENABLED=false. */
export const unlimited: RateLimiter = {
  limit: async (_id, max) => ({ success: true, limit: max, remaining: max, reset: 0 }),
}
