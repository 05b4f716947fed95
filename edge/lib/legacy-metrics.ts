import type { MiddlewareHandler } from 'hono'
import { Counter, Histogram, type Registry } from 'prom-client'

/**
 * The replaced service's request metrics under its own names, so its dashboards keep working:
 * `http_requests_total{path,method,status}` and the latency histogram
 * `http_request_latency_ms_bucket{path,method,le}` with its buckets (in ms). `path` is the
 * route's pattern (`/v1/jobs/:id`), not the raw URL: one series per job id would grow without end.
 */
const LATENCY_BUCKETS_MS = [50, 100, 200, 500, 1000, 2000, 5000, 10000]

export function legacyRequestMetrics(registry: Registry): MiddlewareHandler {
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'Total HTTP requests (name and labels of the replaced service)',
    labelNames: ['path', 'method', 'status'] as const,
    registers: [registry],
  })
  const latency = new Histogram({
    name: 'http_request_latency_ms',
    help: 'Request latency in milliseconds (buckets of the replaced service)',
    labelNames: ['path', 'method'] as const,
    buckets: LATENCY_BUCKETS_MS,
    registers: [registry],
  })
  return async (c, next) => {
    const started = performance.now()
    try {
      await next()
    } finally {
      const elapsed = performance.now() - started
      // Hono's routePath getter builds an array of every matched handler's path on each read: read it once.
      const route = c.req.routePath
      const path = route === '/*' || route === '*' ? 'unmatched' : route
      const method = c.req.method
      requests.inc({ path, method, status: String(c.res.status) })
      latency.observe({ path, method }, elapsed)
    }
  }
}

/** The original's decision counters, kept beside ours under its names and labels. */
export function legacyDecisionMetrics(registry: Registry) {
  const decisions = new Counter({
    name: 'equivalence_decisions_total',
    help: 'Decisions by tenant (name and labels of the replaced service)',
    labelNames: ['tenant', 'decision'] as const,
    registers: [registry],
  })
  const degraded = new Counter({
    name: 'equivalence_degraded_total',
    help: 'Degraded mode occurrences (name and labels of the replaced service)',
    labelNames: ['tenant', 'degraded'] as const,
    registers: [registry],
  })
  return {
    decision: (tenant: string, decision: string) => decisions.inc({ tenant, decision }),
    // Only the degraded occurrences: the evaluate routes count them apart from the decisions.
    degraded: (tenant: string) => degraded.inc({ tenant, degraded: 'true' }),
  }
}
