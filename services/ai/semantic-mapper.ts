import {
  combineSignals,
  createLexicalMapper,
  MAPPER_VERSION,
  semanticWeightsTag,
  type ConceptMapper,
  type ConceptMatch,
  type MappingInput,
  type EvaluateRequest,
  type Policy,
  type SemanticPairSignals,
  type SemanticSignal,
  type TaxonomyNode,
} from '../../engine/index'
import type { EmbeddingService } from './embedding-service'
import { failureKind, type ProviderFailure } from './errors'
import type { LlmRefiner, RefineReport } from './llm-refine'
import { emptyTally, type AiTally } from './metrics'
import { pairSignalsOf, pairSignalTexts } from './pair-signals'
import { nodeText, passagesOf, type Passage } from './passages'
import type { VectorStore } from './vector-cache'

export interface SemanticMapperOptions {
  embeddings: EmbeddingService
  tenantId: string
  policy: Policy
  /** The bound taxonomy's nodes: a concept with a node's id is embedded as that node's text. */
  taxonomyNodes?: readonly TaxonomyNode[]
  /** The target's syllabus: the engine's first call (which taxonomy concepts the target teaches) is not refined by the LLM. */
  destinoEmenta?: string
  /** Present when an LLM is configured and the policy asks for it. */
  refiner?: LlmRefiner
  /** The durable vector layer for this evaluation's database handle. */
  store?: VectorStore
  /**
   * The pair, when the policy's scoring model reads the semantic pair signals: its two titles and
   * syllabi join the first call's batch (pair-signals.ts), and `pairSignals` holds their cosines.
   */
  pair?: Pick<EvaluateRequest, 'origem' | 'origens' | 'destino'>
}

/** A ConceptMapper for one evaluation, with what it cost and how it went. */
export interface SemanticMapper extends ConceptMapper {
  readonly tally: AiTally
  /** Why the embeddings could not be had (the engine then degraded); null when they were. */
  readonly failure: ProviderFailure | null
  readonly llm: RefineReport | null
  /** The pair's semantic signals once the first call embedded them (`pair` given); null before, without `pair`, or on failure. */
  readonly pairSignals: SemanticPairSignals | null
}

const lexical = createLexicalMapper()

function dot(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length)
  let s = 0
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!
  return s
}

const NO_TEXTS: readonly string[] = []

/**
 * Hybrid mapping: the lexical mapper's matches, joined by `combineSignals` (engine/hybrid.ts)
 * with the cosine similarity of each concept to its best passage of the origin(s). In
 * destino-topics mode the concepts are the target's topics, so this is topic-to-topic
 * similarity between the two syllabi; with a taxonomy, node-to-topic. Every text of one call
 * goes to the embedding service in one batch.
 */
export function createSemanticMapper(options: SemanticMapperOptions): SemanticMapper {
  const s = options.policy.semantico
  const nodeTexts = new Map((options.taxonomyNodes ?? []).map((n) => [n.id, nodeText(n)]))
  const base = `hibrido-1:${MAPPER_VERSION}+${options.embeddings.model}:${semanticWeightsTag(s)}`
  const withLlm = options.refiner ? `${base}+llm:${options.refiner.model}:m${s.llm_ajuste_maximo}` : base
  const state = {
    tally: emptyTally(),
    failure: null as ProviderFailure | null,
    llm: null as RefineReport | null,
    pairSignals: null as SemanticPairSignals | null,
  }
  // Embedded once, with the first call's concepts and passages (one provider request for the evaluation).
  let pairTexts: readonly string[] = options.pair ? pairSignalTexts(options.pair) : NO_TEXTS

  async function map(input: MappingInput): Promise<ConceptMatch[]> {
    const lexicalMatches = lexical.map(input) as ConceptMatch[]
    const conceptTexts = new Map(input.concepts.map((c) => [c.id, nodeTexts.get(c.id) ?? c.nome]))
    const passages: Passage[] = input.origens.flatMap((o, i) => passagesOf(o, i))
    let vectors: Float32Array[]
    try {
      vectors = await options.embeddings.embed(
        options.tenantId,
        [...input.concepts.map((c) => conceptTexts.get(c.id)!), ...passages.map((p) => p.text), ...pairTexts],
        state.tally,
        options.store,
      )
    } catch (err) {
      state.failure = failureKind(err)
      state.pairSignals = null
      throw err
    }
    if (pairTexts.length > 0) {
      state.pairSignals = pairSignalsOf(vectors.slice(vectors.length - pairTexts.length))
      vectors = vectors.slice(0, vectors.length - pairTexts.length)
      pairTexts = NO_TEXTS
    }
    const passageVectors = vectors.slice(input.concepts.length)
    const candidates = new Map<string, Passage[]>()
    const signals: SemanticSignal[] = input.concepts.map((c, ci) => {
      const ranked = passages
        .map((p, pi) => ({ p, sim: dot(vectors[ci]!, passageVectors[pi]!) }))
        .sort((a, b) => b.sim - a.sim)
        .slice(0, s.top_k)
      // Only passages the embeddings relate to the concept are candidates: an unrelated one (an
      // instruction planted in a syllabus, say) is never sent to the LLM nor quoted for this concept.
      candidates.set(
        c.id,
        ranked.filter((r) => r.sim > s.similaridade_piso).map((r) => r.p),
      )
      const best = ranked[0]
      return {
        conceito_id: c.id,
        similaridade: best?.sim ?? 0,
        origem: best ? { indice_origem: best.p.indice_origem, inicio: best.p.inicio, fim: best.p.fim } : null,
      }
    })
    const combined = combineSignals(lexicalMatches, signals, s)
    const isTargetSide = input.origens.length === 1 && input.origens[0]!.source === options.destinoEmenta
    if (!options.refiner || isTargetSide) return combined
    const refined = await options.refiner.refine({
      tenantId: options.tenantId,
      conceptTexts,
      origens: input.origens,
      matches: combined,
      candidates,
      minimum: options.policy.confianca_minima,
      maxAdjust: s.llm_ajuste_maximo,
      tally: state.tally,
    })
    state.llm = refined.report
    return refined.matches
  }

  return {
    /** Names exactly what produced the mapping: without the LLM part when the LLM did not answer. */
    get version() {
      const llmFailed = state.llm !== null && state.llm.estado !== 'ok' && state.llm.estado !== 'sem_candidatos'
      return options.refiner && !llmFailed ? withLlm : base
    },
    map,
    get tally() {
      return state.tally
    },
    get failure() {
      return state.failure
    },
    get llm() {
      return state.llm
    },
    get pairSignals() {
      // Only a mapping that had its embeddings: after a failed call the engine degraded.
      return state.failure ? null : state.pairSignals
    },
  }
}
