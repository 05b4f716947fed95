import { createRoute, z } from '@hono/zod-openapi'
import type { App } from '../openapi'
import { jsonContent } from '../openapi'

const route = createRoute({
  method: 'get',
  path: '/health',
  tags: ['system'],
  summary: 'Liveness: the process answers',
  responses: { 200: jsonContent(z.object({ status: z.literal('alive') }), 'Alive', { status: 'alive' }) },
})

export function registerHealth(app: App): void {
  app.openapi(route, (c) => c.json({ status: 'alive' as const }, 200))
}
