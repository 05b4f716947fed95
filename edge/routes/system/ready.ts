import { createRoute, z } from '@hono/zod-openapi'
import { pingDatabase } from '../../../services/health'
import type { App } from '../openapi'
import { jsonContent } from '../openapi'

const CHECK_TIMEOUT_MS = 2_000
const Check = z.enum(['ok', 'failed', 'not_configured'])
const ReadySchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ database: Check, redis: Check }),
  detail: z.string().optional(),
})

const route = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['system'],
  summary: 'Readiness: database and Redis answer',
  responses: {
    200: jsonContent(ReadySchema, 'Ready'),
    503: jsonContent(ReadySchema, 'Not ready; `detail` names what failed'),
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
    const failed = Object.entries({ database, redis })
      .filter(([, v]) => v === 'failed')
      .map(([k]) => k)
    if (failed.length) {
      const body = { status: 'unavailable' as const, checks: { database, redis }, detail: `Unavailable: ${failed.join(', ')}` }
      return c.json(body, 503, { 'Retry-After': '5' })
    }
    return c.json({ status: 'ready' as const, checks: { database, redis } }, 200)
  })
}
