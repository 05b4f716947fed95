import type { ConceptMatch } from './mapper'
import type { Policy } from './policy'

/** The semantic side of one concept: its best passage in the origin(s) and that passage's cosine similarity. */
export interface SemanticSignal {
  conceito_id: string
  /** Cosine similarity in -1..1 (raw, as the embedding model gives it). */
  similaridade: number
  origem: ConceptMatch['origem']
}

export type SemanticWeights = Pick<
  Policy['semantico'],
  'peso_semantico' | 'similaridade_piso' | 'similaridade_teto'
>

/** Cosine similarity → 0..1 on the policy's band: below the floor nothing, above the ceiling certain. */
export function calibrateSimilarity(similaridade: number, w: SemanticWeights): number {
  const x = (similaridade - w.similaridade_piso) / (w.similaridade_teto - w.similaridade_piso)
  return Math.min(1, Math.max(0, x))
}

/**
 * One confidence per concept from both signals: `(1 - α) · lexical + α · semantic`, α =
 * `peso_semantico`. The evidence span is the one of the signal that contributed more (the
 * lexical span when they tie, the other one when a side found nothing). Pure: same inputs, same
 * matches, so the weights (written into `model_version`) make the mapping reproducible.
 */
export function combineSignals(
  lexical: readonly ConceptMatch[],
  semantic: readonly SemanticSignal[],
  w: SemanticWeights,
): ConceptMatch[] {
  const alpha = w.peso_semantico
  const byId = new Map(semantic.map((s) => [s.conceito_id, s]))
  return lexical.map((lex) => {
    const sem = byId.get(lex.conceito_id)
    if (!sem) return { ...lex, confianca: (1 - alpha) * lex.confianca }
    const s = calibrateSimilarity(sem.similaridade, w)
    const lexicalPart = (1 - alpha) * lex.confianca
    const semanticPart = alpha * s
    const origem = semanticPart > lexicalPart ? (sem.origem ?? lex.origem) : (lex.origem ?? (s > 0 ? sem.origem : null))
    return { conceito_id: lex.conceito_id, confianca: Math.min(1, lexicalPart + semanticPart), origem }
  })
}

/** The version tag of the weights, for `model_version`. */
export function semanticWeightsTag(w: SemanticWeights): string {
  return `a${w.peso_semantico}-p${w.similaridade_piso}-t${w.similaridade_teto}`
}
