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
import type { CalibrationThresholds } from '../db/schema'

/**
 * The pure part of a calibration: reviewed cases in, proposed thresholds and the report that
 * justifies them out. Every case is measured again by the engine under the base policy (no
 * taxonomy), scored by its model, and labelled by its latest review. The caller pages through the
 * reviews and keeps only the small scored form of each case (`scoreReviewedCase`), never its inputs.
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
  /** Reviews every language needs for thresholds of its own; fewer in any → one pair for all. */
  min_revisoes_por_idioma: number
}

/** A reviewed case as the threshold search sees it: its score and rule flags, no text. */
export interface CompactCase {
  resultId: string
  courseId: string | null
  /** Cross-validation group: the course id, else the target course's name. */
  group: string
  lang: string
  label: 'DEFERIDO' | 'INDEFERIDO'
  case: ScoredCase
}

/** One month of engine (as stored) vs reviewer agreement. */
export interface MonthlyAgreementView {
  mes: string
  revisoes: number
  automaticas: number
  concordantes: number
  /** Agreeing / reviewed (a case the engine sent to a person never agrees). */
  concordancia: number | null
  /** Agreeing / decided automatically: how often the engine's own decisions stood. */
  concordancia_automaticas: number | null
}

type SummaryView = ReturnType<typeof summaryView>

export interface CalibrationReport {
  revisoes: number
  /** Cases whose stored inputs no longer parse as a request (skipped). */
  descartadas: number
  modelo: string
  restricoes: CalibrationParams
  /** `por_idioma`: each language got its own thresholds (every language had enough reviews); `geral`: one pair for all. */
  modo_limiares: 'por_idioma' | 'geral'
  limiares_atuais: Thresholds
  limiares_propostos: Thresholds
  /** The model's (or the policy's) thresholds per language the current decisions used. */
  limiares_atuais_por_idioma: Record<string, Thresholds>
  /** Proposed per language (`modo_limiares: 'por_idioma'`), else null. */
  limiares_propostos_por_idioma: Record<string, Thresholds> | null
  atual: SummaryView
  proposto: SummaryView
  /** Current vs proposed within each language seen. */
  por_idioma: Record<string, { revisoes: number; atual: SummaryView; proposto: SummaryView }>
  /** Thresholds chosen without each fold's courses, applied to that fold: what to expect on new cases. */
  validacao_cruzada: SummaryView & { folds: number; agrupada_por: string }
  concordancia: { atual: number; proposto: number }
  /**
   * Agreement with the reviewers per course (the courses with the most reviews, at most
   * `AGREEMENT_COURSES`), under the current and the proposed thresholds.
   */
  concordancia_por_curso: { course_id: string | null; revisoes: number; atual: number; proposto: number }[]
  /** Engine (the decision each result was given) vs reviewer, per month of the latest review. */
  concordancia_mensal: MonthlyAgreementView[]
  casos_alterados: { result_id: string; course_id: string | null; idioma: string; decisao_atual: Decisao; decisao_proposta: Decisao; revisao: string }[]
  /** True when no thresholds met the constraints: the proposal then decides nothing by score. */
  restricoes_inalcancaveis: boolean
}

/** Courses the per-course agreement lists (the most reviewed first). */
export const AGREEMENT_COURSES = 20

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
function groupOf(courseId: string | null, request: { destino: { nome: string } }): string {
  return courseId ?? `destino:${request.destino.nome.trim().toLowerCase()}`
}

function fnv(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** One shared copy of each distinct string (course ids, groups) across a calibration's cases. */
export function createInterner(): (s: string) => string {
  const seen = new Map<string, string>()
  return (s) => {
    const known = seen.get(s)
    if (known !== undefined) return known
    seen.set(s, s)
    return s
  }
}

/** Measures one reviewed case again under the base policy; null when its inputs no longer parse. */
export async function scoreReviewedCase(
  c: ReviewedCase,
  args: { policy: Policy; model: CompiledModel; referenceDate: string; intern?: (s: string) => string },
): Promise<CompactCase | null> {
  const parsed = EvaluateRequestSchema.safeParse(c.inputs)
  if (!parsed.success) return null
  const input = await scoringInput(parsed.data, { policy: args.policy, policyVersion: 'calibracao', referenceDate: args.referenceDate })
  // Many cases share a course: one copy of its strings is kept for all of them.
  const intern = args.intern ?? ((s: string) => s)
  return {
    resultId: c.resultId,
    courseId: c.courseId === null ? null : intern(c.courseId),
    group: intern(groupOf(c.courseId, parsed.data)),
    lang: input.lang,
    label: c.label,
    case: {
      score: scoreOf(predict(args.model, input.vector).probability),
      cobertura: input.cobertura,
      blocked: input.blocked,
      review: input.review,
      equivalent: c.label === 'DEFERIDO',
    },
  }
}

export function monthlyView(rows: readonly { month: string; reviewed: number; automatic: number; agreed: number }[]): MonthlyAgreementView[] {
  return rows.map((r) => ({
    mes: r.month,
    revisoes: r.reviewed,
    automaticas: r.automatic,
    concordantes: r.agreed,
    concordancia: r.reviewed ? round(r.agreed / r.reviewed) : null,
    concordancia_automaticas: r.automatic ? round(r.agreed / r.automatic) : null,
  }))
}

/** The proposal on a set of cases: one pair for all, and per language when asked to. */
interface Proposal {
  pooled: Thresholds
  byLanguage: Record<string, Thresholds> | null
  /** Some language (or the pool) found no thresholds meeting the constraints. */
  unattainable: boolean
}

function propose(cases: readonly CompactCase[], constraints: Constraints, coberturaMinima: number, languages: readonly string[] | null): Proposal {
  const attainable = (subset: readonly ScoredCase[], automatic: number) => automatic > 0 || !subset.some((c) => !c.blocked && !c.review)
  const all = cases.map((c) => c.case)
  const pooled = chooseThresholds(all, constraints, coberturaMinima)
  let unattainable = !attainable(all, pooled.automatic)
  if (!languages) return { pooled: pooled.thresholds, byLanguage: null, unattainable }
  const byLanguage: Record<string, Thresholds> = {}
  for (const lang of languages) {
    const subset = cases.filter((c) => c.lang === lang).map((c) => c.case)
    if (subset.length === 0) continue
    const choice = chooseThresholds(subset, constraints, coberturaMinima)
    byLanguage[lang] = choice.thresholds
    if (!attainable(subset, choice.automatic)) unattainable = true
  }
  return { pooled: pooled.thresholds, byLanguage, unattainable }
}

const thresholdsFor = (p: Proposal, lang: string) => p.byLanguage?.[lang] ?? p.pooled

export function buildCalibrationReport(args: {
  cases: readonly CompactCase[]
  /** Reviewed cases read whose inputs did not parse. */
  skipped: number
  policy: Policy
  model: CompiledModel
  current: Thresholds
  /** The thresholds per language the engine uses now (the model's, or the policy's own). */
  currentByLanguage?: Readonly<Record<string, Thresholds>>
  params: CalibrationParams
  monthly?: readonly MonthlyAgreementView[]
}): { thresholds: CalibrationThresholds; report: CalibrationReport } {
  const { cases, policy, model, current, params } = args
  const coberturaMinima = policy.cobertura_minima
  const constraints: Constraints = {
    deferidoPrecision: params.precisao_minima_deferido,
    autoAccuracy: 0,
    indeferidoPrecision: params.precisao_minima_indeferido,
    minStratum: 0,
  }
  const perLanguageCount = new Map<string, number>()
  for (const c of cases) perLanguageCount.set(c.lang, (perLanguageCount.get(c.lang) ?? 0) + 1)
  const languages = [...perLanguageCount.keys()].sort()
  const perLanguage = languages.length >= 2 && languages.every((l) => perLanguageCount.get(l)! >= params.min_revisoes_por_idioma)
  const proposal = propose(cases, constraints, coberturaMinima, perLanguage ? languages : null)

  // Grouped cross-validation: no course in both the choosing and the scoring part.
  const groups = [...new Set(cases.map((s) => s.group))]
  const k = Math.min(5, groups.length)
  const foldOf = new Map(groups.map((g) => [g, fnv(g) % Math.max(1, k)]))
  const cvRows: { equivalent: boolean; decisao: Decisao }[] = []
  for (let f = 0; f < k; f++) {
    const fit = cases.filter((s) => foldOf.get(s.group) !== f)
    const p = fit.length > 0 ? propose(fit, constraints, coberturaMinima, perLanguage ? languages : null) : proposal
    for (const s of cases) {
      if (foldOf.get(s.group) === f) cvRows.push({ equivalent: s.case.equivalent, decisao: decideCase(s.case, thresholdsFor(p, s.lang), coberturaMinima) })
    }
  }

  const currentFor = (lang: string) => args.currentByLanguage?.[lang] ?? current
  const now = cases.map((s) => decideCase(s.case, currentFor(s.lang), coberturaMinima))
  const next = cases.map((s) => decideCase(s.case, thresholdsFor(proposal, s.lang), coberturaMinima))
  const agreement = (decisions: readonly Decisao[]) =>
    round(decisions.filter((d, i) => d === cases[i]!.label).length / Math.max(1, decisions.length)) ?? 0
  const summaryOf = (decisions: readonly Decisao[], keep: (c: CompactCase) => boolean = () => true) =>
    summaryView(summariseDecisions(cases.flatMap((s, i) => (keep(s) ? [{ equivalent: s.case.equivalent, decisao: decisions[i]! }] : []))))
  const byCourse = new Map<string | null, { n: number; now: number; next: number }>()
  cases.forEach((s, i) => {
    const row = byCourse.get(s.courseId) ?? { n: 0, now: 0, next: 0 }
    row.n++
    if (now[i] === s.label) row.now++
    if (next[i] === s.label) row.next++
    byCourse.set(s.courseId, row)
  })
  const perCourse = [...byCourse]
    .sort((a, b) => b[1].n - a[1].n || String(a[0]).localeCompare(String(b[0])))
    .slice(0, AGREEMENT_COURSES)
    .map(([course, r]) => ({ course_id: course, revisoes: r.n, atual: round(r.now / r.n) ?? 0, proposto: round(r.next / r.n) ?? 0 }))
  const changed: CalibrationReport['casos_alterados'] = []
  for (let i = 0; i < cases.length && changed.length < 500; i++) {
    const s = cases[i]!
    if (now[i] !== next[i]) {
      changed.push({ result_id: s.resultId, course_id: s.courseId, idioma: s.lang, decisao_atual: now[i]!, decisao_proposta: next[i]!, revisao: s.label })
    }
  }

  const thresholds: CalibrationThresholds = { ...proposal.pooled }
  if (proposal.byLanguage) thresholds.por_idioma = proposal.byLanguage
  return {
    thresholds,
    report: {
      revisoes: cases.length + args.skipped,
      descartadas: args.skipped,
      modelo: model.version,
      restricoes: params,
      modo_limiares: proposal.byLanguage ? 'por_idioma' : 'geral',
      limiares_atuais: current,
      limiares_propostos: proposal.pooled,
      limiares_atuais_por_idioma: Object.fromEntries(languages.map((l) => [l, currentFor(l)])),
      limiares_propostos_por_idioma: proposal.byLanguage,
      atual: summaryOf(now),
      proposto: summaryOf(next),
      por_idioma: Object.fromEntries(
        languages.map((l) => [l, { revisoes: perLanguageCount.get(l)!, atual: summaryOf(now, (c) => c.lang === l), proposto: summaryOf(next, (c) => c.lang === l) }]),
      ),
      validacao_cruzada: { ...summaryView(summariseDecisions(cvRows)), folds: k, agrupada_por: 'curso (course_id, senão o nome do destino)' },
      concordancia: { atual: agreement(now), proposto: agreement(next) },
      concordancia_por_curso: perCourse,
      concordancia_mensal: [...(args.monthly ?? [])],
      casos_alterados: changed,
      restricoes_inalcancaveis: proposal.unattainable,
    },
  }
}
