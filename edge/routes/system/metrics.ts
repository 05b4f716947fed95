import { constantTimeEqual } from '../../../services/crypto'
import type { App } from '../openapi'

/**
 * Prometheus text format; scraped from Node/Deno processes (per-isolate Workers metrics are not
 * worth it). The scrape names every tenant, so with METRICS_TOKEN set it answers only
 * `Authorization: Bearer <METRICS_TOKEN>` — checked here, on the route, so no spelling of the path
 * that the router resolves to it (`/%6detrics`, `/./metrics`) gets around it.
 */
export function registerMetrics(app: App): void {
  app.get('/metrics', (c) => {
    const { config, metrics } = c.get('services')
    if (config.METRICS_TOKEN) {
      const given = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? ''
      if (!constantTimeEqual(given, config.METRICS_TOKEN)) {
        return c.json({ detail: 'Metrics need the operator token' }, 401, { 'WWW-Authenticate': 'Bearer' })
      }
    }
    c.header('Cache-Control', 'no-store')
    return metrics.printMetrics(c)
  })
}
