import type { EvaluateRequest, SemanticPairSignals } from '../../engine/index'
import type { EmbeddingService } from './embedding-service'
import type { AiTally } from './metrics'
import type { VectorStore } from './vector-cache'

/**
 * The pair-level semantic features a scoring model fitted with them reads (`semantica_titulos`,
 * `semantica_ementas`, engine/model/features.ts): the cosine of the two titles' embeddings and of
 * the two syllabi's. Training (`bench/train.ts --mapper semantic`) and the service
 * (`evaluateWithSemantic`) both go through these functions, so a model is served on exactly the
 * numbers it was fitted on.
 */

/** The four texts, in the order `pairSignalsOf` reads their vectors: origin title, target title, origin syllabus, target syllabus. */
export function pairSignalTexts(request: Pick<EvaluateRequest, 'origem' | 'origens' | 'destino'>): [string, string, string, string] {
  const origens = request.origens ?? (request.origem ? [request.origem] : [])
  // N:1: the origins as one course (titles as the engine names the combination, syllabi one after the other).
  return [origens.map((o) => o.nome).join(' + '), request.destino.nome, origens.map((o) => o.ementa).join('\n'), request.destino.ementa]
}

function cosine(a: Float32Array, b: Float32Array): number {
  // The embedding service returns unit vectors: the dot product is the cosine.
  const n = Math.min(a.length, b.length)
  let s = 0
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!
  return s
}

/** The signals from the four texts' vectors (`pairSignalTexts` order). */
export function pairSignalsOf(vectors: readonly Float32Array[]): SemanticPairSignals {
  const [titleA, titleB, syllabusA, syllabusB] = vectors
  if (!titleA || !titleB || !syllabusA || !syllabusB) throw new Error('pair signals need the four vectors')
  return { titulos: cosine(titleA, titleB), ementas: cosine(syllabusA, syllabusB) }
}

/** Embeds the four texts (through the caches, one batch) and gives the signals; throws ProviderError as `embed` does. */
export async function embedPairSignals(
  embeddings: EmbeddingService,
  tenantId: string,
  request: Pick<EvaluateRequest, 'origem' | 'origens' | 'destino'>,
  tally: AiTally,
  store?: VectorStore,
): Promise<SemanticPairSignals> {
  return pairSignalsOf(await embeddings.embed(tenantId, pairSignalTexts(request), tally, store))
}
