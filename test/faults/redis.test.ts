import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createApp } from '../../edge/app'
import { parseConfig } from '../../edge/config'
import { noopMetrics } from '../../edge/lib/metrics-port'
import { createRateLimiter, createRedis, redisPing } from '../../edge/runtime'
import { createLogger } from '../../services/logger'
import { batchRequest, createJobsFixture, type JobsFixture } from '../batch/fixture'
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy'
import { startUpstashRedis, type UpstashRedisStandIn } from '../harness/upstash-redis'

/**
 * Redis (the Upstash REST stand-in over the real Redis, reached by the official @upstash/redis and
 * @upstash/ratelimit through our fault proxy) goes away during evaluate load: reset, then a black
 * hole (connections that answer nothing). Evaluation does not need Redis, and the rate limiter
 * fails open (documented: RATE_LIMIT_TIMEOUT_MS, DEPLOY "Redis outage"): every request is answered
 * 200 throughout, `/ready` names Redis while it is away, and once it is back the limits count in
 * Redis again. Waiting is by polling, bounded by the test timeout.
 */
let fixture: JobsFixture
let upstash: UpstashRedisStandIn
let proxy: FaultProxy
let app: ReturnType<typeof createApp>
let key = ''
const prefix = `test-faults:${crypto.randomUUID()}`
const warnings: string[] = []

beforeAll(async () => {
  fixture = await createJobsFixture()
  upstash = await startUpstashRedis()
  proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(upstash.url).port) })
  const config = parseConfig({
    DATABASE_DRIVER: 'pg',
    DATABASE_URL: fixture.database.url,
    API_KEY_SALT: fixture.salt,
    UPSTASH_REDIS_REST_URL: proxy.url('http'),
    UPSTASH_REDIS_REST_TOKEN: upstash.token,
    RATE_LIMIT_TIMEOUT_MS: '200',
    LOG_LEVEL: 'silent',
  })
  const logger = { ...createLogger('silent'), warn: (message: string) => void warnings.push(message) }
  const redis = createRedis(config)
  app = createApp({
    config,
    db: fixture.database.db,
    logger: createLogger('silent'),
    limiter: createRateLimiter(config, { redis, logger, metrics: noopMetrics, prefix }),
    pingRedis: redisPing(redis),
  })
  key = (await createApiKeysRepository(fixture.database.db, fixture.salt).create(fixture.tenant.id, { role: 'api-client' })).plaintext
})
afterAll(async () => {
  const keys = await upstash?.redis.keys(`${prefix}*`)
  if (keys?.length) await upstash.redis.del(...keys)
  await proxy?.close()
  await upstash?.close()
  await fixture?.close()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
async function until(check: () => boolean | Promise<boolean>) {
  while (!(await check())) await sleep(25)
}

const evaluate = async (i: number) => {
  const res = await app.request('/v2/equivalences/evaluate', {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...batchRequest(i), request_id: `redis-fault-${i}` }),
  })
  await res.arrayBuffer()
  return res.status
}
const ready = async () => {
  const res = await app.request('/ready')
  return { status: res.status, body: (await res.json()) as { status: string; checks: { database: string; redis: string } } }
}
/** What the sliding-window limiter has counted in Redis for our prefix. */
const counted = async () => {
  const keys = await upstash.redis.keys(`${prefix}*`)
  const values = keys.length ? await upstash.redis.mget(...keys) : []
  return values.reduce((sum, v) => sum + (Number(v) || 0), 0)
}

describe('the API while Redis goes away', () => {
  it('evaluate load: 200 throughout (limits fail open), /ready names Redis, limits count again after', async () => {
    const seen: Record<'before' | 'reset' | 'blackhole' | 'after', number[]> = { before: [], reset: [], blackhole: [], after: [] }
    let phase: keyof typeof seen = 'before'
    let n = 0
    let stop = false
    let paused = false
    let busy = 0
    const loop = async () => {
      while (!stop) {
        if (paused) {
          await sleep(10)
          continue
        }
        busy++
        seen[phase].push(await evaluate(n++))
        busy--
      }
    }
    const load = Promise.all([loop(), loop(), loop(), loop()])

    await until(() => seen.before.length >= 20)
    expect((await ready()).body.checks.redis).toBe('ok')
    const countedBefore = await counted()
    expect(countedBefore).toBeGreaterThan(0)

    proxy.reset()
    phase = 'reset'
    await until(() => seen.reset.length >= 20)
    const duringReset = await ready()
    expect(duringReset.status).toBe(200)
    expect(duringReset.body).toMatchObject({ status: 'degraded', checks: { database: 'ok', redis: 'failed' } })

    // A hung Redis: connections accepted, nothing answered. The limiter's timeout lets requests by.
    proxy.restore()
    proxy.blackhole()
    phase = 'blackhole'
    await until(() => seen.blackhole.length >= 12)
    // The calls the limiter stopped waiting for are aborted (edge/runtime.ts): once the load pauses,
    // their connections close instead of hanging for as long as Redis does.
    paused = true
    await until(() => busy === 0)
    expect(proxy.open).toBeGreaterThan(0)
    await until(() => proxy.open === 0)
    paused = false

    proxy.restore()
    phase = 'after'
    await until(async () => (await ready()).body.status === 'ready')
    const countedAtRestore = await counted()
    seen.after.length = 0
    await until(() => seen.after.length >= 20)
    stop = true
    await load

    for (const [name, statuses] of Object.entries(seen)) expect(new Set(statuses), name).toEqual(new Set([200]))
    expect(warnings).toContain('rate limiter unavailable; request allowed')
    // Once Redis is back the limiter counts there again (the requests of the outage went uncounted).
    expect(await counted()).toBeGreaterThan(countedAtRestore)
    expect((await ready()).body.checks).toEqual({ database: 'ok', redis: 'ok' })
  }, 60_000)
})
