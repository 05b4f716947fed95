import type { Metrics } from '../../lib/metrics-port'

/**
 * Engine–reviewer agreement as Prometheus gauges, set each time a calibration is computed:
 * `ee_review_agreement{tenant, course, limiares}` (share of reviewed cases whose decision equals the
 * review, under the current and the proposed thresholds) and `ee_review_agreement_cases{tenant,
 * course}`; Prometheus keeps them over time. The gauges join the app's prom-client registry as a
 * plain collector (the registry's `registerMetric` contract: `name`, `get()`), so this route pulls
 * no prom-client code into the Workers bundle; where the metrics have no registry (Workers), nothing
 * is recorded.
 */

type Labels = { tenant: string; course: string; limiares?: string }
type Registry = { registerMetric(metric: { name: string; get(): Promise<unknown>; reset(): void }): void; getSingleMetric(name: string): unknown }

const AGREEMENT = 'ee_review_agreement'
const CASES = 'ee_review_agreement_cases'
const stores = new WeakMap<object, { agreement: Map<string, { labels: Labels; value: number }>; cases: Map<string, { labels: Labels; value: number }> }>()

function collector(name: string, help: string, values: Map<string, { labels: Labels; value: number }>) {
  return {
    name,
    help,
    get: async () => ({ name, help, type: 'gauge', aggregator: 'sum', values: [...values.values()] }),
    reset: () => values.clear(),
  }
}

function storeOf(metrics: Metrics) {
  const registry = (metrics as Partial<{ registry: Registry }>).registry
  if (!registry || typeof registry.registerMetric !== 'function') return null
  let store = stores.get(registry)
  if (!store) {
    store = { agreement: new Map(), cases: new Map() }
    if (!registry.getSingleMetric(AGREEMENT)) {
      registry.registerMetric(collector(AGREEMENT, 'Share of reviewed cases whose engine decision equals the review, at the last calibration', store.agreement))
      registry.registerMetric(collector(CASES, 'Reviewed cases the last calibration measured', store.cases))
    }
    stores.set(registry, store)
  }
  return store
}

export function recordAgreement(
  metrics: Metrics,
  input: { tenant: string; course: string | null; cases: number; atual: number; proposto: number },
): void {
  const store = storeOf(metrics)
  if (!store) return
  const course = input.course ?? '*'
  const key = `${input.tenant}\u0000${course}`
  store.cases.set(key, { labels: { tenant: input.tenant, course }, value: input.cases })
  for (const [limiares, value] of [
    ['atuais', input.atual],
    ['propostos', input.proposto],
  ] as const) {
    store.agreement.set(`${key}\u0000${limiares}`, { labels: { tenant: input.tenant, course, limiares }, value })
  }
}
