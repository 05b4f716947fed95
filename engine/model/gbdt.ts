import { z } from 'zod'
import { MODEL_FEATURE_LABELS, MODEL_FEATURE_NAMES, SEMANTIC_FEATURE_NAMES, type ModelFeatureName } from './features'

/**
 * Inference of a gradient-boosted tree ensemble fitted by `bench/train.ts` (logistic loss). Each
 * tree is stored flat: node i splits on `feature[i]` (−1 marks a leaf) and goes `left` when the
 * value is ≤ `threshold[i]`; `value[i]` is the node's contribution to the log-odds (internal nodes
 * too, so the path explains itself: each split moves the prediction by child − parent, credited to
 * the feature it split on — Saabas' attribution, exact for the sum of the path).
 */

const TreeSchema = z
  .object({
    feature: z.array(z.number().int().min(-1)),
    threshold: z.array(z.number()),
    left: z.array(z.number().int().min(-1)),
    right: z.array(z.number().int().min(-1)),
    value: z.array(z.number()),
  })
  .strict()

const score = z.number().min(0).max(100)

export const ModelArtefactSchema = z.object({
  versao: z.string().min(1),
  tipo: z.literal('gbdt'),
  features: z.array(z.string()).min(1),
  /** Log-odds before any tree. */
  base: z.number(),
  arvores: z.array(TreeSchema).min(1),
  /** Score (100 × probability of equivalence) thresholds the training chose. */
  limiares: z.object({ score_deferido: score, score_revisao: score }).strict(),
  /** Thresholds chosen for one language alone (the engine knows a pair's language); `limiares` for the others. */
  limiares_por_idioma: z
    .record(z.string(), z.object({ score_deferido: score, score_revisao: score }).strict())
    .optional(),
  /**
   * A model fitted with the semantic features accompanies a lexical one (`base_lexica`): the
   * engine scores with it when the caller supplies the semantic signals, and with the lexical
   * model otherwise.
   */
  base_lexica: z.string().min(1).optional(),
  relatorio: z.unknown().optional(),
})

export type ModelArtefact = z.infer<typeof ModelArtefactSchema>

export interface CompiledModel {
  version: string
  thresholds: { score_deferido: number; score_revisao: number }
  thresholdsByLanguage: Readonly<Record<string, { score_deferido: number; score_revisao: number }>>
  featureNames: readonly ModelFeatureName[]
  /** It reads a semantic feature: only usable when the caller supplies the signals. */
  requiresSemantic: boolean
  /** The lexical model it accompanies (semantic models only). */
  lexicalBase: string | null
  base: number
  /** Every tree's nodes in one set of arrays (children as absolute indexes); `roots[k]` starts tree k. */
  roots: Int32Array
  feature: Int32Array
  threshold: Float64Array
  left: Int32Array
  right: Int32Array
  value: Float64Array
}

/** Validates an artefact and resolves its feature names; throws on a malformed or foreign artefact. */
export function compileModel(raw: unknown): CompiledModel {
  const a = ModelArtefactSchema.parse(raw)
  const featureNames = a.features.map((name) => {
    if (!(MODEL_FEATURE_NAMES as readonly string[]).includes(name))
      throw new Error(`model ${a.versao}: unknown feature ${name}`)
    return name as ModelFeatureName
  })
  const trees = a.arvores.map((t, k) => {
    const n = t.feature.length
    if ([t.threshold, t.left, t.right, t.value].some((col) => col.length !== n))
      throw new Error(`model ${a.versao}: tree ${k} is ragged`)
    t.feature.forEach((f, i) => {
      if (f >= featureNames.length) throw new Error(`model ${a.versao}: tree ${k} splits on feature ${f}`)
      // Children come after their parent, so evaluation always terminates.
      if (f >= 0 && !(t.left[i]! > i && t.right[i]! > i && t.left[i]! < n && t.right[i]! < n)) {
        throw new Error(`model ${a.versao}: tree ${k} node ${i} has bad children`)
      }
    })
    return {
      feature: Int32Array.from(t.feature),
      threshold: Float64Array.from(t.threshold),
      left: Int32Array.from(t.left),
      right: Int32Array.from(t.right),
      value: Float64Array.from(t.value),
    }
  })
  const semantic = featureNames.some((name) => SEMANTIC_FEATURE_NAMES.includes(name))
  if (semantic !== (a.base_lexica !== undefined))
    throw new Error(`model ${a.versao}: a model on semantic features names its lexical base (base_lexica), and only it`)
  const roots: number[] = []
  let size = 0
  for (const t of trees) {
    roots.push(size)
    size += t.feature.length
  }
  const flat = {
    feature: new Int32Array(size),
    threshold: new Float64Array(size),
    left: new Int32Array(size),
    right: new Int32Array(size),
    value: new Float64Array(size),
  }
  const columns = featureNames.map((name) => MODEL_FEATURE_NAMES.indexOf(name))
  trees.forEach((t, k) => {
    const offset = roots[k]!
    // Splits name the engine's feature index directly, so inference reads the vector as it comes.
    flat.feature.set(
      t.feature.map((f) => (f >= 0 ? columns[f]! : -1)),
      offset,
    )
    flat.threshold.set(t.threshold, offset)
    flat.value.set(t.value, offset)
    for (let i = 0; i < t.feature.length; i++) {
      flat.left[offset + i] = t.left[i]! + offset
      flat.right[offset + i] = t.right[i]! + offset
    }
  })
  return {
    version: a.versao,
    thresholds: a.limiares,
    thresholdsByLanguage: a.limiares_por_idioma ?? {},
    featureNames,
    requiresSemantic: featureNames.some((name) => SEMANTIC_FEATURE_NAMES.includes(name)),
    lexicalBase: a.base_lexica ?? null,
    base: a.base,
    roots: Int32Array.from(roots),
    ...flat,
  }
}

export interface Prediction {
  /** Probability that the pair is equivalent. */
  probability: number
  /** Per engine feature (`MODEL_FEATURE_NAMES` order): how much it moved the log-odds (sums, with `base` and the roots, to the logit). */
  contributions: number[]
}

export function predict(model: CompiledModel, vector: readonly number[]): Prediction {
  // A plain array: allocating a typed array per evaluation costs more than the trees themselves.
  const contributions: number[] = new Array<number>(MODEL_FEATURE_NAMES.length).fill(0)
  const { roots, feature, threshold, left, right, value } = model
  let logit = model.base
  for (let k = 0; k < roots.length; k++) {
    let i = roots[k]!
    let f = feature[i]!
    while (f >= 0) {
      const next = vector[f]! <= threshold[i]! ? left[i]! : right[i]!
      contributions[f]! += value[next]! - value[i]!
      i = next
      f = feature[i]!
    }
    // The leaf's value is the root's plus every step credited above.
    logit += value[i]!
  }
  return { probability: 1 / (1 + Math.exp(-logit)), contributions }
}

export interface Factor {
  fator: ModelFeatureName
  descricao: string
  /** The feature's value for this pair. */
  valor: number
  /** Its push on the log-odds: positive towards DEFERIDO. */
  efeito: number
}

/** The `n` features that moved this decision most, strongest first. */
export function topFactors(vector: readonly number[], prediction: Prediction, n = 3): Factor[] {
  const c = prediction.contributions
  const chosen: number[] = []
  // n passes of a selection: the vector is short and n is small, so no sort and no allocation per feature.
  for (let k = 0; k < n; k++) {
    let best = -1
    for (let f = 0; f < c.length; f++) {
      if (chosen.includes(f) || Math.abs(c[f]!) < 0.005) continue
      if (best < 0 || Math.abs(c[f]!) > Math.abs(c[best]!)) best = f
    }
    if (best < 0) break
    chosen.push(best)
  }
  return chosen.map((f) => {
    const name = MODEL_FEATURE_NAMES[f]!
    return {
      fator: name,
      descricao: MODEL_FEATURE_LABELS[name],
      valor: round4(vector[f]!),
      efeito: round4(c[f]!),
    }
  })
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000
}
