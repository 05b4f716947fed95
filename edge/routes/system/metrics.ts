import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../context'
import { authenticate, requireRole } from '../../middleware/auth'
import { constantTimeEqual } from '../../../services/crypto'
import type { App } from '../openapi'

const adminOnly = requireRole('admin')

/**
 * Who may scrape: with METRICS_TOKEN set, only `Authorization: Bearer <METRICS_TOKEN>`; without
 * it, an `X-API-Key` of role admin (checked as on any admin route), so the scrape is never public.
 */
const operatorOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = c.get('services').config.METRICS_TOKEN
  if (!token) {
    return authenticate(c, async () => {
      await adminOnly(c, next)
    })
  }
  const given = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? ''
  if (!constantTimeEqual(given, token)) {
    return c.json({ detail: 'Metrics need the operator token' }, 401, { 'WWW-Authenticate': 'Bearer' })
  }
  await next()
}

/**
 * Prometheus text format; scraped from Node/Deno processes (per-isolate Workers metrics are not
 * worth it). The scrape names every tenant, so it is for operators only — checked here, on the
 * route, so no spelling of the path that the router resolves to it (`/%6detrics`, `/./metrics`)
 * gets around it.
 */
export function registerMetrics(app: App): void {
  app.get('/metrics', operatorOnly, (c) => {
    c.header('Cache-Control', 'no-store')
    return c.get('services').metrics.printMetrics(c)
  })
}
