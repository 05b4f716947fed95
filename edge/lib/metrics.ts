import { prometheus } from '@hono/prometheus'
import { Counter, Registry } from 'prom-client'
import { legacyDecisionMetrics, legacyRequestMetrics } from './legacy-metrics'
import type { Metrics } from './metrics-port'

/**
 * Prometheus metrics. Request count and latency by route + status come from @hono/prometheus;
 * the domain counters below are ours. Default process metrics are opt-in (Node only; workerd has
 * no process to describe). The replaced service's metric names are exported too (legacy-metrics.ts).
 */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics & { registry: Registry } {
  const registry = new Registry()
  const { printMetrics, registerMetrics } = prometheus({
    registry,
    prefix: 'ee_',
    collectDefaultMetrics: options.defaultMetrics ?? false,
  })
  const decisions = new Counter({
    name: 'ee_decisions_total',
    help: 'Persisted evaluations by tenant and decision',
    labelNames: ['tenant', 'decisao'] as const,
    registers: [registry],
  })
  const degraded = new Counter({
    name: 'ee_degraded_decisions_total',
    help: 'Evaluations answered in degraded mode (mapper failed or unsure)',
    labelNames: ['tenant'] as const,
    registers: [registry],
  })
  const errors = new Counter({
    name: 'ee_errors_total',
    help: 'Error responses by kind (domain error code)',
    labelNames: ['kind'] as const,
    registers: [registry],
  })
  const rateLimitFailOpen = new Counter({
    name: 'ee_rate_limit_fail_open_total',
    help: 'Requests let through because the rate limiter could not answer',
    labelNames: ['reason'] as const,
    registers: [registry],
  })
  const legacyRequests = legacyRequestMetrics(registry)
  const legacy = legacyDecisionMetrics(registry)
  return {
    registry,
    printMetrics,
    // One async layer fewer per request than wrapping both in async closures.
    registerMetrics: (c, next) => legacyRequests(c, () => registerMetrics(c, next).then(() => undefined)),
    decisions: {
      inc: (labels) => {
        decisions.inc(labels)
        legacy.decision(labels.tenant, labels.decisao)
      },
    },
    degraded: {
      inc: (labels) => {
        degraded.inc(labels)
        legacy.degraded(labels.tenant)
      },
    },
    errors,
    rateLimitFailOpen,
  }
}

