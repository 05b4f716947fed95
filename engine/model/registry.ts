import type { Policy } from '../policy'
import type { Thresholds } from '../score'
import gbdtPares1 from './gbdt-pares-1.json' with { type: 'json' }
import gbdtPares2 from './gbdt-pares-2.json' with { type: 'json' }
import gbdtPares3 from './gbdt-pares-3.json' with { type: 'json' }
import { compileModel, type CompiledModel } from './gbdt'

/**
 * The scoring models the engine ships, by version. An artefact is never edited once released: a
 * refit is a new file and a new version, so a stored result's `model_version` always names the
 * weights that produced it and a policy can stay on an older model.
 */
const MODELS = new Map<string, CompiledModel>(
  [gbdtPares1, gbdtPares2, gbdtPares3].map((raw) => {
    const model = compileModel(raw)
    return [model.version, model]
  }),
)

/**
 * The versions a policy may name (`modelo.versao`): the lexical models, and a semantic one (fitted
 * with the semantic features, `npm run train -- --mapper semantic --base V`), which scores when an
 * evaluation carries the semantic signals and leaves it to its lexical base otherwise.
 */
const versions: string[] = [...MODELS.keys()]
export const MODEL_VERSIONS: readonly string[] = versions
/** The model a policy gets when it names none: the newest lexical one. */
export const DEFAULT_MODEL_VERSION: string = [...MODELS.values()].filter((m) => !m.requiresSemantic).at(-1)!.version

/**
 * Adds an artefact that is not shipped in engine/model/ (a semantic model fitted for a
 * deployment's own provider, a test's model): from then on a policy may name its version. A
 * version stands for one set of weights: registering another artefact under a known version
 * throws; the same one again is a no-op. A semantic model's lexical base must be known.
 */
export function registerModel(raw: unknown): CompiledModel {
  const model = compileModel(raw)
  const known = MODELS.get(model.version)
  if (known) {
    if (JSON.stringify(known) !== JSON.stringify(model)) throw new Error(`model ${model.version} is already registered with other weights`)
    return known
  }
  if (model.lexicalBase !== null) {
    const base = MODELS.get(model.lexicalBase)
    if (!base || base.requiresSemantic) throw new Error(`model ${model.version}: unknown lexical base ${model.lexicalBase}`)
  }
  MODELS.set(model.version, model)
  versions.push(model.version)
  return model
}

export function modelByVersion(version: string): CompiledModel | undefined {
  return MODELS.get(version)
}

/** A model with the thresholds it decides on. */
export interface ModelScorer {
  model: CompiledModel
  thresholds: Thresholds
  byLanguage: Readonly<Record<string, Thresholds>>
}

/** A lexical model's scorer, with the semantic model's when the policy names one. */
export type LexicalScorer = ModelScorer & { semantic: ModelScorer | null }

export type Scorer = LexicalScorer | { model: null }

const MANUAL: Scorer = { model: null }
/** Parsed policies are shared (one per tenant version), so a policy's scorer is worked out once. */
const scorers = new WeakMap<Policy, Scorer>()

/** The scorer a policy asks for: the hand-set score, or a model with its (or the policy's) thresholds. */
export function resolveScorer(policy: Policy): Scorer {
  let scorer = scorers.get(policy)
  if (!scorer) {
    scorer = scorerOf(policy)
    scorers.set(policy, scorer)
  }
  return scorer
}

function scorerOf(policy: Policy): Scorer {
  if (policy.pontuacao === 'manual') return MANUAL
  const model = MODELS.get(policy.modelo.versao ?? DEFAULT_MODEL_VERSION)
  // The policy schema only accepts known versions, so this holds for any parsed policy.
  if (!model) throw new Error(`unknown model version ${String(policy.modelo.versao)}`)
  // A semantic model is named by the policy itself (a new semantic model never changes what a
  // policy on a lexical one scores with); without the signals its lexical base scores.
  if (model.lexicalBase === null) return scorerFor(model, policy)
  return scorerFor(MODELS.get(model.lexicalBase)!, policy, model)
}

function withThresholds(model: CompiledModel, policy: Policy): ModelScorer {
  // A policy's own thresholds apply in every language; otherwise the model's per-language choice.
  const own = policy.modelo.score_deferido !== null || policy.modelo.score_revisao !== null
  const perLanguage = Object.fromEntries(
    Object.entries(policy.modelo.limiares_por_idioma ?? {}).filter((e): e is [string, Thresholds] => e[1] !== undefined),
  )
  return {
    model,
    // The policy's per-language thresholds first; then its own (every language) or the model's per language.
    byLanguage: { ...(own ? {} : model.thresholdsByLanguage), ...perLanguage },
    thresholds: {
      score_deferido: policy.modelo.score_deferido ?? model.thresholds.score_deferido,
      score_revisao: policy.modelo.score_revisao ?? model.thresholds.score_revisao,
    },
  }
}

/** The scorer of `model` under `policy`, with its semantic companion's (`semantic`) when there is one. */
export function scorerFor(model: CompiledModel, policy: Policy, semantic: CompiledModel | null = null): LexicalScorer {
  return { ...withThresholds(model, policy), semantic: semantic ? withThresholds(semantic, policy) : null }
}

/**
 * The model that scores a pair: the policy's semantic model when the caller supplied the semantic
 * signals; its lexical base otherwise (no provider, or it failed) and for a lexical policy model.
 */
export function scoringModel(scorer: LexicalScorer, hasSemantic: boolean): ModelScorer {
  return hasSemantic && scorer.semantic ? scorer.semantic : scorer
}
