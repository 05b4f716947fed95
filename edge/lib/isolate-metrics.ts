import type { Context, MiddlewareHandler } from 'hono'
import type { LabelledCounter, Metrics } from './metrics-port'

/**
 * `/metrics` for Workers, without prom-client (whose defaults need `node:process`, which workerd
 * lacks): the same names and labels as on Node and Deno — the replaced service's
 * `http_requests_total` / `http_request_latency_ms`, and ours — counted per isolate. A scrape
 * sees the isolate that answers it; sum over scrapes or prefer the Node/Deno figures.
 */

const LATENCY_BUCKETS_MS = [50, 100, 200, 500, 1000, 2000, 5000, 10000]

type Series = Map<string, number>

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${escape(v)}"`)
    .join(',')

function counter(name: string, help: string, families: Map<string, { help: string; type: string; series: Series }>) {
  const series: Series = new Map()
  families.set(name, { help, type: 'counter', series })
  return {
    inc(labels: Record<string, string>, by = 1) {
      const key = labelText(labels)
      series.set(key, (series.get(key) ?? 0) + by)
    },
  }
}

export function createIsolateMetrics(): Metrics {
  const families = new Map<string, { help: string; type: string; series: Series }>()
  const requests = counter('http_requests_total', 'Total HTTP requests (name and labels of the replaced service)', families)
  const buckets = counter('http_request_latency_ms_bucket', 'Request latency in milliseconds, per isolate', families)
  const latencyCount = counter('http_request_latency_ms_count', 'Requests timed, per isolate', families)
  const latencySum = counter('http_request_latency_ms_sum', 'Total request time in milliseconds, per isolate', families)
  const make = <L extends string>(name: string, help: string): LabelledCounter<L> => counter(name, help, families)

  const registerMetrics: MiddlewareHandler = async (c, next) => {
    const started = performance.now()
    try {
      await next()
    } finally {
      const path = c.req.routePath === '/*' || c.req.routePath === '*' ? 'unmatched' : c.req.routePath
      const ms = performance.now() - started
      requests.inc({ path, method: c.req.method, status: String(c.res.status) })
      for (const le of LATENCY_BUCKETS_MS) if (ms <= le) buckets.inc({ le: String(le), path, method: c.req.method })
      buckets.inc({ le: '+Inf', path, method: c.req.method })
      latencyCount.inc({ path, method: c.req.method })
      latencySum.inc({ path, method: c.req.method }, ms)
    }
  }

  const printMetrics = (c: Context) => {
    const lines: string[] = []
    for (const [name, family] of families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`)
      for (const [labels, value] of family.series) lines.push(`${name}{${labels}} ${value}`)
    }
    return c.text(`${lines.join('\n')}\n`, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' })
  }

  return {
    registerMetrics,
    printMetrics,
    decisions: make('ee_decisions_total', 'Persisted evaluations by tenant and decision'),
    degraded: make('ee_degraded_decisions_total', 'Evaluations answered in degraded mode'),
    errors: make('ee_errors_total', 'Error responses by kind (domain error code)'),
    rateLimitFailOpen: make('ee_rate_limit_fail_open_total', 'Requests let through because the rate limiter could not answer'),
  }
}
