/**
 * Fits the engine's scoring model: `npm run train -- FILE.jsonl... [--report-only FILE]... [--version V]
 * [--folds 5] [--min-precision 0.95] [--min-accuracy 0.90] [--per-language] [--tune-whole FILE]...
 * [--trees N] [--learning-rate X] [--repeats R] [--mapper semantic --base VERSION] [--write | --out FILE]`.
 *
 * `--mapper semantic` also computes the semantic features (cosines of the titles' and the syllabi's
 * embeddings through the provider configured by env, as `npm run eval -- --mapper semantic` does)
 * and fits on them: the artefact names `--base` as the lexical model it accompanies, and the engine
 * scores with it only when an evaluation carries the signals (`EvaluationContext.semantic`).
 *
 * 1. Reads the labelled pairs in place and measures each one as the engine does (`scoringInput`).
 * 2. Holds out a quarter of each file's course groups (and every `--report-only` file): never
 *    fitted or tuned on, only reported at the end.
 * 3. On the rest, cross-validation grouped by course (no course in both the fitting and the
 *    scoring fold) gives an out-of-fold score for every pair; the two thresholds are the ones that
 *    make the most automatic decisions with DEFERIDO precision and auto-accuracy at least the
 *    minimums on those scores, pooled and within each language (`--min-stratum`); with
 *    `--per-language`, a pair of thresholds per language instead, each meeting the minimums on that
 *    language's scores (so the pool does too) — the engine knows a pair's language (gbdt-pares-2).
 * 4. The model fitted on the whole tuning part, with those thresholds, is scored on the held-out
 *    part. With `--write`, the artefact (trees, thresholds and this report, no pair text) goes to
 *    engine/model/<version>.json; the engine ships it once engine/model/registry.ts lists it.
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { parseArgs } from 'node:util'
import {
  compileModel,
  DEFAULT_POLICY,
  LEXICAL_FEATURE_NAMES,
  MODEL_FEATURE_DIRECTIONS,
  MODEL_FEATURE_NAMES,
  predict,
  scoreOf,
  type CompiledModel,
  type ModelArtefact,
} from '../engine'
import {
  chooseThresholds,
  decideCase,
  summariseDecisions,
  type Constraints,
  type DecisionSummary,
  type ScoredCase,
} from '../engine/calibration'
import type { Thresholds } from '../engine/score'
import { loadSamples, type Sample } from './lib/dataset'
import { DEFAULT_BOOST, fitBoosted, type BoostParams } from './lib/gbdt'
import { groupFolds } from './lib/groups'
import { formatSummary } from './lib/metrics'
import { createCountingAiMetrics, createSemanticServices, embedPairSignals, parseAiConfig } from '../services/ai/index'
import { emptyTally } from '../services/ai/metrics'
import { toRequest, type LabelledPair } from './lib/pairs'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'report-only': { type: 'string', multiple: true, default: [] },
    /** Files fitted and tuned on whole (no held-out quarter), beside the positional files' tuning parts. */
    'tune-whole': { type: 'string', multiple: true, default: [] },
    version: { type: 'string', default: 'gbdt-pares-1' },
    folds: { type: 'string', default: '5' },
    'min-precision': { type: 'string', default: '0.95' },
    'min-accuracy': { type: 'string', default: '0.90' },
    write: { type: 'boolean', default: false },
    /** Choose the thresholds on this file's out-of-fold scores only (default: every tuning pair). */
    'choose-on': { type: 'string' },
    /** Cases per language from which that language must meet the constraints on its own (0 = pooled only). */
    'min-stratum': { type: 'string', default: '100' },
    /** Thresholds chosen per language (each meeting the constraints, so the pool does too). */
    'per-language': { type: 'boolean', default: false },
    /** Boosting rounds and learning rate (default: bench/lib/gbdt.ts DEFAULT_BOOST, 80 and 0.08). */
    trees: { type: 'string' },
    /**
     * Repeats of the grouped CV, each with another assignment of groups to folds; the thresholds are
     * chosen on all the repeats' out-of-fold scores at once, so that one lucky or unlucky fold split
     * does not set them (default 1: the figures of gbdt-pares-1 and -2).
     */
    repeats: { type: 'string', default: '1' },
    /**
     * `semantic`: also the semantic features, computed through the embeddings provider configured by
     * env (EMBED_URL, EMBED_API_KEY, EMBED_MODEL, as for the service); the artefact then accompanies
     * the lexical model named by `--base` and is used only when an evaluation has the signals.
     */
    mapper: { type: 'string', default: 'lexical' },
    /** Comma-separated feature names to fit on (default: every lexical feature, with --mapper semantic every feature). */
    features: { type: 'string' },
    base: { type: 'string' },
    'learning-rate': { type: 'string' },
    /** Writes the artefact to this file instead (with --write: engine/model/<version>.json, which ships it once registry.ts lists it). */
    out: { type: 'string' },
    /** Writes `{"id", "lang", "label", "score"}` per out-of-fold score, to study the curve. */
    oof: { type: 'string' },
  },
})
if (positionals.length === 0) {
  console.error('usage: npm run train -- FILE.jsonl... [--report-only FILE] [--version V] [--write]')
  process.exit(2)
}

const constraints: Constraints = {
  deferidoPrecision: Number(values['min-precision']),
  autoAccuracy: Number(values['min-accuracy']),
  indeferidoPrecision: 0,
  // Each language must meet the constraints on its own, not only the two pooled.
  minStratum: Number(values['min-stratum']),
}
if (values.mapper !== 'lexical' && values.mapper !== 'semantic') {
  console.error('--mapper must be "lexical" or "semantic"')
  process.exit(2)
}
const semanticMode = values.mapper === 'semantic'
if (semanticMode && !values.base) {
  console.error('--mapper semantic needs --base VERSION: the lexical model the semantic one accompanies')
  process.exit(2)
}
const semanticServices = semanticMode ? createSemanticServices(parseAiConfig(process.env), { metrics: createCountingAiMetrics() }) : null
if (semanticMode && !semanticServices) {
  console.error('--mapper semantic needs an embeddings provider: set EMBED_URL (and EMBED_API_KEY, EMBED_MODEL)')
  process.exit(2)
}
/** The features the model is fitted on: the lexical ones, or every one with the semantic similarities. */
const featureNames: readonly string[] = values.features
  ? values.features.split(',').map((f) => f.trim())
  : semanticMode
    ? MODEL_FEATURE_NAMES
    : LEXICAL_FEATURE_NAMES
for (const name of featureNames)
  if (!(MODEL_FEATURE_NAMES as readonly string[]).includes(name)) {
    console.error(`--features: unknown feature ${name}; known: ${MODEL_FEATURE_NAMES.join(', ')}`)
    process.exit(2)
  }
const columns = featureNames.map((name) => (MODEL_FEATURE_NAMES as readonly string[]).indexOf(name))
const project = (vector: readonly number[]): number[] => columns.map((c) => vector[c]!)
const params: BoostParams = {
  ...DEFAULT_BOOST,
  ...(values.trees ? { trees: Number(values.trees) } : {}),
  ...(values['learning-rate'] ? { learningRate: Number(values['learning-rate']) } : {}),
  monotone: columns.map((c) => MODEL_FEATURE_DIRECTIONS[c]!),
}

/** Cosines of the two titles and of the two syllabi: the very function the service scores with (services/ai/pair-signals.ts). */
const semanticOf = (pair: LabelledPair) => embedPairSignals(semanticServices!.embeddings, 'train', toRequest(pair), emptyTally())
const k = Number(values.folds)
const version = values.version
const coberturaMinima = DEFAULT_POLICY.cobertura_minima

const samples = await loadSamples(positionals, {
  reportOnly: values['report-only'],
  tuneWhole: values['tune-whole'],
  ...(semanticMode ? { semantic: semanticOf } : {}),
})
const tune = samples.filter((s) => !s.heldOut)
const held = samples.filter((s) => s.heldOut)
const folds = groupFolds(
  tune.map((s) => s.pair),
  tune.map((s) => s.group),
  k,
)

/** Fits on `train` and returns the model as the engine will load it (rounded, compiled). */
function fit(
  train: readonly Sample[],
  thresholds: Thresholds = { score_deferido: 100, score_revisao: 0 },
): { artefact: ModelArtefact; model: CompiledModel } {
  const ensemble = fitBoosted(
    train.map((s) => project(s.input.vector)),
    train.map((s) => (s.equivalent ? 1 : 0)),
    params,
  )
  const r = (x: number) => Number(x.toPrecision(7))
  const artefact: ModelArtefact = {
    versao: version,
    tipo: 'gbdt',
    features: [...featureNames],
    ...(semanticMode ? { base_lexica: values.base! } : {}),
    base: r(ensemble.base),
    arvores: ensemble.trees.map((t) => ({ ...t, threshold: t.threshold.map(r), value: t.value.map(r) })),
    limiares: thresholds,
    relatorio: { importancia: importance(ensemble.gain) },
  }
  return { artefact, model: compileModel(artefact) }
}

function importance(gain: readonly number[]): Record<string, number> {
  const total = gain.reduce((a, b) => a + b, 0) || 1
  return Object.fromEntries(
    featureNames.map((name, i) => [name, Math.round((1000 * gain[i]!) / total) / 1000]),
  )
}

const caseOf = (s: Sample, score: number): ScoredCase => ({
  score,
  cobertura: s.input.cobertura,
  blocked: s.input.blocked,
  review: s.input.review,
  equivalent: s.equivalent,
  stratum: s.lang,
})

// Out-of-fold scores: each pair scored by the model fitted without its fold (and so without its courses).
function outOfFold(foldOf: readonly number[]): number[] {
  const scores = new Array<number>(tune.length).fill(0)
  for (let f = 0; f < k; f++) {
    const { model } = fit(tune.filter((_, i) => foldOf[i] !== f))
    tune.forEach((s, i) => {
      if (foldOf[i] === f) scores[i] = scoreOf(predict(model, s.input.vector).probability)
    })
  }
  return scores
}
const oof = outOfFold(folds)
const cvCases = tune.map((s, i) => caseOf(s, oof[i]!))
const repeats = Math.max(1, Number(values.repeats))
/** Cases the thresholds are chosen on: every repeat's out-of-fold score of every tuning pair. */
const repeatedCases: ScoredCase[] = [...cvCases]
const repeatedFiles: string[] = tune.map((s) => s.file)
for (let r = 1; r < repeats; r++) {
  const salted = groupFolds(
    tune.map((s) => s.pair),
    tune.map((s) => s.group),
    k,
    `repeat-${r}:`,
  )
  const scores = outOfFold(salted)
  tune.forEach((s, i) => {
    repeatedCases.push(caseOf(s, scores[i]!))
    repeatedFiles.push(s.file)
  })
}
if (values.oof) {
  const rows = tune.map((s, i) =>
    JSON.stringify({
      id: s.pair.id,
      lang: s.lang,
      label: s.pair.label,
      score: oof[i],
      cobertura: s.input.cobertura,
      file: s.file,
      blocked: s.input.blocked,
      review: s.input.review,
    }),
  )
  writeFileSync(values.oof, rows.join('\n') + '\n')
}
const chooseOn = values['choose-on'] ? basename(values['choose-on']) : null
const chosenCases = repeatedCases.filter((_, i) => chooseOn === null || repeatedFiles[i] === chooseOn)
const choice = chooseThresholds(
  chosenCases,
  constraints,
  coberturaMinima,
)
const thresholds = choice.thresholds
const langThresholds: Record<string, Thresholds> = {}
if (values['per-language']) {
  for (const lang of [...new Set(tune.map((s) => s.lang))].sort())
    langThresholds[lang] = chooseThresholds(
      chosenCases.filter((c) => c.stratum === lang),
      { ...constraints, minStratum: 0 },
      coberturaMinima,
    ).thresholds
}
const thresholdsOf = (lang: string | undefined): Thresholds => (lang && langThresholds[lang]) || thresholds

const { artefact, model } = fit(tune, thresholds)
if (values['per-language']) artefact.limiares_por_idioma = langThresholds
const heldCases = held.map((s) => caseOf(s, scoreOf(predict(model, s.input.vector).probability)))

type Row = { equivalent: boolean; decisao: ReturnType<typeof decideCase> }
const decided = (cases: readonly ScoredCase[]): Row[] =>
  cases.map((c) => ({
    equivalent: c.equivalent,
    decisao: decideCase(c, thresholdsOf(c.stratum), coberturaMinima),
  }))
const manual = (subset: readonly Sample[]): Row[] =>
  subset.map((s) => ({
    equivalent: s.equivalent,
    decisao: decideCase(caseOf(s, s.input.manualScore), DEFAULT_POLICY, coberturaMinima),
  }))

function byLanguage(subset: readonly Sample[], rows: readonly Row[]): Record<string, DecisionSummary> {
  const out: Record<string, DecisionSummary> = { todos: summariseDecisions(rows) }
  for (const lang of [...new Set(subset.map((s) => s.lang))].sort())
    out[lang] = summariseDecisions(rows.filter((_, i) => subset[i]!.lang === lang))
  return out
}

const cvRows = decided(cvCases)
const repeatedRows = decided(repeatedCases)
const repeatedSummary: Record<string, DecisionSummary> = { todos: summariseDecisions(repeatedRows) }
for (const lang of [...new Set(tune.map((s) => s.lang))].sort())
  repeatedSummary[lang] = summariseDecisions(repeatedRows.filter((_, i) => repeatedCases[i]!.stratum === lang))
const heldRows = decided(heldCases)
const report = {
  dados: [...positionals, ...values['tune-whole'], ...values['report-only']].map((file) => ({
    arquivo: basename(file),
    sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
    pares: samples.filter((s) => s.file === basename(file)).length,
    agrupamento: samples.find((s) => s.file === basename(file))?.grouping,
    reservados: samples.filter((s) => s.file === basename(file) && s.heldOut).length,
  })),
  parametros: params,
  restricoes: constraints,
  limiares_escolhidos_em: chooseOn ?? 'todos os pares de ajuste',
  limiares_por_idioma: values['per-language'] ? langThresholds : null,
  cobertura_minima: coberturaMinima,
  validacao_cruzada: {
    folds: k,
    agrupada_por: 'curso (código e nome, componentes conexas)',
    pares: tune.length,
    grupos: new Set(tune.map((s) => s.group)).size,
    modelo: byLanguage(tune, cvRows),
    manual: byLanguage(tune, manual(tune)),
    por_fold: Array.from({ length: k }, (_, f) =>
      summariseDecisions(cvRows.filter((_, i) => folds[i] === f)),
    ),
    repeticoes: repeats,
    // Every repeat's out-of-fold decisions together (the cases the thresholds were chosen on).
    ...(repeats > 1 ? { modelo_repeticoes: repeatedSummary } : {}),
  },
  // Per file: the shared real pairs and our own written ones are different populations.
  reservado: Object.fromEntries(
    [...new Set(held.map((s) => s.file))].map((file) => {
      const subset = held.filter((s) => s.file === file)
      const rows = heldRows.filter((_, i) => held[i]!.file === file)
      return [
        file,
        {
          pares: subset.length,
          grupos: new Set(subset.map((s) => s.group)).size,
          modelo: byLanguage(subset, rows),
          manual: byLanguage(subset, manual(subset)),
        },
      ]
    }),
  ),
  importancia: (artefact.relatorio as { importancia: Record<string, number> }).importancia,
}
artefact.relatorio = report

const show = (title: string, s: DecisionSummary) =>
  formatSummary(title, {
    ...s,
    confusion: { equivalent: s.confusion.equivalent, not_equivalent: s.confusion.not_equivalent },
  }) + `\n  DEFERIDO precision 95% CI [${s.deferidoPrecisionCi.map((x) => x.toFixed(3)).join(', ')}]`

console.log(
  `${samples.length} pairs: ${tune.length} to tune (${report.validacao_cruzada.grupos} course groups), ${held.length} held out`,
)
console.log(
  `thresholds: DEFERIDO at score ≥ ${thresholds.score_deferido}, INDEFERIDO below ${thresholds.score_revisao}`,
)
for (const [lang, t] of Object.entries(langThresholds))
  console.log(`thresholds (${lang}): DEFERIDO at score ≥ ${t.score_deferido}, INDEFERIDO below ${t.score_revisao}`)
for (const [lang, s] of Object.entries(report.validacao_cruzada.modelo))
  console.log(show(`grouped ${k}-fold CV, model, ${lang}`, s))
if (repeats > 1)
  for (const [lang, s] of Object.entries(repeatedSummary))
    console.log(show(`grouped ${k}-fold CV × ${repeats} repeats (thresholds chosen here), model, ${lang}`, s))
for (const [lang, s] of Object.entries(report.validacao_cruzada.manual))
  console.log(show(`grouped ${k}-fold CV, hand-set score, ${lang}`, s))
for (const [file, r] of Object.entries(report.reservado)) {
  for (const [lang, s] of Object.entries(r.modelo))
    console.log(show(`held out ${file} (${r.grupos} course groups), model, ${lang}`, s))
  for (const [lang, s] of Object.entries(r.manual))
    console.log(show(`held out ${file}, hand-set score, ${lang}`, s))
}
console.log('feature importance (share of split gain):', JSON.stringify(report.importancia))
if (values.write || values.out) {
  const out = values.out ?? `engine/model/${version}.json`
  writeFileSync(out, JSON.stringify(artefact) + '\n')
  console.log(`wrote ${out}`)
}
