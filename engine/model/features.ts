import type { PairFeatures } from '../features'
import { stripCatalogueCode } from '../sequence'
import type { Language } from '../text/stopwords'
import { ngramSimilarity } from './ngrams'

/**
 * The pair features a scoring model reads, in a fixed order, each with the Portuguese phrase the
 * justification uses and the direction it may move the score: +1, more of it never lowers the
 * chance of equivalence (shared content, alike titles); −1, it never raises it (a sequence marker
 * on one side). Training holds the model to these directions, so it cannot learn from noisy labels
 * that, say, less shared content means equivalent. Adding a feature appends it here; a model
 * artefact names the features it was fitted on, so older artefacts keep working.
 */
export const MODEL_FEATURES = [
  ['cobertura', 'cobertura dos tópicos do destino', 1],
  ['cobertura_termos', 'cobertura do vocabulário do destino', 1],
  ['similaridade_titulo', 'semelhança dos nomes sem marcadores de sequência', 1],
  ['mesmo_titulo', 'nomes iguais após a limpeza', 1],
  ['titulo_na_origem', 'assunto do destino citado na origem', 1],
  ['identificacao', 'identificação da disciplina', 1],
  ['sequencia_diferente', 'etapa diferente da mesma sequência', -1],
  ['ngramas_titulo', 'semelhança dos nomes completos por caracteres', 1],
  ['marcador_um_lado', 'marcador de sequência ou nível em só um dos nomes', -1],
  ['palavras_titulo_extras', 'palavras de um nome ausentes do outro', -1],
  ['nome_destino_no_nome_origem', 'parte do nome do destino contida no nome da origem (caracteres)', 1],
  ['nome_origem_no_nome_destino', 'parte do nome da origem contida no nome do destino (caracteres)', 1],
  ['conteudo_reproduzido', 'ementa do destino reproduzida na origem', 1],
  ['nivel_catalogo_destino', 'nível do destino pelo número de catálogo (primeiro dígito de um número de 3 ou 4 dígitos)', -1],
  // Semantic similarities (cosine of embeddings), known only when an embeddings provider is
  // configured: read only by a model fitted with them (`npm run train -- --mapper semantic`).
  ['semantica_titulos', 'semelhança semântica dos nomes (embeddings)', 1],
  ['semantica_ementas', 'semelhança semântica das ementas (embeddings)', 1],
] as const

export type ModelFeatureName = (typeof MODEL_FEATURES)[number][0]
export const MODEL_FEATURE_NAMES: readonly ModelFeatureName[] = MODEL_FEATURES.map(([name]) => name)
export const MODEL_FEATURE_LABELS: Readonly<Record<ModelFeatureName, string>> = Object.fromEntries(
  MODEL_FEATURES.map(([name, label]) => [name, label]),
) as Record<ModelFeatureName, string>
export const MODEL_FEATURE_DIRECTIONS: readonly (1 | -1)[] = MODEL_FEATURES.map(
  ([, , direction]) => direction,
)
/** The features an embeddings provider supplies; a model fitted on any of them needs the signals. */
export const SEMANTIC_FEATURE_NAMES: readonly ModelFeatureName[] = ['semantica_titulos', 'semantica_ementas']
/** The features every evaluation has: what a lexical model is fitted on. */
export const LEXICAL_FEATURE_NAMES: readonly ModelFeatureName[] = MODEL_FEATURE_NAMES.filter(
  (name) => !SEMANTIC_FEATURE_NAMES.includes(name),
)

/**
 * Pair-level semantic similarities (cosine of embeddings, −1..1) of the two titles and of the two
 * syllabi (the origins' texts joined for N:1), computed by the caller through its embeddings
 * provider; the engine itself does no I/O.
 */
export interface SemanticPairSignals {
  titulos: number
  ementas: number
}

export interface ModelFeatureInput {
  origemNomes: readonly string[]
  destinoNome: string
  pair: PairFeatures
  cobertura: number
  identificacao: number
  lang: Language
  /** Absent without a provider: the semantic features are then 0 and only lexical models score. */
  semantic?: SemanticPairSignals | null
}

/**
 * The feature vector, in `MODEL_FEATURE_NAMES` order. Deterministic; no I/O. Character n-grams of
 * the syllabi were measured too and left out: beside the coverage features they added nothing
 * (docs/adr/0003-scoring-model-fitted-on-labelled-pairs.md) and cost more than the rest of the model.
 */
export function modelFeatureVector(input: ModelFeatureInput): number[] {
  const { pair, lang } = input
  const stripCode = lang === 'en'
  const target = stripCode ? stripCatalogueCode(input.destinoNome) : input.destinoNome
  let titleNgrams = 0
  let targetInTaken = 0
  let takenInTarget = 0
  for (const nome of input.origemNomes) {
    const taken = stripCode ? stripCatalogueCode(nome) : nome
    const t = ngramSimilarity(taken, taken.length, target, target.length, 3)
    if (t.dice >= titleNgrams) {
      titleNgrams = t.dice
      targetInTaken = t.containment
      takenInTarget = t.reverseContainment
    }
  }
  return [
    input.cobertura,
    pair.termCoverage,
    pair.titleSimilarity,
    pair.sameTitle ? 1 : 0,
    pair.targetTitleInOrigin,
    input.identificacao,
    pair.sequenceConflict ? 1 : 0,
    titleNgrams,
    pair.oneSidedMarker ? 1 : 0,
    Math.min(pair.titleExtraWords, 6),
    targetInTaken,
    takenInTarget,
    // Both coverages at once: a target syllabus reproduced almost entirely identifies the course.
    Math.min(input.cobertura, pair.termCoverage),
    pair.targetCatalogueLevel,
    input.semantic?.titulos ?? 0,
    input.semantic?.ementas ?? 0,
  ]
}
