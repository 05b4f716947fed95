import { createRoute, z } from '@hono/zod-openapi'
import { pingDatabase } from '../../../services/health'
import type { App } from '../openapi'
import { jsonContent } from '../openapi'

const CHECK_TIMEOUT_MS = 2_000
const Check = z.enum(['ok', 'failed', 'not_configured'])
const ReadySchema = z.object({
  status: z.enum(['ready', 'degraded', 'unavailable']),
  checks: z.object({ database: Check, redis: Check }),
  detail: z.string().optional(),
})

const route = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['system'],
  summary: 'Readiness: the database answers (Redis is reported, not required)',
  responses: {
    200: jsonContent(ReadySchema, 'Ready, or `degraded` when only Redis failed (rate limits fail open; `detail` says so)'),
    503: jsonContent(ReadySchema, 'Not ready: the database failed'),
  },
})

async function probe(check: (() => Promise<void>) | undefined): Promise<z.infer<typeof Check>> {
  if (!check) return 'not_configured'
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS)
  })
  try {
    await Promise.race([check(), timeout])
    return 'ok'
  } catch {
    return 'failed'
  } finally {
    clearTimeout(timer)
  }
}

export function registerReady(app: App): void {
  app.openapi(route, async (c) => {
    const { pingRedis } = c.get('services')
    const ctx = c.get('ctx')
    const [database, redis] = await Promise.all([probe(() => pingDatabase(ctx)), probe(pingRedis)])
    const checks = { database, redis }
    if (database === 'failed') {
      const detail = `Unavailable: ${redis === 'failed' ? 'database, redis' : 'database'}`
      return c.json({ status: 'unavailable' as const, checks, detail }, 503, { 'Retry-After': '5' })
    }
    // Every request is served without Redis (the rate limiter fails open), so a Redis blip must not
    // take every replica out of a load balancer: report it, stay in.
    if (redis === 'failed') {
      return c.json({ status: 'degraded' as const, checks, detail: 'Degraded: redis (rate limits fail open)' }, 200)
    }
    return c.json({ status: 'ready' as const, checks }, 200)
  })
}
