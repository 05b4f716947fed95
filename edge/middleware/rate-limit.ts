import { createMiddleware } from 'hono/factory'
import type { RateLimitGroup } from '../config'
import type { AppEnv } from '../context'
import { ApiError } from '../errors'
import { runInBackground } from '../lib/background'

/**
 * Per tenant + role + route group limits. The tenant's own override wins over the env default.
 * Sets `X-RateLimit-Limit/Remaining/Reset` (reset in epoch seconds) on every answer and answers
 * 429 with `Retry-After` when the window is spent. Runs after `authenticate`.
 */
export function rateLimit(group: RateLimitGroup) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { config, limiter, metrics } = c.get('services')
    if (!config.RATE_LIMIT_ENABLED) return next()
    const tenant = c.get('tenant')
    const role = c.get('apiKey').role
    const override = group === 'evaluate' || group === 'read' ? tenant.rateLimits : null
    const max = override?.requests ?? config.rateLimits.perGroup[group]
    const window = override?.window_seconds ?? config.rateLimits.windowSeconds
    const res = await limiter.limit(`${tenant.id}:${role}:${group}`, max, window)
    if (res.pending) runInBackground(c, res.pending)
    if (res.failOpen) metrics.rateLimitFailOpen.inc({ reason: res.failOpen })
    const headers = {
      'X-RateLimit-Limit': String(res.limit),
      'X-RateLimit-Remaining': String(res.remaining),
      'X-RateLimit-Reset': String(Math.ceil(res.reset / 1000)),
    }
    if (!res.success) {
      const retryAfter = Math.max(1, Math.ceil((res.reset - Date.now()) / 1000))
      throw new ApiError('RATE_LIMITED', 'Rate limit exceeded', { ...headers, 'Retry-After': String(retryAfter) })
    }
    await next()
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v)
  })
}
