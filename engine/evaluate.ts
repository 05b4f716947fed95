import { hashText, type MappingCache } from './cache'
import { conceptFromNode, conceptsFromTopics, type Concept } from './concepts'
import { pairFeatures, type PairFeatures } from './features'
import { justify } from './justify'
import { createLexicalMapper, type ConceptMapper, type ConceptMatch } from './mapper'
import type { Policy } from './policy'
import { ageRule, approvalRule, criticalRule, criticalRuleUnassessed, levelRule, sequenceRule, workloadRule, type RuleOutcome } from './rules'
import type { Course, EvaluateRequest, EvaluateResponse, Evidence } from './schemas'
import { modelFeatureVector, type SemanticPairSignals } from './model/features'
import { predict, topFactors, type Factor } from './model/gbdt'
import { resolveScorer, scoringModel } from './model/registry'
import { computeScore, decide, identification, scoreOf, type Thresholds } from './score'
import type { TaxonomyNode } from './taxonomy'
import { analyse, contentEndOf, detectLanguage, type AnalysedText } from './text/analyse'
import type { Language } from './text/stopwords'

export interface EvaluationContext {
  policy: Policy
  policyVersion: string
  taxonomy?: { version: string; nodes: readonly TaxonomyNode[] } | null
  /** @default the offline lexical mapper */
  mapper?: ConceptMapper
  /** `YYYY-MM-DD`; the request's `data_referencia` wins when present. */
  referenceDate: string
  /** Only feeds `timings_ms`. @default performance.now */
  clock?: () => number
  /** An admin's what-if with an inline policy; recorded in `meta`. */
  simulation?: boolean
  mappingCache?: MappingCache
  /**
   * Pair-level semantic similarities from the caller's embeddings provider. With them a policy
   * model that has a semantic companion scores with it; without them (no provider, or it failed)
   * the lexical model does. Lexical models never read them.
   */
  semantic?: SemanticPairSignals | null
}

const defaultMapper = createLexicalMapper()
/** Below this many distinct content terms a syllabus says too little to judge automatically. */
const MIN_TERMS = 3

interface MappingOutcome {
  concepts: Concept[]
  matches: ConceptMatch[]
  degradedReason: string | null
  conceptSource: 'taxonomia' | 'ementa'
  cacheHit: boolean
}

/**
 * Decides whether the taken course(s) can be credited as the target course. Pure and
 * deterministic for a given request and context; never throws because of the mapper: a failing
 * or unsure mapper yields ANALISE_HUMANA with `degraded_mode: true`.
 */
export async function evaluateEquivalence(request: EvaluateRequest, ctx: EvaluationContext): Promise<EvaluateResponse> {
  const clock = ctx.clock ?? (() => performance.now())
  const t0 = clock()
  const a = await analysePair(request, ctx, clock)
  const { policy, origens, destino, features, mapping, rules, cobertura, coberturaCritica, faltantes, criticosFaltantes } = a
  const degraded = mapping.degradedReason !== null
  const scorer = resolveScorer(policy)
  let score: number
  let thresholds: Thresholds
  let fatores: Factor[] = []
  const scoring = scorer.model ? scoringModel(scorer, ctx.semantic != null) : null
  if (scoring) {
    const vector = modelVectorOf(a, ctx.semantic)
    const prediction = predict(scoring.model, vector)
    score = scoreOf(prediction.probability)
    thresholds = scoring.byLanguage[a.lang] ?? scoring.thresholds
    fatores = topFactors(vector, prediction)
  } else {
    score = computeScore({ cobertura, coberturaCritica, features, penalidadeNivel: a.penalty }, policy)
    thresholds = { score_deferido: policy.score_deferido, score_revisao: policy.score_revisao }
  }
  const decisao = decide({ score, cobertura, rules, degraded }, policy, thresholds)
  const { curta, detalhada } = justify({
    decisao,
    score,
    cobertura,
    faltantes,
    criticosFaltantes,
    rules,
    degradedReason: mapping.degradedReason,
    sameTitle: features.sameTitle,
    titleSimilarity: features.titleSimilarity,
    totalConceitos: mapping.concepts.length,
    modelo: scoring ? { versao: scoring.model.version, fatores } : null,
  })
  const evidence = buildEvidence(mapping, origens, destino, policy.confianca_minima)
  const t4 = clock()
  const { t1, t2, t3 } = a.timings

  return {
    decisao,
    score,
    breakdown: {
      cobertura: round4(cobertura),
      cobertura_critica: round4(coberturaCritica ?? 1),
      penalidade_nivel: a.penalty,
      cobertura_termos: round4(features.termCoverage),
      similaridade_titulo: round4(features.sameTitle ? 1 : features.titleSimilarity),
      titulo_na_origem: round4(features.targetTitleInOrigin),
      identificacao: round4(a.identificacao),
    },
    hard_rules: rules.map(({ regra, passou, detalhe }) => ({ regra, passou, detalhe })),
    faltantes,
    criticos_faltantes: criticosFaltantes,
    justificativa_curta: curta,
    justificativa_detalhada: detalhada,
    evidence,
    degraded_mode: degraded,
    model_version: scoring ? `${a.mapperVersion}+${scoring.model.version}` : a.mapperVersion,
    policy_version: ctx.policyVersion,
    taxonomy_version: ctx.taxonomy?.version ?? null,
    timings_ms: {
      total: t4 - t0,
      analise: t1 - t0,
      regras: t2 - t1,
      mapeamento: t3 - t2,
      decisao: t4 - t3,
    },
    meta: {
      idioma: a.lang,
      fonte_conceitos: mapping.conceptSource,
      total_conceitos: mapping.concepts.length,
      n_origens: origens.length,
      data_referencia: a.referenceDate,
      simulacao: ctx.simulation ?? false,
      cache_mapeamento: mapping.cacheHit,
      pontuacao: policy.pontuacao,
      ...(scoring ? { modelo: scoring.model.version, fatores_modelo: fatores } : {}),
      ...(request.request_id ? { request_id: request.request_id } : {}),
      ...(request.course_id ? { course_id: request.course_id } : {}),
    },
  }
}

/** Everything the engine measures on a pair before it scores it. */
interface PairAnalysis {
  policy: Policy
  lang: Language
  referenceDate: string
  mapperVersion: string
  origens: Course[]
  destino: Course
  destinoText: AnalysedText
  origemTexts: AnalysedText[]
  features: PairFeatures
  mapping: MappingOutcome
  rules: RuleOutcome[]
  penalty: number
  cobertura: number
  coberturaCritica: number | null
  identificacao: number
  faltantes: string[]
  criticosFaltantes: string[]
  timings: { t1: number; t2: number; t3: number }
}

async function analysePair(request: EvaluateRequest, ctx: EvaluationContext, clock: () => number): Promise<PairAnalysis> {
  const policy = ctx.policy
  const mapper = ctx.mapper ?? defaultMapper
  const origens: Course[] = request.origens ?? (request.origem ? [request.origem] : [])
  const destino = request.destino
  const referenceDate = request.data_referencia ?? ctx.referenceDate

  const lang = detectLanguage(destino.ementa, destino.nome)
  const destinoText = analyse(destino.ementa, lang, contentEndOf(destino.ementa))
  const origemTexts = origens.map((o) => analyseCourse(o, lang))
  const t1 = clock()

  const { rule: nivel, penalty } = levelRule(origens, destino, policy)
  const rules: RuleOutcome[] = [
    approvalRule(origens, policy),
    workloadRule(origens, destino, policy),
    ageRule(origens, policy, referenceDate),
    nivel,
  ]
  const t2 = clock()

  const mapping = await mapConcepts({ lang, destinoText, origemTexts, mapper, ctx })
  const t3 = clock()

  const features = pairFeatures(
    origens.map((o) => o.nome),
    destino.nome,
    destinoText,
    origemTexts,
    lang,
  )
  rules.push(sequenceRule(features.sequenceConflict, origens.map((o) => o.nome).join(' + '), destino.nome, policy))

  const byId = new Map(mapping.matches.map((m) => [m.conceito_id, m]))
  const confidence = (c: Concept) => byId.get(c.id)?.confianca ?? 0
  // Unmapped (degraded) concepts were never looked for in the origin: unassessed, not missing.
  const assessed = mapping.degradedReason === null
  const covered = (c: Concept) => confidence(c) >= policy.confianca_minima
  let pesoTotal = 0
  let pesoCoberto = 0
  const faltantes: string[] = []
  const criticos: Concept[] = []
  const criticosFaltantes: string[] = []
  for (const c of mapping.concepts) {
    pesoTotal += c.peso
    // Coverage credits partial matches in proportion to their confidence.
    pesoCoberto += c.peso * confidence(c)
    if (assessed && !covered(c)) faltantes.push(c.nome)
    if (c.critico) {
      criticos.push(c)
      if (assessed && !covered(c)) criticosFaltantes.push(c.nome)
    }
  }
  const cobertura = pesoTotal > 0 ? pesoCoberto / pesoTotal : 0
  // Unassessed critical concepts count as uncovered for the score, as the coverage of unmapped concepts does.
  const criticosCobertos = assessed ? criticos.length - criticosFaltantes.length : 0
  const coberturaCritica = criticos.length > 0 ? criticosCobertos / criticos.length : null
  rules.push(assessed ? criticalRule(criticosFaltantes, criticos.length, policy) : criticalRuleUnassessed(criticos.length))
  return {
    policy,
    lang,
    referenceDate,
    mapperVersion: mapper.version,
    origens,
    destino,
    destinoText,
    origemTexts,
    features,
    mapping,
    rules,
    penalty,
    cobertura,
    coberturaCritica,
    identificacao: identification(features, cobertura),
    faltantes,
    criticosFaltantes,
    timings: { t1, t2, t3 },
  }
}

function modelVectorOf(a: PairAnalysis, semantic: SemanticPairSignals | null | undefined): number[] {
  return modelFeatureVector({
    semantic,
    origemNomes: a.origens.map((o) => o.nome),
    destinoNome: a.destino.nome,
    pair: a.features,
    cobertura: a.cobertura,
    identificacao: a.identificacao,
    lang: a.lang,
  })
}

/** What training and calibration need of one pair: the model's features and what the rules leave to the score. */
export interface ScoringInput {
  /** In `MODEL_FEATURE_NAMES` order. */
  vector: number[]
  cobertura: number
  /** The hand-set score under the context's policy. */
  manualScore: number
  /** A blocking rule failed (INDEFERIDO whatever the score). */
  blocked: boolean
  /** A rule or the mapper asks for a person whatever the score. */
  review: boolean
  lang: Language
}

/** The pair as the scorers see it; `evaluateEquivalence` makes the same measurements. */
export async function scoringInput(request: EvaluateRequest, ctx: EvaluationContext): Promise<ScoringInput> {
  const a = await analysePair(request, ctx, () => 0)
  return {
    vector: modelVectorOf(a, ctx.semantic),
    cobertura: a.cobertura,
    manualScore: computeScore(
      { cobertura: a.cobertura, coberturaCritica: a.coberturaCritica, features: a.features, penalidadeNivel: a.penalty },
      a.policy,
    ),
    blocked: a.rules.some((r) => r.efeito === 'bloqueia'),
    review: a.mapping.degradedReason !== null || a.rules.some((r) => r.efeito === 'revisao'),
    lang: a.lang,
  }
}

/** Only the syllabus counts as content (`objetivos` is accepted and ignored), so evidence spans point into `ementa`. */
function analyseCourse(course: Course, lang: Language): AnalysedText {
  return analyse(course.ementa, lang, contentEndOf(course.ementa))
}

async function mapConcepts(args: {
  lang: Language
  destinoText: AnalysedText
  origemTexts: AnalysedText[]
  mapper: ConceptMapper
  ctx: EvaluationContext
}): Promise<MappingOutcome> {
  const { lang, destinoText, origemTexts, mapper, ctx } = args
  let concepts = conceptsFromTopics(destinoText, lang)
  let conceptSource: MappingOutcome['conceptSource'] = 'ementa'
  const none = (reason: string): MappingOutcome => ({ concepts, matches: [], degradedReason: reason, conceptSource, cacheHit: false })
  const taxonomyVersion = ctx.taxonomy?.version ?? ''
  const key = ctx.mappingCache
    ? hashText(mapper.version, taxonomyVersion, lang, destinoText.source, ...origemTexts.map((o) => o.source))
    : ''
  try {
    if (ctx.taxonomy && ctx.taxonomy.nodes.length > 0) {
      const fromTaxonomy = await taxonomyConcepts(ctx.taxonomy.nodes, destinoText, lang, mapper, ctx.policy.confianca_minima)
      if (fromTaxonomy.length > 0) {
        concepts = fromTaxonomy
        conceptSource = 'taxonomia'
      }
    }
    if (destinoText.stems.size < MIN_TERMS || concepts.length === 0) {
      return none('a ementa do destino é curta demais para uma análise automática.')
    }
    if (origemTexts.every((o) => o.stems.size < MIN_TERMS)) {
      return none('a ementa da origem é curta demais para uma análise automática.')
    }
    const cached = ctx.mappingCache?.get(key)
    if (cached) return { concepts, matches: cached, degradedReason: null, conceptSource, cacheHit: true }
    const matches = await mapper.map({ lang, concepts, origens: origemTexts })
    if (!isCompleteMapping(matches, concepts)) {
      return none('o mapeador de conceitos devolveu uma resposta incompleta ou inválida.')
    }
    ctx.mappingCache?.set(key, matches)
    return { concepts, matches, degradedReason: null, conceptSource, cacheHit: false }
  } catch {
    return none('o mapeador de conceitos falhou; a decisão automática foi suspensa.')
  }
}

/** One match per concept, in order, with a confidence in 0..1: anything else is not trusted. */
function isCompleteMapping(matches: unknown, concepts: readonly Concept[]): matches is ConceptMatch[] {
  if (!Array.isArray(matches) || matches.length !== concepts.length) return false
  return matches.every((m: ConceptMatch, i) => {
    const c = m?.confianca
    return m?.conceito_id === concepts[i]!.id && typeof c === 'number' && c >= 0 && c <= 1
  })
}

/** The taxonomy concepts the target's syllabus actually teaches, located in its text. */
async function taxonomyConcepts(
  nodes: readonly TaxonomyNode[],
  destinoText: AnalysedText,
  lang: Language,
  mapper: ConceptMapper,
  minimum: number,
): Promise<Concept[]> {
  const all = nodes.map((n) => conceptFromNode(n, lang)).filter((c) => c.alternativas.length > 0)
  const inTarget = await mapper.map({ lang, concepts: all, origens: [destinoText] })
  const result: Concept[] = []
  all.forEach((concept, i) => {
    const m = inTarget[i]
    if (m && m.confianca >= minimum) {
      result.push({ ...concept, destino: m.origem ? { inicio: m.origem.inicio, fim: m.origem.fim } : null })
    }
  })
  return result
}

function buildEvidence(mapping: MappingOutcome, origens: readonly Course[], destino: Course, minimum: number): Evidence[] {
  const evidence: Evidence[] = []
  const byId = new Map(mapping.concepts.map((c) => [c.id, c]))
  for (const m of mapping.matches) {
    const concept = byId.get(m.conceito_id)
    const origin = m.origem ? origens[m.origem.indice_origem] : undefined
    if (!concept || !m.origem || !origin || m.confianca < minimum) continue
    evidence.push({
      conceito: concept.nome,
      conceito_id: concept.id,
      origem: {
        trecho: origin.ementa.slice(m.origem.inicio, m.origem.fim),
        inicio: m.origem.inicio,
        fim: m.origem.fim,
        indice_origem: m.origem.indice_origem,
      },
      destino: concept.destino
        ? { trecho: destino.ementa.slice(concept.destino.inicio, concept.destino.fim), ...concept.destino }
        : null,
      confianca: round4(m.confianca),
    })
  }
  return evidence
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000
}
