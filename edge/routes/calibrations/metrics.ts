import type { Calibration } from '../../../db/repositories/calibrations'
import type { ServiceContext } from '../../../services/context'
import type { Logger } from '../../../services/logger'
import type { Metrics } from '../../lib/metrics-port'

/**
 * Engine–reviewer agreement as Prometheus metrics (issue 13, Deliver 6):
 * - `ee_review_outcomes_total{tenant, course, decisao, revisao, concorda}`: a counter moved by every
 *   review recorded (API or console) — the engine's stored decision against the reviewer's, so
 *   agreement over any window is
 *   `sum by (tenant, course) (increase(ee_review_outcomes_total{concorda="sim"}[30d])) / sum by (tenant, course) (increase(ee_review_outcomes_total[30d]))`.
 *   The `course` label is the course id only for courses with a binding (a bounded, admin-made
 *   set); every other result counts under `course="_outros"`.
 * - `ee_review_agreement{tenant, course, limiares}` and `ee_review_agreement_cases{tenant, course}`:
 *   gauges set from a finished calibration's report (share of its reviewed cases whose decision
 *   equals the review under the current and the proposed thresholds; `course="*"`: tenant-wide).
 * They join the app's prom-client registry as plain collectors (the registry's `registerMetric`
 * contract: `name`, `get()`), so this route pulls no prom-client code into the Workers bundle; where
 * the metrics have no registry (Workers), nothing is recorded.
 */

type Labels = Record<string, string>
type Values = Map<string, { labels: Labels; value: number }>
type Registry = { registerMetric(metric: { name: string; get(): Promise<unknown>; reset(): void }): void; getSingleMetric(name: string): unknown }

const AGREEMENT = 'ee_review_agreement'
const CASES = 'ee_review_agreement_cases'
const OUTCOMES = 'ee_review_outcomes_total'
/** The course label of results whose course has no binding (or no course id). */
export const UNBOUND_COURSE = '_outros'

const stores = new WeakMap<object, { agreement: Values; cases: Values; outcomes: Values; measuredAt: Map<string, number> }>()

function collector(name: string, help: string, type: 'gauge' | 'counter', values: Values) {
  return {
    name,
    help,
    get: async () => ({ name, help, type, aggregator: 'sum', values: [...values.values()] }),
    reset: () => values.clear(),
  }
}

function storeOf(metrics: Metrics) {
  const registry = (metrics as Partial<{ registry: Registry }>).registry
  if (!registry || typeof registry.registerMetric !== 'function') return null
  let store = stores.get(registry)
  if (!store) {
    store = { agreement: new Map(), cases: new Map(), outcomes: new Map(), measuredAt: new Map() }
    if (!registry.getSingleMetric(AGREEMENT)) {
      registry.registerMetric(collector(AGREEMENT, 'Share of reviewed cases whose engine decision equals the review, at the last calibration', 'gauge', store.agreement))
      registry.registerMetric(collector(CASES, 'Reviewed cases the last calibration measured', 'gauge', store.cases))
      registry.registerMetric(collector(OUTCOMES, 'Reviews recorded, by the engine decision and the review (concorda: they are the same)', 'counter', store.outcomes))
    }
    stores.set(registry, store)
  }
  return store
}

export function recordAgreement(
  metrics: Metrics,
  input: { tenant: string; course: string | null; cases: number; atual: number; proposto: number; measuredAt?: Date | null },
): void {
  const store = storeOf(metrics)
  if (!store) return
  const course = input.course ?? '*'
  const key = `${input.tenant}\u0000${course}`
  // The gauges show the newest calibration of the scope: reading an older report leaves them be.
  const at = input.measuredAt?.getTime() ?? Date.now()
  if (at < (store.measuredAt.get(key) ?? -Infinity)) return
  store.measuredAt.set(key, at)
  store.cases.set(key, { labels: { tenant: input.tenant, course }, value: input.cases })
  for (const [limiares, value] of [
    ['atuais', input.atual],
    ['propostos', input.proposto],
  ] as const) {
    store.agreement.set(`${key}\u0000${limiares}`, { labels: { tenant: input.tenant, course, limiares }, value })
  }
}

/** The gauges from a finished calibration's report. */
export function recordCalibrationAgreement(metrics: Metrics, c: Calibration): void {
  const report = c.report as { revisoes?: number; concordancia?: { atual: number; proposto: number } } | null
  if (!report?.concordancia || report.revisoes === undefined) return
  recordAgreement(metrics, {
    tenant: c.tenantId,
    course: c.courseId,
    cases: report.revisoes,
    atual: report.concordancia.atual,
    proposto: report.concordancia.proposto,
    measuredAt: c.finishedAt,
  })
}

export function recordReviewOutcome(metrics: Metrics, input: { tenant: string; course: string; decisao: string; revisao: string }): void {
  const store = storeOf(metrics)
  if (!store) return
  const labels = { tenant: input.tenant, course: input.course, decisao: input.decisao, revisao: input.revisao, concorda: input.decisao === input.revisao ? 'sim' : 'nao' }
  const key = Object.values(labels).join('\u0000')
  const entry = store.outcomes.get(key)
  if (entry) entry.value++
  else store.outcomes.set(key, { labels, value: 1 })
}

/**
 * After a review was recorded: counts it against the engine's stored decision. Never fails the
 * review — a lost increment is logged (without ids of anything but the result).
 */
export async function observeReview(
  ctx: ServiceContext,
  services: { metrics: Metrics; logger: Logger },
  input: { tenantId: string; resultId: string; label: string },
): Promise<void> {
  if (!storeOf(services.metrics)) return
  try {
    const result = await ctx.repos.results.get(input.tenantId, input.resultId)
    if (!result || result.simulation) return
    const bound = result.courseId ? (await ctx.repos.bindings.list(input.tenantId, result.courseId)).length > 0 : false
    recordReviewOutcome(services.metrics, {
      tenant: input.tenantId,
      course: bound ? result.courseId! : UNBOUND_COURSE,
      decisao: result.decisao,
      revisao: input.label,
    })
  } catch (err) {
    services.logger.warn('review agreement not counted', { result_id: input.resultId, error: err instanceof Error ? err.name : 'unknown' })
  }
}
