import type { Context, MiddlewareHandler } from 'hono'

/** A counter with fixed label names; the only metric kind handlers touch. */
export type LabelledCounter<L extends string> = { inc(labels: Record<L, string>): void }

/**
 * What the app records. `createMetrics` (metrics.ts, prom-client) backs it on Node and
 * Deno, where `/metrics` is scraped; Workers use `noopMetrics`, since per-isolate counters are not
 * worth scraping and prom-client would only weigh on the bundle.
 */
export interface Metrics {
  /** Request count and latency by route and status. */
  registerMetrics: MiddlewareHandler
  /** The `/metrics` answer. */
  printMetrics(c: Context): Response | Promise<Response>
  decisions: LabelledCounter<'tenant' | 'decisao'>
  degraded: LabelledCounter<'tenant'>
  errors: LabelledCounter<'kind'>
  rateLimitFailOpen: LabelledCounter<'reason'>
}

const none = { inc: () => undefined }

export const noopMetrics: Metrics = {
  registerMetrics: async (_c, next) => {
    await next()
  },
  printMetrics: (c) => c.json({ detail: 'Metrics are not collected on this runtime' }, 404),
  decisions: none,
  degraded: none,
  errors: none,
  rateLimitFailOpen: none,
}
