/**
 * Accuracy evaluator: `npm run eval -- [FILE.jsonl] [--policy FILE] [--model ARTEFACT.json]... [--out FILE] [--split tune|holdout] [--calibrate]`.
 *
 * Evaluates every labelled pair with no taxonomy under the given (default: built-in) policy,
 * scored twice on the same pairs: by the policy's model and by the hand-set score
 * (`pontuacao: manual`). Prints n, auto-rate, auto-accuracy, DEFERIDO precision (with its 95%
 * Wilson interval) and recall, INDEFERIDO precision and the confusion table, overall and per
 * `lang`, for both. `--out` writes `{"id", "decisao", "score", "decisao_manual", "score_manual"}`
 * per pair. `--split` keeps only one side of the deterministic 70/30 split of `lib/pairs.ts`.
 *
 * `--mapper semantic` maps through the embeddings provider configured by env (EMBED_URL, EMBED_MODEL,
 * ... as for the service; LLM_* and a policy with `semantico.llm` add the refinement) and prints the
 * same summaries plus what it cost. A policy naming a semantic scoring model (`modelo.versao`) is
 * scored by it wherever the embeddings answered and by its lexical base elsewhere; the summary's
 * title counts the pairs each model scored. `--model` registers an artefact not shipped in
 * engine/model/ (`npm run train -- --out FILE`) so that the policy can name it.
 *
 * `--calibrate`: splits the file by course group (`lib/groups.ts`; the held-out quarter
 * `npm run train` never fits on), chooses the model's two thresholds on the larger part as
 * training does (most automatic decisions with DEFERIDO precision ≥ 0.95 and auto-accuracy ≥ 0.90,
 * each language on its own) and reports the shipped and the calibrated thresholds side by side on
 * the held-out part.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { DEFAULT_POLICY, evaluateEquivalence, PolicySchema, predict, scoreOf, type Decisao, type Policy } from '../engine'
import { chooseThresholds, decideCase, summariseDecisions, type DecisionSummary, type ScoredCase } from '../engine/calibration'
import { registerModel, resolveScorer } from '../engine/model/registry'
import { createHash } from 'node:crypto'
import { createCountingAiMetrics, createSemanticServices, evaluateWithSemantic, parseAiConfig } from '../services/ai/index'
import { loadSamples, type Sample } from './lib/dataset'
import { formatSummary } from './lib/metrics'
import { DEFAULT_PAIRS_FILE, readPairs, splitOf, toRequest } from './lib/pairs'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    policy: { type: 'string' },
    out: { type: 'string' },
    split: { type: 'string' },
    calibrate: { type: 'boolean', default: false },
    mapper: { type: 'string', default: 'lexical' },
    model: { type: 'string', multiple: true, default: [] },
  },
})
for (const artefact of values.model) registerModel(JSON.parse(readFileSync(artefact, 'utf8')))

const file = positionals[0] ?? DEFAULT_PAIRS_FILE
const policy: Policy = values.policy ? PolicySchema.parse(JSON.parse(readFileSync(values.policy, 'utf8'))) : DEFAULT_POLICY
const manual: Policy = PolicySchema.parse({ ...policy, pontuacao: 'manual' })
const split = values.split
if (split !== undefined && split !== 'tune' && split !== 'holdout') {
  console.error('--split must be "tune" or "holdout"')
  process.exit(2)
}

if (values.mapper !== 'lexical' && values.mapper !== 'semantic') {
  console.error('--mapper must be "lexical" or "semantic"')
  process.exit(2)
}
const aiMetrics = createCountingAiMetrics()
const semantic = values.mapper === 'semantic' ? createSemanticServices(parseAiConfig(process.env), { metrics: aiMetrics }) : null
if (values.mapper === 'semantic' && !semantic) {
  console.error('--mapper semantic needs an embeddings provider: set EMBED_URL (and EMBED_API_KEY, EMBED_MODEL)')
  process.exit(2)
}
/** The engine with the chosen mapper (the semantic one falls back per policy, as the service does). */
const evaluatePair = (request: ReturnType<typeof toRequest>, ctx: Parameters<typeof evaluateEquivalence>[1]) =>
  semantic ? evaluateWithSemantic(request, ctx, semantic, 'eval') : evaluateEquivalence(request, ctx)

function show(title: string, s: DecisionSummary): string {
  const ci = s.deferidoPrecisionCi.map((x) => x.toFixed(3)).join(', ')
  return `${formatSummary(title, s)}\n  DEFERIDO precision 95% CI [${ci}]`
}

function report(title: string, rows: readonly { lang: string; equivalent: boolean; decisao: Decisao }[]): void {
  console.log(show(title, summariseDecisions(rows)))
  const langs = [...new Set(rows.map((r) => r.lang).filter(Boolean))].sort()
  if (langs.length > 1) {
    for (const lang of langs) console.log(show(`${title}, lang=${lang}`, summariseDecisions(rows.filter((r) => r.lang === lang))))
  }
}

if (values.calibrate) await calibrate()
else await evaluateFile()

async function evaluateFile(): Promise<void> {
  let pairs = readPairs(file)
  if (split) pairs = pairs.filter((p) => splitOf(p.id) === split)
  const model: { lang: string; equivalent: boolean; decisao: Decisao }[] = []
  const handSet: typeof model = []
  const lines: string[] = []
  /** Pairs per model that scored them (a semantic model's lexical base where the signals were missing). */
  const scoredByModel: Record<string, number> = {}
  for (const pair of pairs) {
    const ctx = { policyVersion: values.policy ?? 'default', referenceDate: '2026-01-01', clock: () => 0 }
    const a = await evaluatePair(toRequest(pair), { ...ctx, policy })
    const b = await evaluatePair(toRequest(pair), { ...ctx, policy: manual })
    const lang = pair.lang ?? a.meta.idioma
    const scoredBy = String(a.meta.modelo ?? 'manual')
    scoredByModel[scoredBy] = (scoredByModel[scoredBy] ?? 0) + 1
    model.push({ lang: String(lang), equivalent: pair.label === 'equivalent', decisao: a.decisao })
    handSet.push({ lang: String(lang), equivalent: pair.label === 'equivalent', decisao: b.decisao })
    lines.push(JSON.stringify({ id: pair.id, decisao: a.decisao, score: a.score, decisao_manual: b.decisao, score_manual: b.score }))
  }
  if (values.out) writeFileSync(values.out, lines.join('\n') + '\n')
  const title = `${file}${split ? ` (${split})` : ''}${semantic ? ` [semantic ${semantic.embeddings.model}]` : ''}`
  const scorer = resolveScorer(policy)
  const scoredBy = Object.entries(scoredByModel).map(([v, n]) => `${v} ${n}`).join(', ')
  const named = scorer.model ? `model ${scorer.semantic ? scorer.semantic.model.version : scorer.model.version}` : 'policy scorer (manual)'
  report(`${title}: ${named} (pairs scored by: ${scoredBy})`, model)
  report(`${title}: hand-set score (pontuacao: manual)`, handSet)
  if (semantic) {
    const t = aiMetrics.totals
    console.log(`semantic: provider calls ${JSON.stringify(t.providerCalls)}, texts embedded ${t.textsEmbedded}, tokens ${t.tokens}, cache hits ${JSON.stringify(t.cacheHits)}, fallbacks ${JSON.stringify(t.fallbacks)}`)
  }
}

async function calibrate(): Promise<void> {
  const scorer = resolveScorer({ ...policy, pontuacao: 'modelo' })
  if (!scorer.model) throw new Error('no model to calibrate')
  const model = scorer.model
  const samples = await loadSamples([file], { policy })
  const caseOf = (s: Sample): ScoredCase => ({
    score: scoreOf(predict(model, s.input.vector).probability),
    cobertura: s.input.cobertura,
    blocked: s.input.blocked,
    review: s.input.review,
    equivalent: s.equivalent,
    stratum: s.lang,
  })
  const tune = samples.filter((s) => !s.heldOut)
  const held = samples.filter((s) => s.heldOut)
  const constraints = { deferidoPrecision: 0.95, autoAccuracy: 0.9, indeferidoPrecision: 0, minStratum: 100 }
  const choice = chooseThresholds(tune.map(caseOf), constraints, policy.cobertura_minima)
  const heldCases = held.map(caseOf)
  type T = { score_deferido: number; score_revisao: number }
  // `perLanguage`: the engine's own choice, the model's thresholds for the pair's language when it has them.
  const rows = (t: T, perLanguage: Readonly<Record<string, T>> = {}) =>
    heldCases.map((c, i) => ({
      lang: held[i]!.lang,
      equivalent: c.equivalent,
      decisao: decideCase(c, perLanguage[held[i]!.lang] ?? t, policy.cobertura_minima),
    }))
  const manualRows = held.map((s) => ({
    lang: s.lang,
    equivalent: s.equivalent,
    decisao: decideCase({ ...caseOf(s), score: s.input.manualScore }, manual, manual.cobertura_minima),
  }))
  const groups = (subset: readonly Sample[]) => new Set(subset.map((s) => s.group)).size
  console.log(
    `${file}: calibrating on ${tune.length} pairs (${groups(tune)} course groups), reporting on ${held.length} held-out pairs (${groups(held)} groups, no course in both)`,
  )
  const sha = createHash('sha256').update(readFileSync(file)).digest('hex')
  const trainedOn = artefactData(model.version).some((d) => d.sha256 === sha)
  if (trainedOn) {
    console.log(
      `note: ${model.version} was fitted on this file's calibration part, so its scores there are in-sample and the calibrated thresholds optimistic; the shipped thresholds were chosen on out-of-fold scores`,
    )
  }
  const shipped = scorer.thresholds
  const t = choice.thresholds
  console.log(`shipped thresholds (${scorer.model.version}): DEFERIDO ≥ ${shipped.score_deferido}, INDEFERIDO < ${shipped.score_revisao}`)
  for (const [lang, l] of Object.entries(scorer.byLanguage))
    console.log(`shipped thresholds (${scorer.model.version}, ${lang}): DEFERIDO ≥ ${l.score_deferido}, INDEFERIDO < ${l.score_revisao}`)
  console.log(`calibrated on the first part: DEFERIDO ≥ ${t.score_deferido}, INDEFERIDO < ${t.score_revisao}`)
  report(`held out: model ${scorer.model.version}, calibrated thresholds`, rows(t))
  report(`held out: model ${scorer.model.version}, shipped thresholds`, rows(shipped, scorer.byLanguage))
  report('held out: hand-set score (pontuacao: manual)', manualRows)
}

/** The files a shipped model's training report names (by hash). */
function artefactData(version: string): { sha256: string }[] {
  const raw = JSON.parse(readFileSync(new URL(`../engine/model/${version}.json`, import.meta.url), 'utf8')) as {
    relatorio?: { dados?: { sha256: string }[] }
  }
  return raw.relatorio?.dados ?? []
}
