import type { PairFeatures } from './features'
import type { Policy } from './policy'
import type { RuleOutcome } from './rules'
import type { Decisao } from './schemas'

export interface ScoreInput {
  cobertura: number
  /** null when the target has no critical concepts: the weight then does not count. */
  coberturaCritica: number | null
  features: PairFeatures
  penalidadeNivel: number
}

/** The target's title named in the origin's syllabus is weaker evidence than a matching title. */
const TITLE_MENTION_WEIGHT = 0.6
/** A target syllabus reproduced this completely identifies the course whatever its title. */
const FULL_CONTENT = 0.85

/**
 * How strongly the pair identifies as one course: the titles match (sequence markers and codes
 * aside), the origin names the target's subject, or it reproduces the target's syllabus almost
 * entirely. On real pairs this separates equivalent courses far better than shared vocabulary,
 * because courses of one department share most of their words.
 */
export function identification(features: PairFeatures, cobertura: number): number {
  const title = features.sameTitle ? 1 : features.titleSimilarity
  const mentioned = TITLE_MENTION_WEIGHT * features.targetTitleInOrigin
  const content = Math.min(cobertura, features.termCoverage)
  return Math.max(title, mentioned, content >= FULL_CONTENT ? content : 0)
}

/** 0–100: weighted content coverage, identification and critical coverage, minus the level penalty. */
export function computeScore({ cobertura, coberturaCritica, features, penalidadeNivel }: ScoreInput, policy: Policy): number {
  const w = policy.pesos
  const critical = coberturaCritica === null ? 0 : w.cobertura_critica
  const total = w.cobertura + w.titulo + critical
  const sum = w.cobertura * cobertura + w.titulo * identification(features, cobertura) + critical * (coberturaCritica ?? 0)
  const raw = total > 0 ? (100 * sum) / total : 0
  return round2(Math.min(100, Math.max(0, raw - penalidadeNivel)))
}

export interface DecisionInput {
  score: number
  cobertura: number
  rules: readonly RuleOutcome[]
  degraded: boolean
}

/** Score at or above which a pair is DEFERIDO, and below which it is INDEFERIDO. */
export interface Thresholds {
  score_deferido: number
  score_revisao: number
}

/**
 * Hard rules first (a blocking failure refuses; a borderline one asks a person), then the score
 * against the scorer's thresholds. DEFERIDO also needs the policy's minimum coverage: a similar
 * title alone never credits a course. A score in between asks a person: abstaining beats a wrong
 * decision.
 */
export function decide({ score, cobertura, rules, degraded }: DecisionInput, policy: Policy, thresholds: Thresholds = policy): Decisao {
  if (rules.some((r) => r.efeito === 'bloqueia')) return 'INDEFERIDO'
  if (degraded || rules.some((r) => r.efeito === 'revisao')) return 'ANALISE_HUMANA'
  return decideByScore(score, cobertura, thresholds, policy.cobertura_minima)
}

/** The score's part of `decide`, shared with training and calibration so they choose what the engine does. */
export function decideByScore(score: number, cobertura: number, thresholds: Thresholds, coberturaMinima: number): Decisao {
  if (score >= thresholds.score_deferido && cobertura >= coberturaMinima) return 'DEFERIDO'
  if (score < thresholds.score_revisao) return 'INDEFERIDO'
  return 'ANALISE_HUMANA'
}

/** A model's probability as a 0–100 score, rounded like every score. */
export function scoreOf(probability: number): number {
  return round2(100 * probability)
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100
}
