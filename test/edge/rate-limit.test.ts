import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../services/logger'
import { createMetrics } from '../../edge/lib/metrics'
import { UpstashRateLimiter } from '../../edge/ratelimit/upstash'
import { redisPing } from '../../edge/runtime'
import { type UpstashRedisStandIn, startUpstashRedis } from '../harness/upstash-redis'
import { type EdgeFixture, createEdgeFixture, samplePair } from './fixture'

const prefix = `test:${crypto.randomUUID()}`
let upstash: UpstashRedisStandIn
let f: EdgeFixture
const warnings: string[] = []
const metrics = createMetrics()

beforeAll(async () => {
  upstash = await startUpstashRedis()
  const logger = createLogger('warn', (l) => warnings.push(l))
  const redis = new Redis({ url: upstash.url, token: upstash.token, enableTelemetry: false })
  f = await createEdgeFixture({
    env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_EVALUATE: '3', RATE_LIMIT_ADMIN: '2', RATE_LIMIT_READ: '100' },
    deps: { limiter: new UpstashRateLimiter({ redis, prefix, logger }), logger, metrics },
  })
})
afterAll(async () => {
  const keys = await upstash.redis.keys(`${prefix}*`)
  if (keys.length) await upstash.redis.del(...keys)
  await upstash.close()
  await f.close()
})

describe('rate limits through @upstash/ratelimit on real Redis', () => {
  it('reports Redis in /ready', async () => {
    const app = await createEdgeFixture({ deps: { pingRedis: redisPing(new Redis({ url: upstash.url, token: upstash.token, enableTelemetry: false })) } })
    try {
      expect(await app.call('GET', '/ready').then((r) => r.json())).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } })
    } finally {
      await app.close()
    }
  })

  it('counts per tenant + role + group, sets X-RateLimit-*, and answers 429 with Retry-After', async () => {
    const t = await f.createTenant()
    const statuses: number[] = []
    let last: Response | undefined
    for (let i = 0; i < 4; i++) {
      last = await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body: samplePair() })
      statuses.push(last.status)
      if (i === 0) {
        expect(last.headers.get('X-RateLimit-Limit')).toBe('3')
        expect(last.headers.get('X-RateLimit-Remaining')).toBe('2')
        expect(Number(last.headers.get('X-RateLimit-Reset'))).toBeGreaterThan(Date.now() / 1000)
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429])
    // The replaced service's 429 body: the wait in seconds, as in Retry-After.
    const limited = (await last!.json()) as { detail: string; retry_after_seconds: number }
    expect(limited).toEqual({ detail: 'Rate limit exceeded', retry_after_seconds: expect.any(Number) })
    expect(Number(last!.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1)
    expect(String(limited.retry_after_seconds)).toBe(last!.headers.get('Retry-After'))
    expect(last!.headers.get('X-RateLimit-Remaining')).toBe('0')

    // Another group, another role and another tenant have their own windows.
    expect((await f.call('GET', '/v1/results', { key: t.keys['api-client'] })).status).toBe(200)
    expect((await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys.admin, body: samplePair() })).status).toBe(200)
    const other = await f.createTenant()
    expect((await f.call('POST', '/v2/equivalences/evaluate', { key: other.keys['api-client'], body: samplePair() })).status).toBe(200)
  })

  it('admin routes are tight', async () => {
    const t = await f.createTenant()
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await f.call('GET', '/admin/api-keys', { key: t.keys.admin })).status)
    expect(statuses).toEqual([200, 200, 429])
  })

  it('a tenant override replaces the env limit', async () => {
    const t = await f.createTenant()
    await f.tenants.setRateLimits(t.id, { requests: 1 })
    const statuses = []
    for (let i = 0; i < 2; i++) statuses.push((await f.call('GET', '/v1/results', { key: t.keys.auditor })).status)
    expect(statuses).toEqual([200, 429])
  })
})

describe('Redis down: rate limiting fails open, never a 500', () => {
  it('lets requests through, logs a warning and counts it', async () => {
    const logs: string[] = []
    const logger = createLogger('warn', (l) => logs.push(l))
    const failOpen = createMetrics()
    // Nothing listens on port 9: every call is refused.
    const redis = new Redis({ url: 'http://127.0.0.1:9', token: 'x', enableTelemetry: false, retry: false })
    const down = await createEdgeFixture({
      env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_EVALUATE: '1' },
      deps: { limiter: new UpstashRateLimiter({ redis, prefix, logger }), logger, metrics: failOpen, pingRedis: redisPing(redis) },
    })
    try {
      const ready = await down.call('GET', '/ready')
      // Served without Redis, so still in the load balancer: degraded, not unavailable.
      expect(ready.status).toBe(200)
      expect(await ready.json()).toEqual({ status: 'degraded', checks: { database: 'ok', redis: 'failed' }, detail: 'Degraded: redis (rate limits fail open)' })
      const t = await down.createTenant()
      for (let i = 0; i < 3; i++) {
        const res = await down.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body: samplePair() })
        expect(res.status).toBe(200)
      }
      expect(logs.filter((l) => JSON.parse(l).msg === 'rate limiter unavailable; request allowed')).toHaveLength(3)
      const text = await failOpen.registry.metrics()
      expect(text).toMatch(/ee_rate_limit_fail_open_total\{reason="error"\} 3/)
    } finally {
      await down.close()
    }
  })
})
