import { describe, expect, it } from 'vitest'
import {
  addToHistogram,
  chooseThresholds,
  chooseThresholdsFromHistogram,
  emptyConfusion,
  emptyHistogram,
  mergeHistograms,
  summariseConfusion,
  summariseDecisions,
  wilson,
  type ScoredCase,
} from './calibration'

/** A deterministic pseudo-random stream (mulberry32), so the synthetic sets are the same every run. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Equivalent pairs score uniformly in [40, 100), non-equivalent in [0, 60): above 60 every case
 * is equivalent and below 40 none is, so with 100% precision required the best thresholds are
 * exactly 60 (DEFERIDO at or above) and 40 (INDEFERIDO below).
 */
function separable(n: number, seed: number): ScoredCase[] {
  const next = random(seed)
  return Array.from({ length: n }, (_, i) => {
    const equivalent = i % 2 === 0
    return { score: equivalent ? 40 + 60 * next() : 60 * next(), cobertura: 1, blocked: false, review: false, equivalent, stratum: i % 4 < 2 ? 'pt' : 'en' }
  })
}

const strict = { deferidoPrecision: 1, autoAccuracy: 1, indeferidoPrecision: 1, minStratum: 0 }

describe('chooseThresholds', () => {
  it('finds the known best thresholds of a synthetic set', () => {
    const { thresholds, summary } = chooseThresholds(separable(2000, 1), strict, 0.1)
    expect(thresholds.score_deferido).toBeCloseTo(60, 0)
    expect(thresholds.score_revisao).toBeCloseTo(40, 0)
    expect(summary.deferidoPrecision).toBe(1)
    expect(summary.autoRate).toBeGreaterThan(0.6)
  })

  it('keeps the precision constraint on a held-out sample of the same population', () => {
    const loose = { deferidoPrecision: 0.95, autoAccuracy: 0.9, indeferidoPrecision: 0, minStratum: 0 }
    const { thresholds } = chooseThresholds(separable(3000, 2), loose, 0.1)
    const held = separable(3000, 3)
    const decided = held.map((c) => ({
      equivalent: c.equivalent,
      decisao: c.score >= thresholds.score_deferido ? ('DEFERIDO' as const) : c.score < thresholds.score_revisao ? ('INDEFERIDO' as const) : ('ANALISE_HUMANA' as const),
    }))
    const s = summariseDecisions(decided)
    expect(s.deferidoPrecision).toBeGreaterThanOrEqual(0.93)
    expect(s.autoAccuracy).toBeGreaterThanOrEqual(0.88)
  })

  it('never lets hard rules be overridden and counts blocked cases as refusals', () => {
    const cases: ScoredCase[] = [
      { score: 99, cobertura: 1, blocked: true, review: false, equivalent: false },
      { score: 99, cobertura: 1, blocked: false, review: true, equivalent: true },
      { score: 99, cobertura: 1, blocked: false, review: false, equivalent: true },
      { score: 1, cobertura: 1, blocked: false, review: false, equivalent: false },
    ]
    const { summary } = chooseThresholds(cases, strict, 0.1)
    expect(summary.confusion.not_equivalent.INDEFERIDO).toBe(2)
    expect(summary.confusion.equivalent.ANALISE_HUMANA).toBe(1)
    expect(summary.confusion.equivalent.DEFERIDO).toBe(1)
  })

  it('decides nothing by score when no choice meets the constraints', () => {
    // The best score is a non-equivalent pair and the worst an equivalent one: any automatic decision errs.
    const noise: ScoredCase[] = Array.from({ length: 200 }, (_, i) => ({
      score: i / 2,
      cobertura: 1,
      blocked: false,
      review: false,
      equivalent: i % 2 === 0,
    }))
    const { summary, automatic } = chooseThresholds(noise, strict, 0.1)
    expect(automatic).toBe(0)
    expect(summary.autoRate).toBe(0)
  })

  it('holds each large enough stratum to the constraints on its own', () => {
    // pt is separable, en is noise: pooled the constraint could be met by pt's volume alone.
    const pt = separable(1000, 5).map((c) => ({ ...c, stratum: 'pt' }))
    const en = separable(300, 6).map((c, i) => ({ ...c, stratum: 'en', equivalent: i % 2 === 0, score: c.score > 50 ? c.score : c.score + 45 }))
    const loose = { deferidoPrecision: 0.95, autoAccuracy: 0.9, indeferidoPrecision: 0, minStratum: 100 }
    const perStratum = chooseThresholds([...pt, ...en], loose, 0.1)
    const pooled = chooseThresholds([...pt, ...en], { ...loose, minStratum: 0 }, 0.1)
    expect(perStratum.automatic).toBeLessThan(pooled.automatic)
    const enDecided = summariseDecisions(
      en.map((c) => ({ equivalent: c.equivalent, decisao: c.score >= perStratum.thresholds.score_deferido ? ('DEFERIDO' as const) : ('ANALISE_HUMANA' as const) })),
    )
    expect(Number.isNaN(enDecided.deferidoPrecision) || enDecided.deferidoPrecision >= 0.95).toBe(true)
  })
})

describe('wilson', () => {
  it('brackets the observed proportion and narrows with more cases', () => {
    const [lo, hi] = wilson(19, 20)
    expect(lo).toBeLessThan(0.95)
    expect(hi).toBeGreaterThan(0.95)
    const [lo2, hi2] = wilson(190, 200)
    expect(hi2 - lo2).toBeLessThan(hi - lo)
    expect(wilson(0, 0)).toEqual([0, 1])
    expect(wilson(10, 10)[1]).toBe(1)
  })
})

describe('a policy with per-language thresholds (what a per-language calibration activates)', () => {
  it('decides each language on its own pair, the others on the policy-wide or the model thresholds', async () => {
    const { evaluate } = await import('./__fixtures__/evaluate')
    const { calculo1, calculo1Antigo } = await import('./__fixtures__/courses')
    const { PolicySchema } = await import('./policy')
    const pair = { origem: calculo1, destino: calculo1Antigo }
    const base = await evaluate(pair)
    expect(base.meta.idioma).toBe('pt')
    const below = Math.max(0, Math.floor(base.score) - 1)
    // Portuguese: credit from just below this pair's score; an English-only pair leaves it to the model.
    const pt = await evaluate(pair, { policy: { modelo: { limiares_por_idioma: { pt: { score_deferido: below, score_revisao: 0 } } } } })
    expect(pt.decisao).toBe('DEFERIDO')
    const enOnly = await evaluate(pair, { policy: { modelo: { limiares_por_idioma: { en: { score_deferido: 0, score_revisao: 0 } } } } })
    expect(enOnly.decisao).toBe(base.decisao)
    // Per-language wins over the policy-wide pair.
    const both = await evaluate(pair, {
      policy: { modelo: { score_deferido: 100, score_revisao: 100, limiares_por_idioma: { pt: { score_deferido: below, score_revisao: 0 } } } },
    })
    expect(both.decisao).toBe('DEFERIDO')
    expect(PolicySchema.safeParse({ modelo: { limiares_por_idioma: { pt: { score_deferido: 40, score_revisao: 60 } } } }).success).toBe(false)
    expect(PolicySchema.safeParse({ modelo: { limiares_por_idioma: { fr: { score_deferido: 60, score_revisao: 40 } } } }).success).toBe(false)
  })
})

describe('chooseThresholdsFromHistogram (cases counted, not kept)', () => {
  /** Mixed sets: scores on and off the grid (two decimals, as scores are), blocked, review, low coverage. */
  function mixed(n: number, seed: number): ScoredCase[] {
    const next = random(seed)
    return Array.from({ length: n }, () => {
      const equivalent = next() < 0.5
      const r = next()
      return {
        score: Math.round((equivalent ? 30 + 70 * next() : 70 * next()) * 100) / 100,
        cobertura: next() < 0.1 ? 0.05 : 0.9,
        blocked: r < 0.05,
        review: r >= 0.05 && r < 0.1,
        equivalent,
      }
    })
  }

  it('chooses exactly what chooseThresholds chooses over the same cases, merged in any split', () => {
    const constraints = [
      strict,
      { deferidoPrecision: 0.95, autoAccuracy: 0, indeferidoPrecision: 0.9, minStratum: 0 },
      { deferidoPrecision: 0.8, autoAccuracy: 0.85, indeferidoPrecision: 0, minStratum: 0 },
    ]
    for (let seed = 1; seed <= 6; seed++) {
      const cases = [...mixed(400, seed), { score: 60, cobertura: 1, blocked: false, review: false, equivalent: true }, { score: 59.99, cobertura: 1, blocked: false, review: false, equivalent: false }]
      for (const k of constraints) {
        const direct = chooseThresholds(cases, k, 0.1)
        const parts = [emptyHistogram(), emptyHistogram(), emptyHistogram()]
        cases.forEach((c, i) => addToHistogram(parts[i % 3]!, c, 0.1))
        const merged = parts.reduce((into, h) => mergeHistograms(into, h), emptyHistogram())
        const fromHistogram = chooseThresholdsFromHistogram(merged, k)
        expect(fromHistogram.thresholds, `seed ${seed}`).toEqual(direct.thresholds)
        expect(fromHistogram.automatic).toBe(direct.automatic)
        expect(merged.n).toBe(cases.length)
      }
    }
  })

  it('says when no thresholds meet the constraints', () => {
    const noise: ScoredCase[] = Array.from({ length: 200 }, (_, i) => ({ score: i / 2, cobertura: 1, blocked: false, review: false, equivalent: i % 2 === 0 }))
    const h = emptyHistogram()
    for (const c of noise) addToHistogram(h, c, 0.1)
    expect(chooseThresholdsFromHistogram(h, strict)).toMatchObject({ automatic: 0, attainable: false })
    expect(chooseThresholdsFromHistogram(emptyHistogram(), strict).attainable).toBe(true)
  })

  it('summarises a confusion table counted elsewhere as it summarises the decisions', () => {
    const decided = mixed(300, 9).map((c, i) => ({ equivalent: c.equivalent, decisao: (['DEFERIDO', 'INDEFERIDO', 'ANALISE_HUMANA'] as const)[i % 3]! }))
    const confusion = emptyConfusion()
    for (const d of decided) confusion[d.equivalent ? 'equivalent' : 'not_equivalent'][d.decisao]++
    expect(summariseConfusion(confusion)).toEqual(summariseDecisions(decided))
  })
})
