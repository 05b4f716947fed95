import { decideByScore, type Thresholds } from './score'
import type { Decisao } from './schemas'

/**
 * Choosing a scorer's two thresholds from labelled (or reviewed) cases, and the figures that
 * judge a choice. Pure: training (`bench/train.ts`), `npm run eval -- --calibrate` and per-tenant
 * calibration all call the same search, so they choose what the engine will then decide.
 */

/** One labelled case as the score sees it. */
export interface ScoredCase {
  score: number
  cobertura: number
  /** A blocking rule failed: INDEFERIDO whatever the score. */
  blocked: boolean
  /** A rule or the mapper asks for a person whatever the score. */
  review: boolean
  equivalent: boolean
  /** Any grouping to hold the constraints in separately (language, course); optional. */
  stratum?: string
}

export interface Constraints {
  /** Minimum DEFERIDO precision. */
  deferidoPrecision: number
  /** Minimum accuracy of the automatic decisions (DEFERIDO and INDEFERIDO together). */
  autoAccuracy: number
  /** Minimum INDEFERIDO precision; 0 = none. */
  indeferidoPrecision: number
  /** Strata with at least this many cases must meet the constraints on their own too; 0 = pooled only. */
  minStratum: number
}

export interface Confusion {
  equivalent: Record<Decisao, number>
  not_equivalent: Record<Decisao, number>
}

export interface DecisionSummary {
  n: number
  autoRate: number
  autoAccuracy: number
  deferidoPrecision: number
  deferidoRecall: number
  indeferidoPrecision: number
  /** 95% Wilson intervals of the two precisions. */
  deferidoPrecisionCi: [number, number]
  indeferidoPrecisionCi: [number, number]
  confusion: Confusion
}

export function decideCase(c: ScoredCase, t: Thresholds, coberturaMinima: number): Decisao {
  if (c.blocked) return 'INDEFERIDO'
  if (c.review) return 'ANALISE_HUMANA'
  return decideByScore(c.score, c.cobertura, t, coberturaMinima)
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN)

/** 95% Wilson score interval of `k` successes in `n`; [0, 1] when n = 0. */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1]
  const p = k / n
  const d = 1 + (z * z) / n
  const centre = (p + (z * z) / (2 * n)) / d
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d
  return [Math.max(0, centre - half), Math.min(1, centre + half)]
}

export function emptyConfusion(): Confusion {
  return {
    equivalent: { DEFERIDO: 0, INDEFERIDO: 0, ANALISE_HUMANA: 0 },
    not_equivalent: { DEFERIDO: 0, INDEFERIDO: 0, ANALISE_HUMANA: 0 },
  }
}

export function summariseDecisions(
  cases: readonly { equivalent: boolean; decisao: Decisao }[],
): DecisionSummary {
  const confusion = emptyConfusion()
  for (const c of cases) confusion[c.equivalent ? 'equivalent' : 'not_equivalent'][c.decisao]++
  return summariseConfusion(confusion)
}

/** The figures of a confusion table counted elsewhere (e.g. while paging through cases). */
export function summariseConfusion(confusion: Confusion): DecisionSummary {
  const eq = confusion.equivalent
  const ne = confusion.not_equivalent
  const deferidos = eq.DEFERIDO + ne.DEFERIDO
  const indeferidos = eq.INDEFERIDO + ne.INDEFERIDO
  const n = eq.DEFERIDO + eq.INDEFERIDO + eq.ANALISE_HUMANA + ne.DEFERIDO + ne.INDEFERIDO + ne.ANALISE_HUMANA
  return {
    n,
    autoRate: ratio(deferidos + indeferidos, n),
    autoAccuracy: ratio(eq.DEFERIDO + ne.INDEFERIDO, deferidos + indeferidos),
    deferidoPrecision: ratio(eq.DEFERIDO, deferidos),
    deferidoRecall: ratio(eq.DEFERIDO, eq.DEFERIDO + eq.INDEFERIDO + eq.ANALISE_HUMANA),
    indeferidoPrecision: ratio(ne.INDEFERIDO, indeferidos),
    deferidoPrecisionCi: wilson(eq.DEFERIDO, deferidos),
    indeferidoPrecisionCi: wilson(ne.INDEFERIDO, indeferidos),
    confusion,
  }
}

export interface ThresholdChoice {
  thresholds: Thresholds
  /** Automatic decisions among the cases. */
  automatic: number
  summary: DecisionSummary
}

/** Counts at each grid step: cases a threshold there would send one way or the other. */
interface Counts {
  /** Eligible for DEFERIDO (no rule in the way, coverage floor met) with score ≥ grid[k]: [equivalent, not]. */
  defAbove: [Float64Array, Float64Array]
  /** Free (no rule in the way) with score < grid[k]: [equivalent, not]. */
  indBelow: [Float64Array, Float64Array]
  /** Blocked cases: [equivalent, not]. */
  blocked: [number, number]
}

function countsOn(cases: readonly ScoredCase[], grid: readonly number[], coberturaMinima: number): Counts {
  const k = grid.length
  const defAbove: Counts['defAbove'] = [new Float64Array(k), new Float64Array(k)]
  const indBelow: Counts['indBelow'] = [new Float64Array(k), new Float64Array(k)]
  const blocked: [number, number] = [0, 0]
  for (const c of cases) {
    const side = c.equivalent ? 0 : 1
    if (c.blocked) {
      blocked[side]++
      continue
    }
    if (c.review) continue
    for (let i = 0; i < k; i++) {
      if (c.score >= grid[i]! && c.cobertura >= coberturaMinima) defAbove[side]![i]!++
      if (c.score < grid[i]!) indBelow[side]![i]!++
    }
  }
  return { defAbove, indBelow, blocked }
}

function meets(
  counts: Counts,
  lo: number,
  hi: number,
  n: number,
  k: Constraints,
): { ok: boolean; automatic: number; correct: number } {
  const dTrue = counts.defAbove[0][hi]!
  const dFalse = counts.defAbove[1][hi]!
  const iTrue = counts.indBelow[1][lo]! + counts.blocked[1]
  const iFalse = counts.indBelow[0][lo]! + counts.blocked[0]
  const automatic = dTrue + dFalse + iTrue + iFalse
  const correct = dTrue + iTrue
  if (n === 0) return { ok: true, automatic, correct }
  const ok =
    (dTrue + dFalse === 0 || dTrue / (dTrue + dFalse) >= k.deferidoPrecision) &&
    (automatic === 0 || correct / automatic >= k.autoAccuracy) &&
    (iTrue + iFalse === 0 || iTrue / (iTrue + iFalse) >= k.indeferidoPrecision)
  return { ok, automatic, correct }
}

/** Scores a threshold may take: 0 to 100 in steps of 0.5 (finer steps only fit the noise of a sample). */
export const THRESHOLD_GRID: readonly number[] = Array.from({ length: 202 }, (_, i) => i * 0.5)

/**
 * The thresholds (DEFERIDO at or above `score_deferido`, INDEFERIDO below `score_revisao`) that
 * make the most automatic decisions while meeting the constraints, pooled and in every stratum
 * large enough; ties go to the more accurate, then the stricter choice. When nothing meets them,
 * the choice that decides nothing automatically beyond the hard rules.
 */
export function chooseThresholds(
  cases: readonly ScoredCase[],
  constraints: Constraints,
  coberturaMinima: number,
): ThresholdChoice {
  const grid = THRESHOLD_GRID
  const pooled = countsOn(cases, grid, coberturaMinima)
  const strata = new Map<string, ScoredCase[]>()
  for (const c of cases)
    if (c.stratum !== undefined) strata.set(c.stratum, [...(strata.get(c.stratum) ?? []), c])
  const checked = [...strata.values()].filter(
    (s) => constraints.minStratum > 0 && s.length >= constraints.minStratum,
  )
  const perStratum = checked.map((s) => ({ counts: countsOn(s, grid, coberturaMinima), n: s.length }))
  const top = grid.length - 1
  let best = { lo: 0, hi: top, automatic: -1, correct: -1 }
  for (let hi = top; hi >= 0; hi--) {
    for (let lo = 0; lo <= hi; lo++) {
      const m = meets(pooled, lo, hi, cases.length, constraints)
      if (!m.ok) continue
      const better =
        m.automatic > best.automatic || (m.automatic === best.automatic && m.correct > best.correct)
      if (!better) continue
      if (!perStratum.every((s) => meets(s.counts, lo, hi, s.n, constraints).ok)) continue
      best = { lo, hi, automatic: m.automatic, correct: m.correct }
    }
  }
  const thresholds = { score_deferido: grid[best.hi]!, score_revisao: grid[best.lo]! }
  const decided = cases.map((c) => ({
    equivalent: c.equivalent,
    decisao: decideCase(c, thresholds, coberturaMinima),
  }))
  return { thresholds, automatic: Math.max(0, best.automatic), summary: summariseDecisions(decided) }
}

/**
 * Cases summarised for the threshold search without keeping them: per grid step, how many (of the
 * equivalent / not equivalent ones) score there. A score `s` falls in bin `floor(2s)`, so
 * `s ≥ THRESHOLD_GRID[i]` exactly when its bin is `≥ i`: a search over a histogram chooses what
 * `chooseThresholds` chooses over the same cases (without strata). Its size does not grow with
 * the number of cases.
 */
export interface ScoreHistogram {
  /** Cases no rule holds back whose coverage meets the floor (they may be DEFERIDO), per bin: [equivalent, not]. */
  eligible: [Float64Array, Float64Array]
  /** Cases no rule holds back (they may be INDEFERIDO), per bin: [equivalent, not]. */
  free: [Float64Array, Float64Array]
  blocked: [number, number]
  review: [number, number]
  n: number
}

export function emptyHistogram(): ScoreHistogram {
  const k = THRESHOLD_GRID.length
  return {
    eligible: [new Float64Array(k), new Float64Array(k)],
    free: [new Float64Array(k), new Float64Array(k)],
    blocked: [0, 0],
    review: [0, 0],
    n: 0,
  }
}

const binOf = (score: number) => Math.max(0, Math.min(THRESHOLD_GRID.length - 1, Math.floor(score * 2)))

export function addToHistogram(h: ScoreHistogram, c: ScoredCase, coberturaMinima: number): void {
  const side = c.equivalent ? 0 : 1
  h.n++
  if (c.blocked) h.blocked[side]++
  else if (c.review) h.review[side]++
  else {
    const bin = binOf(c.score)
    h.free[side][bin]!++
    if (c.cobertura >= coberturaMinima) h.eligible[side][bin]!++
  }
}

/** Adds `from` into `into`. */
export function mergeHistograms(into: ScoreHistogram, from: ScoreHistogram): ScoreHistogram {
  for (const side of [0, 1] as const) {
    for (let i = 0; i < THRESHOLD_GRID.length; i++) {
      into.eligible[side][i]! += from.eligible[side][i]!
      into.free[side][i]! += from.free[side][i]!
    }
    into.blocked[side] += from.blocked[side]
    into.review[side] += from.review[side]
  }
  into.n += from.n
  return into
}

function countsOfHistogram(h: ScoreHistogram): Counts {
  const k = THRESHOLD_GRID.length
  const defAbove: Counts['defAbove'] = [new Float64Array(k), new Float64Array(k)]
  const indBelow: Counts['indBelow'] = [new Float64Array(k), new Float64Array(k)]
  for (const side of [0, 1] as const) {
    let above = 0
    for (let i = k - 1; i >= 0; i--) {
      above += h.eligible[side][i]!
      defAbove[side][i] = above
    }
    let below = 0
    for (let i = 0; i < k; i++) {
      indBelow[side][i] = below
      below += h.free[side][i]!
    }
  }
  return { defAbove, indBelow, blocked: [h.blocked[0], h.blocked[1]] }
}

/**
 * `chooseThresholds` over a histogram (pooled constraints only). `attainable` is false when no
 * thresholds met the constraints although some case was free to be decided by its score.
 */
export function chooseThresholdsFromHistogram(h: ScoreHistogram, constraints: Constraints): { thresholds: Thresholds; automatic: number; attainable: boolean } {
  const grid = THRESHOLD_GRID
  const counts = countsOfHistogram(h)
  const top = grid.length - 1
  let best = { lo: 0, hi: top, automatic: -1, correct: -1 }
  for (let hi = top; hi >= 0; hi--) {
    for (let lo = 0; lo <= hi; lo++) {
      const m = meets(counts, lo, hi, h.n, constraints)
      if (!m.ok) continue
      if (m.automatic > best.automatic || (m.automatic === best.automatic && m.correct > best.correct)) {
        best = { lo, hi, automatic: m.automatic, correct: m.correct }
      }
    }
  }
  const free = counts.indBelow[0][top]! + counts.indBelow[1][top]! + h.free[0][top]! + h.free[1][top]!
  const automatic = Math.max(0, best.automatic)
  return { thresholds: { score_deferido: grid[best.hi]!, score_revisao: grid[best.lo]! }, automatic, attainable: automatic > 0 || free === 0 }
}
