import {
  addToHistogram,
  chooseThresholdsFromHistogram,
  decideCase,
  emptyConfusion,
  emptyHistogram,
  mergeHistograms,
  summariseConfusion,
  type Confusion,
  type Constraints,
  type DecisionSummary,
  type ScoreHistogram,
  type ScoredCase,
} from '../engine/calibration'
import { EvaluateRequestSchema, predict, scoreOf, scoringInput, type Decisao, type Policy, type Thresholds } from '../engine/index'
import type { CompiledModel } from '../engine/model/gbdt'
import type { CalibrationThresholds } from '../db/schema'

/**
 * The pure part of a calibration: reviewed cases in, proposed thresholds and the report that
 * justifies them out. Every case is measured again by the engine under the base policy (no
 * taxonomy), scored by its model, and labelled by its latest review. The caller pages through the
 * reviews twice (`createCalibrationRun`): only counts are kept, never a case or its inputs.
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

/** Histograms per language of some set of cases. */
type LanguageHistograms = Map<string, ScoreHistogram>

function mergeByLanguage(into: LanguageHistograms, from: LanguageHistograms): LanguageHistograms {
  for (const [lang, h] of from) mergeHistograms(into.get(lang) ?? into.set(lang, emptyHistogram()).get(lang)!, h)
  return into
}

function propose(hist: LanguageHistograms, constraints: Constraints, languages: readonly string[] | null): Proposal {
  const pooledHist = emptyHistogram()
  for (const h of hist.values()) mergeHistograms(pooledHist, h)
  const pooled = chooseThresholdsFromHistogram(pooledHist, constraints)
  let unattainable = !pooled.attainable
  if (!languages) return { pooled: pooled.thresholds, byLanguage: null, unattainable }
  const byLanguage: Record<string, Thresholds> = {}
  for (const lang of languages) {
    const h = hist.get(lang)
    if (!h || h.n === 0) continue
    const choice = chooseThresholdsFromHistogram(h, constraints)
    byLanguage[lang] = choice.thresholds
    if (!choice.attainable) unattainable = true
  }
  return { pooled: pooled.thresholds, byLanguage, unattainable }
}

const thresholdsFor = (p: Proposal, lang: string) => p.byLanguage?.[lang] ?? p.pooled

export interface CalibrationRunArgs {
  policy: Policy
  model: CompiledModel
  current: Thresholds
  /** The thresholds per language the engine uses now (the model's, or the policy's own). */
  currentByLanguage?: Readonly<Record<string, Thresholds>>
  params: CalibrationParams
}

/**
 * A calibration over cases read twice, keeping counts rather than cases, so its memory does not
 * grow with the number of reviews (only with the number of courses and languages):
 * 1. `first.add` every case: score histograms per course group and language;
 * 2. `plan()`: the proposal (per language when every language has enough reviews) and, for the
 *    grouped cross-validation, one proposal per fold chosen without that fold's courses;
 * 3. `second.add` the same cases again: confusion tables under the current, proposed and
 *    cross-validated thresholds, per language and per course, and the first changed cases;
 * 4. `finish()`: the thresholds and the report.
 */
export function createCalibrationRun(args: CalibrationRunArgs) {
  const { policy, model, current, params } = args
  const coberturaMinima = policy.cobertura_minima
  const constraints: Constraints = {
    deferidoPrecision: params.precisao_minima_deferido,
    autoAccuracy: 0,
    indeferidoPrecision: params.precisao_minima_indeferido,
    minStratum: 0,
  }
  const byGroup = new Map<string, LanguageHistograms>()
  const perLanguageCount = new Map<string, number>()
  let cases = 0
  let skipped = 0

  let plan: {
    languages: string[]
    proposal: Proposal
    k: number
    foldOf: Map<string, number>
    foldProposals: Proposal[]
  } | null = null

  const tally = () => ({ now: emptyConfusion(), next: emptyConfusion() })
  const overall = tally()
  const cv = emptyConfusion()
  const perLanguage = new Map<string, ReturnType<typeof tally>>()
  const byCourse = new Map<string | null, { n: number; now: number; next: number }>()
  const changed: CalibrationReport['casos_alterados'] = []
  const currentFor = (lang: string) => args.currentByLanguage?.[lang] ?? current
  const count = (c: Confusion, s: CompactCase, d: Decisao) => c[s.case.equivalent ? 'equivalent' : 'not_equivalent'][d]++

  return {
    first: {
      add(c: CompactCase | null): void {
        if (!c) {
          skipped++
          return
        }
        cases++
        perLanguageCount.set(c.lang, (perLanguageCount.get(c.lang) ?? 0) + 1)
        let langs = byGroup.get(c.group)
        if (!langs) byGroup.set(c.group, (langs = new Map()))
        let h = langs.get(c.lang)
        if (!h) langs.set(c.lang, (h = emptyHistogram()))
        addToHistogram(h, c.case, coberturaMinima)
      },
    },

    plan(): void {
      const languages = [...perLanguageCount.keys()].sort()
      const ownLanguages = languages.length >= 2 && languages.every((l) => perLanguageCount.get(l)! >= params.min_revisoes_por_idioma)
      const all: LanguageHistograms = new Map()
      for (const langs of byGroup.values()) mergeByLanguage(all, langs)
      const proposal = propose(all, constraints, ownLanguages ? languages : null)
      // Grouped cross-validation: no course in both the choosing and the scoring part.
      const groups = [...byGroup.keys()]
      const k = Math.min(5, groups.length)
      const foldOf = new Map(groups.map((g) => [g, fnv(g) % Math.max(1, k)]))
      const folds: LanguageHistograms[] = Array.from({ length: k }, () => new Map())
      for (const [g, langs] of byGroup) mergeByLanguage(folds[foldOf.get(g)!]!, langs)
      const foldProposals = folds.map((_, f) => {
        const fit: LanguageHistograms = new Map()
        folds.forEach((h, i) => i !== f && mergeByLanguage(fit, h))
        return fit.size > 0 ? propose(fit, constraints, ownLanguages ? languages : null) : proposal
      })
      plan = { languages, proposal, k, foldOf, foldProposals }
      byGroup.clear()
    },

    second: {
      add(c: CompactCase | null): void {
        if (!plan) throw new Error('plan() before the second pass')
        if (!c) return
        const now = decideCase(c.case, currentFor(c.lang), coberturaMinima)
        const next = decideCase(c.case, thresholdsFor(plan.proposal, c.lang), coberturaMinima)
        const fold = plan.foldOf.get(c.group) ?? 0
        count(cv, c, decideCase(c.case, thresholdsFor(plan.foldProposals[fold] ?? plan.proposal, c.lang), coberturaMinima))
        count(overall.now, c, now)
        count(overall.next, c, next)
        let lang = perLanguage.get(c.lang)
        if (!lang) perLanguage.set(c.lang, (lang = tally()))
        count(lang.now, c, now)
        count(lang.next, c, next)
        const course = byCourse.get(c.courseId) ?? { n: 0, now: 0, next: 0 }
        course.n++
        if (now === c.label) course.now++
        if (next === c.label) course.next++
        byCourse.set(c.courseId, course)
        if (now !== next && changed.length < 500) {
          changed.push({ result_id: c.resultId, course_id: c.courseId, idioma: c.lang, decisao_atual: now, decisao_proposta: next, revisao: c.label })
        }
      },
    },

    finish(monthly: readonly MonthlyAgreementView[] = []): { thresholds: CalibrationThresholds; report: CalibrationReport } {
      if (!plan) throw new Error('plan() before finish()')
      const { proposal, languages } = plan
      const agreement = (t: Confusion) => round((t.equivalent.DEFERIDO + t.not_equivalent.INDEFERIDO) / Math.max(1, cases)) ?? 0
      const perCourse = [...byCourse]
        .sort((a, b) => b[1].n - a[1].n || String(a[0]).localeCompare(String(b[0])))
        .slice(0, AGREEMENT_COURSES)
        .map(([course, r]) => ({ course_id: course, revisoes: r.n, atual: round(r.now / r.n) ?? 0, proposto: round(r.next / r.n) ?? 0 }))
      const thresholds: CalibrationThresholds = { ...proposal.pooled }
      if (proposal.byLanguage) thresholds.por_idioma = proposal.byLanguage
      const view = (c: Confusion) => summaryView(summariseConfusion(c))
      return {
        thresholds,
        report: {
          revisoes: cases + skipped,
          descartadas: skipped,
          modelo: model.version,
          restricoes: params,
          modo_limiares: proposal.byLanguage ? 'por_idioma' : 'geral',
          limiares_atuais: current,
          limiares_propostos: proposal.pooled,
          limiares_atuais_por_idioma: Object.fromEntries(languages.map((l) => [l, currentFor(l)])),
          limiares_propostos_por_idioma: proposal.byLanguage,
          atual: view(overall.now),
          proposto: view(overall.next),
          por_idioma: Object.fromEntries(
            languages.map((l) => {
              const t = perLanguage.get(l) ?? tally()
              return [l, { revisoes: perLanguageCount.get(l)!, atual: view(t.now), proposto: view(t.next) }]
            }),
          ),
          validacao_cruzada: { ...view(cv), folds: plan.k, agrupada_por: 'curso (course_id, senão o nome do destino)' },
          concordancia: { atual: agreement(overall.now), proposto: agreement(overall.next) },
          concordancia_por_curso: perCourse,
          concordancia_mensal: [...monthly],
          casos_alterados: changed,
          restricoes_inalcancaveis: proposal.unattainable,
        },
      }
    },
  }
}
