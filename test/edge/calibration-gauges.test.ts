import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../edge/lib/metrics'
import { recordAgreement } from '../../edge/routes/calibrations/metrics'

/** The agreement gauges show the newest calibration of a scope, whichever report is read last. */
describe('ee_review_agreement', () => {
  const gauge = async (metrics: ReturnType<typeof createMetrics>) => {
    const text = await metrics.registry.metrics()
    return text
      .split('\n')
      .filter((l) => l.startsWith('ee_review_agreement{') || l.startsWith('ee_review_agreement_cases{'))
      .sort()
  }

  it('keeps the newest calibration when an older report is read after it', async () => {
    const metrics = createMetrics()
    const scope = { tenant: 't1', course: 'c1' }
    recordAgreement(metrics, { ...scope, cases: 200, atual: 0.8, proposto: 0.9, measuredAt: new Date('2026-12-01T10:00:00Z') })
    const newest = await gauge(metrics)
    expect(newest).toContain('ee_review_agreement_cases{tenant="t1",course="c1"} 200')

    recordAgreement(metrics, { ...scope, cases: 50, atual: 0.5, proposto: 0.6, measuredAt: new Date('2026-11-01T10:00:00Z') })
    expect(await gauge(metrics)).toEqual(newest)

    recordAgreement(metrics, { ...scope, cases: 300, atual: 0.85, proposto: 0.95, measuredAt: new Date('2026-12-02T10:00:00Z') })
    expect(await gauge(metrics)).toContain('ee_review_agreement_cases{tenant="t1",course="c1"} 300')
    // Another scope is its own.
    recordAgreement(metrics, { tenant: 't2', course: null, cases: 10, atual: 1, proposto: 1, measuredAt: new Date('2020-01-01T00:00:00Z') })
    expect(await gauge(metrics)).toContain('ee_review_agreement_cases{tenant="t2",course="*"} 10')
  })
})
