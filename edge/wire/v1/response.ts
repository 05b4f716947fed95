import type { EvaluateResponse, HardRule } from '../../../engine/index'
import { numberConcepts } from './concept-ids'
import { roundHalfEven } from './lax'

/**
 * The engine's result rendered as the replaced service's `EvaluateResponse`: every field it had,
 * with its type, plus additive fields only (`score_exato`, `regras`, `faltantes_nomes`,
 * `criticos_faltantes_nomes`, `evidencias`, `cached`, and more `meta`).
 */

export type V1RuleName = 'input_minimo' | 'aprovacao' | 'carga_horaria' | 'validade_temporal' | 'nivel'
export interface V1HardRule {
  rule: V1RuleName
  ok: boolean
  details: string | null
}
export interface V1Timings {
  validate_ms: number
  hard_rules: number
  map: number
  score: number
  decide: number
  justify: number
  total: number
}
export interface V1ConceptEvidence {
  node_id: number
  weight: number
  confidence: number
  evidence: string[]
}
export interface V1EvidenceBlock {
  covered_concepts: V1ConceptEvidence[]
  missing_concepts: number[]
  missing_critical_concepts: number[]
}
export interface V1Breakdown {
  cobertura: number
  cobertura_critica: number
  penalidade_nivel: number
  [extra: string]: number
}

export interface V1EvaluateResponse {
  request_id: string
  decisao: EvaluateResponse['decisao']
  score: number
  score_exato: number
  breakdown: V1Breakdown
  hard_rules: V1HardRule[]
  regras: HardRule[]
  faltantes: number[]
  faltantes_nomes: string[]
  criticos_faltantes: number[]
  criticos_faltantes_nomes: string[]
  justificativa_curta: string
  justificativa_detalhada: string
  evidence: V1EvidenceBlock | null
  evidencias?: EvaluateResponse['evidence']
  degraded_mode: boolean
  model_version: string
  policy_version: string
  taxonomy_version: string
  timings_ms: V1Timings
  meta: Record<string, unknown>
  cached?: true
}

/** Reported as `taxonomy_version` when no taxonomy decided and the client named none. */
export const NO_TAXONOMY_LABEL = 'ementa-destino'

export interface V1RenderInput {
  /** The engine's answer as stored. */
  response: EvaluateResponse
  requestId: string
  /** The labels the client sent (echoed), or null for the versions that decided. */
  labels?: { policy_version: string | null; taxonomy_version: string | null }
  /** `options.return_evidence` of the request. @default true */
  returnEvidence?: boolean
  /** A stored answer given again (the original's `"cached": true`). */
  cached?: boolean
  /** The taxonomy that decided, to report concepts by node id. */
  nodes?: readonly { id: string; conceito: string }[]
}

/** Native rule name → the original's; the others (sequence, critical concepts) stay in `regras`. */
const RULE_OF: Record<string, V1RuleName> = {
  aprovacao: 'aprovacao',
  carga_horaria: 'carga_horaria',
  idade: 'validade_temporal',
  nivel: 'nivel',
}
const ORDER: V1RuleName[] = ['input_minimo', 'aprovacao', 'carga_horaria', 'validade_temporal', 'nivel']
const MAX_COVERED = 50
const MAX_MISSING = 200

function hardRules(rules: readonly HardRule[]): V1HardRule[] {
  const byName = new Map<V1RuleName, V1HardRule>()
  byName.set('input_minimo', { rule: 'input_minimo', ok: true, details: null })
  for (const r of rules) {
    const name = RULE_OF[r.regra]
    if (!name) continue
    // Not applicable passes, as it did in the original ("Não aplicável").
    byName.set(name, { rule: name, ok: r.passou !== false, details: r.passou === null ? `Não aplicável: ${r.detalhe}` : r.detalhe })
  }
  return ORDER.map((name) => byName.get(name) ?? { rule: name, ok: true, details: 'Não aplicável: regra não avaliada.' })
}

function timings(t: EvaluateResponse['timings_ms']): V1Timings {
  const ms = (x: number | undefined) => Math.max(0, Math.round(x ?? 0))
  return {
    validate_ms: ms(t.analise),
    hard_rules: ms(t.regras),
    map: ms(t.mapeamento),
    // The engine times scoring, decision and justification as one step.
    score: ms(t.decisao),
    decide: 0,
    justify: 0,
    total: ms(t.total),
  }
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x))

export function renderV1Evaluate(input: V1RenderInput): V1EvaluateResponse {
  const r = input.response
  const returnEvidence = input.returnEvidence ?? true
  const rules = hardRules(r.hard_rules)
  const blocked = r.decisao === 'INDEFERIDO' && rules.some((h) => !h.ok && h.rule !== 'input_minimo')
  const ids = numberConcepts(r, input.nodes)
  const { cobertura, cobertura_critica, penalidade_nivel, ...extraBreakdown } = r.breakdown
  const evidence: V1EvidenceBlock | null =
    blocked || !returnEvidence
      ? null
      : {
          covered_concepts: coveredConcepts(r, ids.of).slice(0, MAX_COVERED),
          missing_concepts: ids.faltantes.slice(0, MAX_MISSING),
          missing_critical_concepts: ids.criticosFaltantes.slice(0, MAX_MISSING),
        }
  return {
    request_id: input.requestId,
    decisao: r.decisao,
    score: blocked ? 0 : Math.min(100, Math.max(0, roundHalfEven(r.score))),
    score_exato: r.score,
    breakdown: {
      cobertura: clamp01(cobertura),
      cobertura_critica: clamp01(cobertura_critica),
      // The original's penalty is a 0..1 share; the engine's is in score points.
      penalidade_nivel: clamp01(penalidade_nivel / 100),
      penalidade_nivel_pontos: penalidade_nivel,
      ...extraBreakdown,
    },
    hard_rules: rules,
    regras: r.hard_rules,
    faltantes: ids.faltantes,
    faltantes_nomes: r.faltantes,
    criticos_faltantes: ids.criticosFaltantes,
    criticos_faltantes_nomes: r.criticos_faltantes,
    justificativa_curta: r.justificativa_curta,
    justificativa_detalhada: r.justificativa_detalhada,
    evidence,
    ...(returnEvidence ? { evidencias: r.evidence } : {}),
    degraded_mode: r.degraded_mode,
    model_version: r.model_version,
    policy_version: input.labels?.policy_version ?? r.policy_version,
    taxonomy_version: input.labels?.taxonomy_version ?? r.taxonomy_version ?? NO_TAXONOMY_LABEL,
    timings_ms: timings(r.timings_ms),
    meta: {
      ...r.meta,
      request_id: input.requestId,
      blocked_by_hard_rules: blocked,
      mapper_used: r.degraded_mode ? 'fallback' : 'primary',
      // What actually decided, whatever labels the client sent.
      versao_politica_aplicada: r.policy_version,
      versao_taxonomia_aplicada: r.taxonomy_version,
    },
    ...(input.cached ? { cached: true as const } : {}),
  }
}

function coveredConcepts(r: EvaluateResponse, of: (id: string, nome: string) => number): V1ConceptEvidence[] {
  const byConcept = new Map<string, V1ConceptEvidence>()
  for (const e of r.evidence) {
    const existing = byConcept.get(e.conceito_id)
    if (existing) {
      existing.evidence.push(e.origem.trecho)
      existing.confidence = Math.max(existing.confidence, e.confianca)
      continue
    }
    byConcept.set(e.conceito_id, {
      node_id: of(e.conceito_id, e.conceito),
      weight: 1,
      confidence: clamp01(e.confianca),
      evidence: [e.origem.trecho],
    })
  }
  return [...byConcept.values()]
}
