import type { PairFeatures } from './features'
import type { Policy } from './policy'
import type { RuleOutcome } from './rules'
import type { Decisao } from './schemas'

export interface ScoreInput {
  cobertura: number
  coberturaCritica: number
  features: PairFeatures
  penalidadeNivel: number
}

/** 0–100: weighted coverage, critical coverage and title similarity, minus the level penalty. */
export function computeScore({ cobertura, coberturaCritica, features, penalidadeNivel }: ScoreInput, policy: Policy): number {
  const w = policy.pesos
  const total = w.cobertura + w.cobertura_critica + w.titulo
  const title = features.sameTitle ? 1 : features.titleSimilarity
  const raw = total > 0 ? (100 * (w.cobertura * cobertura + w.cobertura_critica * coberturaCritica + w.titulo * title)) / total : 0
  return round2(Math.min(100, Math.max(0, raw - penalidadeNivel)))
}

export interface DecisionInput {
  score: number
  cobertura: number
  features: PairFeatures
  rules: readonly RuleOutcome[]
  degraded: boolean
}

/**
 * Hard rules first (a blocking failure refuses; a borderline one asks a person), then the score.
 * DEFERIDO also needs the policy's minimum coverage: a similar title alone never credits a course.
 */
export function decide({ score, cobertura, features, rules, degraded }: DecisionInput, policy: Policy): Decisao {
  if (rules.some((r) => r.efeito === 'bloqueia')) return 'INDEFERIDO'
  if (degraded || rules.some((r) => r.efeito === 'revisao')) return 'ANALISE_HUMANA'
  const enoughContent = cobertura >= policy.cobertura_minima || (features.sameTitle && cobertura >= policy.cobertura_minima / 2)
  if (score >= policy.score_deferido && enoughContent) return 'DEFERIDO'
  if (score < policy.score_revisao) return 'INDEFERIDO'
  return 'ANALISE_HUMANA'
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100
}
