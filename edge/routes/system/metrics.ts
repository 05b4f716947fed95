import type { App } from '../openapi'

/** Prometheus text format; scraped from Node/Deno processes (per-isolate Workers metrics are not worth it). */
export function registerMetrics(app: App): void {
  app.get('/metrics', (c) => c.get('services').metrics.printMetrics(c))
}
