import {
  chooseThresholds,
  decideCase,
  summariseDecisions,
  type Constraints,
  type DecisionSummary,
  type ScoredCase,
} from '../engine/calibration'
import { EvaluateRequestSchema, predict, scoreOf, scoringInput, type Decisao, type Policy, type Thresholds } from '../engine/index'
import type { CompiledModel } from '../engine/model/gbdt'

/**
 * The pure part of a calibration: reviewed cases in, proposed thresholds and the report that
 * justifies them out. Every case is measured again by the engine under the base policy (no
 * taxonomy), scored by its model, and labelled by its latest review.
 */

export interface ReviewedCase {
  resultId: string
  courseId: string | null
  inputs: Record<string, unknown>
  label: 'DEFERIDO' | 'INDEFERIDO'
}

export interface CalibrationParams {
  precisao_minima_deferido: number
  precisao_minima_indeferido: number
  min_revisoes: number
}

type SummaryView = ReturnType<typeof summaryView>

export interface CalibrationReport {
  revisoes: number
  /** Cases whose stored inputs no longer parse as a request (skipped). */
  descartadas: number
  modelo: string
  restricoes: CalibrationParams
  limiares_atuais: Thresholds
  limiares_propostos: Thresholds
  atual: SummaryView
  proposto: SummaryView
  /** Thresholds chosen without each fold's courses, applied to that fold: what to expect on new cases. */
  validacao_cruzada: SummaryView & { folds: number; agrupada_por: string }
  concordancia: { atual: number; proposto: number }
  casos_alterados: { result_id: string; course_id: string | null; decisao_atual: Decisao; decisao_proposta: Decisao; revisao: string }[]
  /** True when no thresholds met the constraints: the proposal then decides nothing by score. */
  restricoes_inalcancaveis: boolean
}

const round = (x: number) => (Number.isNaN(x) ? null : Math.round(x * 10_000) / 10_000)

function summaryView(s: DecisionSummary) {
  return {
    n: s.n,
    taxa_automacao: round(s.autoRate),
    acuracia_automatica: round(s.autoAccuracy),
    precisao_deferido: round(s.deferidoPrecision),
    precisao_deferido_ic95: s.deferidoPrecisionCi.map(round),
    precisao_indeferido: round(s.indeferidoPrecision),
    precisao_indeferido_ic95: s.indeferidoPrecisionCi.map(round),
    recall_deferido: round(s.deferidoRecall),
    // Rows: the reviewer's label; columns: the engine's decision.
    confusao: { DEFERIDO: s.confusion.equivalent, INDEFERIDO: s.confusion.not_equivalent },
  }
}

/** Course groups for the cross-validation: the course id, else the target course's name. */
function groupOf(c: ReviewedCase, request: { destino: { nome: string } }): string {
  return c.courseId ?? `destino:${request.destino.nome.trim().toLowerCase()}`
}

function fnv(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

export async function buildCalibrationReport(args: {
  cases: readonly ReviewedCase[]
  policy: Policy
  model: CompiledModel
  current: Thresholds
  /** The model's thresholds per language, which the engine uses when the policy sets none of its own. */
  currentByLanguage?: Readonly<Record<string, Thresholds>>
  params: CalibrationParams
  referenceDate: string
}): Promise<{ thresholds: Thresholds; report: CalibrationReport }> {
  const { policy, model, current, params } = args
  const constraints: Constraints = {
    deferidoPrecision: params.precisao_minima_deferido,
    autoAccuracy: 0,
    indeferidoPrecision: params.precisao_minima_indeferido,
    minStratum: 0,
  }
  const scored: { source: ReviewedCase; group: string; lang: string; case: ScoredCase }[] = []
  let skipped = 0
  for (const c of args.cases) {
    const parsed = EvaluateRequestSchema.safeParse(c.inputs)
    if (!parsed.success) {
      skipped++
      continue
    }
    const input = await scoringInput(parsed.data, { policy, policyVersion: 'calibracao', referenceDate: args.referenceDate })
    scored.push({
      source: c,
      group: groupOf(c, parsed.data),
      lang: input.lang,
      case: {
        score: scoreOf(predict(model, input.vector).probability),
        cobertura: input.cobertura,
        blocked: input.blocked,
        review: input.review,
        equivalent: c.label === 'DEFERIDO',
      },
    })
  }
  const cases = scored.map((s) => s.case)
  const choice = chooseThresholds(cases, constraints, policy.cobertura_minima)
  const proposed = choice.thresholds

  // Grouped cross-validation: no course in both the choosing and the scoring part.
  const groups = [...new Set(scored.map((s) => s.group))]
  const k = Math.min(5, groups.length)
  const foldOf = new Map(groups.map((g) => [g, fnv(g) % Math.max(1, k)]))
  const cvRows: { equivalent: boolean; decisao: Decisao }[] = []
  for (let f = 0; f < k; f++) {
    const fit = scored.filter((s) => foldOf.get(s.group) !== f).map((s) => s.case)
    const t = fit.length > 0 ? chooseThresholds(fit, constraints, policy.cobertura_minima).thresholds : proposed
    for (const s of scored) {
      if (foldOf.get(s.group) === f) cvRows.push({ equivalent: s.case.equivalent, decisao: decideCase(s.case, t, policy.cobertura_minima) })
    }
  }

  const now = scored.map((s) => decideCase(s.case, args.currentByLanguage?.[s.lang] ?? current, policy.cobertura_minima))
  const next = scored.map((s) => decideCase(s.case, proposed, policy.cobertura_minima))
  const agreement = (decisions: readonly Decisao[]) =>
    round(decisions.filter((d, i) => d === scored[i]!.source.label).length / Math.max(1, decisions.length)) ?? 0
  const changed = scored
    .map((s, i) => ({
      result_id: s.source.resultId,
      course_id: s.source.courseId,
      decisao_atual: now[i]!,
      decisao_proposta: next[i]!,
      revisao: s.source.label,
    }))
    .filter((c) => c.decisao_atual !== c.decisao_proposta)

  return {
    thresholds: proposed,
    report: {
      revisoes: args.cases.length,
      descartadas: skipped,
      modelo: model.version,
      restricoes: params,
      limiares_atuais: current,
      limiares_propostos: proposed,
      atual: summaryView(summariseDecisions(scored.map((s, i) => ({ equivalent: s.case.equivalent, decisao: now[i]! })))),
      proposto: summaryView(summariseDecisions(scored.map((s, i) => ({ equivalent: s.case.equivalent, decisao: next[i]! })))),
      validacao_cruzada: { ...summaryView(summariseDecisions(cvRows)), folds: k, agrupada_por: 'curso (course_id, senão o nome do destino)' },
      concordancia: { atual: agreement(now), proposto: agreement(next) },
      casos_alterados: changed.slice(0, 500),
      restricoes_inalcancaveis: choice.automatic <= 0 && cases.some((c) => !c.blocked && !c.review),
    },
  }
}
