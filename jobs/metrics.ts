import { prometheus } from '@hono/prometheus'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'

/**
 * The worker's Prometheus metrics: request metrics from @hono/prometheus, plus the job metrics an
 * operator scales and alerts on — queue depth and the age of the oldest waiting item (read from
 * Postgres at scrape time), item latency,
 * failures, retries and dead letters.
 */
export function createJobMetrics(options: {
  queueDepth?: () => Promise<Record<string, number>>
  oldestWaitingSeconds?: () => Promise<number>
  defaultMetrics?: boolean
} = {}) {
  const registry = new Registry()
  const { printMetrics, registerMetrics } = prometheus({
    registry,
    prefix: 'ee_worker_',
    collectDefaultMetrics: options.defaultMetrics ?? false,
  })
  const queueDepth = new Gauge({
    name: 'ee_worker_queue_depth',
    help: 'Job items not yet settled, by state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      if (!options.queueDepth) return
      const depth = await options.queueDepth().catch(() => null)
      for (const [state, count] of Object.entries(depth ?? {})) this.set({ state }, count)
    },
  })
  const oldestWaiting = new Gauge({
    name: 'ee_worker_oldest_waiting_item_seconds',
    help: 'Age of the oldest job item still waiting for a worker (queued or failed), 0 when none waits',
    registers: [registry],
    async collect() {
      if (!options.oldestWaitingSeconds) return
      const seconds = await options.oldestWaitingSeconds().catch(() => null)
      if (seconds !== null) this.set(seconds)
    },
  })
  const itemDuration = new Histogram({
    name: 'ee_worker_item_duration_seconds',
    help: 'Claim-to-commit time of one evaluated item',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })
  const items = new Counter({
    name: 'ee_worker_items_total',
    help: 'Evaluate-item deliveries by outcome (done, failed attempt, skipped duplicate)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  })
  const failures = new Counter({
    name: 'ee_worker_failures_total',
    help: 'Deliveries answered with an error, by route and whether they will be retried',
    labelNames: ['route', 'kind'] as const,
    registers: [registry],
  })
  const retries = new Counter({
    name: 'ee_worker_retries_total',
    help: 'Deliveries that were retries (Upstash-Retried > 0), by route',
    labelNames: ['route'] as const,
    registers: [registry],
  })
  const deadLetters = new Counter({
    name: 'ee_worker_dead_letters_total',
    help: 'Messages that failed for good (failure callback), by route',
    labelNames: ['route'] as const,
    registers: [registry],
  })
  const rejectedSignatures = new Counter({
    name: 'ee_worker_rejected_signatures_total',
    help: 'Requests refused because Upstash-Signature did not verify',
    registers: [registry],
  })
  return { registry, printMetrics, registerMetrics, queueDepth, oldestWaiting, itemDuration, items, failures, retries, deadLetters, rejectedSignatures }
}

export type JobMetrics = ReturnType<typeof createJobMetrics>
