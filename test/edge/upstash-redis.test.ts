import { Ratelimit } from '@upstash/ratelimit'
import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type UpstashRedisStandIn, startUpstashRedis } from '../harness/upstash-redis'

/** The stand-in must be faithful enough that the official clients work unchanged. */
describe('Upstash REST stand-in', () => {
  let upstash: UpstashRedisStandIn
  let redis: Redis
  const prefix = `test:${crypto.randomUUID()}:`

  beforeAll(async () => {
    upstash = await startUpstashRedis()
    redis = new Redis({ url: upstash.url, token: upstash.token, enableTelemetry: false })
  })
  afterAll(async () => {
    const keys = await upstash.redis.keys(`${prefix}*`)
    if (keys.length) await upstash.redis.del(...keys)
    await upstash.close()
  })

  it('runs single commands with base64 answers, including non-ASCII text', async () => {
    expect(await redis.set(`${prefix}a`, 'ementa: introdução à programação')).toBe('OK')
    expect(await redis.get(`${prefix}a`)).toBe('ementa: introdução à programação')
    expect(await redis.incr(`${prefix}n`)).toBe(1)
    expect(await redis.get(`${prefix}missing`)).toBeNull()
  })

  it('runs pipelines and transactions', async () => {
    const p = redis.pipeline()
    p.set(`${prefix}p1`, 'x')
    p.incrby(`${prefix}p2`, 5)
    p.get(`${prefix}p1`)
    expect(await p.exec()).toEqual(['OK', 5, 'x'])
    const tx = redis.multi()
    tx.incr(`${prefix}t`)
    tx.incr(`${prefix}t`)
    expect(await tx.exec()).toEqual([1, 2])
  })

  it('answers a command error as the client expects', async () => {
    await redis.set(`${prefix}s`, 'text')
    await expect(redis.incr(`${prefix}s`)).rejects.toThrow(/not an integer/)
  })

  it('refuses a wrong token', async () => {
    const stranger = new Redis({ url: upstash.url, token: 'wrong', enableTelemetry: false, retry: false })
    await expect(stranger.get(`${prefix}a`)).rejects.toThrow(/Unauthorized/)
  })

  it('runs @upstash/ratelimit scripts (allow-key-locking stripped) and enforces the limit', async () => {
    const limiter = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(3, '60 s'), prefix: `${prefix}rl`, analytics: false })
    const results = []
    for (let i = 0; i < 5; i++) results.push((await limiter.limit('tenant-a')).success)
    expect(results).toEqual([true, true, true, false, false])
    expect((await limiter.limit('tenant-b')).success).toBe(true)
  })
})
