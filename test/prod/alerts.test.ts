import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parser } from '@prometheus-io/lezer-promql'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { createMetrics } from '../../edge/lib/metrics'
import { createJobMetrics } from '../../jobs/metrics'

/**
 * ops/prometheus/alerts.yml: every expression is valid PromQL (the Prometheus project's own
 * grammar) and every metric it reads is registered by the API or the worker, so a renamed metric
 * cannot silently turn an alert off. The runbook links point at sections of DEPLOY.md.
 */

const root = join(import.meta.dirname, '..', '..')
const read = (path: string) => readFileSync(join(root, path), 'utf8')

interface Rule {
  alert: string
  expr: string
  for?: string
  labels: { severity: string }
  annotations: { summary: string; runbook: string }
}
const groups = (parse(read('ops/prometheus/alerts.yml')) as { groups: { name: string; rules: Rule[] }[] })
  .groups
const rules = groups.flatMap((g) => g.rules)

/** Metric names a PromQL expression selects, or the syntax errors found in it. */
function selectedMetrics(expr: string): { metrics: string[]; errors: string[] } {
  const metrics: string[] = []
  const errors: string[] = []
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError)
        errors.push(`syntax error at ${node.from}: "${expr.slice(node.from, node.to + 10)}"`)
      if (node.name === 'VectorSelector') {
        const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(node.from, node.to))?.[0]
        if (name) metrics.push(name)
      }
    },
  })
  return { metrics, errors }
}

/** Every series name the two registries expose, histogram series included. */
async function registeredSeries(): Promise<Set<string>> {
  const names = new Set<string>(['up']) // Prometheus' own per-target series
  for (const { registry } of [createMetrics(), createJobMetrics()]) {
    for (const metric of await registry.getMetricsAsJSON()) {
      names.add(metric.name)
      if (metric.type.toString() === 'histogram')
        for (const s of ['_bucket', '_sum', '_count']) names.add(metric.name + s)
    }
  }
  return names
}

/** GitHub's heading anchors of DEPLOY.md. */
function deployAnchors(): Set<string> {
  const headings = read('DEPLOY.md').match(/^#{1,4} .+$/gm) ?? []
  return new Set(
    headings.map((h) =>
      h
        .replace(/^#+ /, '')
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  )
}

describe('ops/prometheus/alerts.yml', () => {
  it('covers the failure modes an operator must hear about', () => {
    const exprs = rules.map((r) => r.expr).join('\n')
    for (const metric of [
      'ee_errors_total', // database / Redis failures (503) and 500s
      'ee_rate_limit_fail_open_total', // Redis not answering
      'ee_worker_queue_depth', // items queued too long
      'ee_worker_dead_letters_total', // dead items growing
      'ee_http_request_duration_seconds_bucket', // p99 latency
      'ee_degraded_decisions_total', // degraded-decision rate
    ]) {
      expect(exprs).toContain(metric)
    }
  })

  it.each(rules.map((r) => [r.alert, r] as const))(
    '%s is valid PromQL over metrics the code registers',
    async (_, rule) => {
      const { metrics, errors } = selectedMetrics(rule.expr)
      expect(errors).toEqual([])
      expect(metrics.length).toBeGreaterThan(0)
      const registered = await registeredSeries()
      for (const metric of metrics) expect(registered, `${rule.alert}: ${metric}`).toContain(metric)
    },
  )

  it.each(rules.map((r) => [r.alert, r] as const))(
    '%s has a severity, a summary and a runbook section',
    (_, rule) => {
      expect(['critical', 'warning']).toContain(rule.labels.severity)
      expect(rule.annotations.summary.length).toBeGreaterThan(10)
      const anchor = /^DEPLOY\.md#([a-z0-9-]+)/.exec(rule.annotations.runbook)?.[1]
      expect(deployAnchors(), rule.annotations.runbook).toContain(anchor)
    },
  )

  it('rejects an expression that is not PromQL and a metric that does not exist', async () => {
    expect(selectedMetrics('sum(rate(ee_errors_total[5m]) >').errors).not.toEqual([])
    expect(await registeredSeries()).not.toContain('ee_no_such_metric_total')
  })

  it('lists every alerting metric in the Grafana metric list', () => {
    const list = read('ops/grafana/METRICS.md')
    for (const rule of rules)
      for (const metric of selectedMetrics(rule.expr).metrics) {
        if (metric !== 'up') expect(list, metric).toContain(metric.replace(/_(bucket|sum|count)$/, ''))
      }
  })
})
