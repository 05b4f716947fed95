/** Turns texts into vectors; `model` names the model and version, and keys the embedding cache. */
export interface Embedder {
  readonly model: string
  embed(texts: readonly string[]): Promise<number[][]>
}

/** The shared embedding cache (db table embedding_cache), keyed by (text hash, model). */
export interface EmbeddingStore {
  /** Which of these hashes have no vector yet for the model. */
  missing(textHashes: readonly string[], model: string): Promise<Set<string>>
  put(entries: ReadonlyArray<{ textHash: string; model: string; vector: number[] }>): Promise<void>
}
