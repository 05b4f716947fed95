/** Turns texts into vectors. `model` names provider, model and dimensions: it keys every cache and goes into `model_version`. */
export interface EmbeddingProvider {
  readonly model: string
  /** Texts per call the provider accepts. */
  readonly maxBatch: number
  embed(texts: readonly string[]): Promise<{ vectors: number[][]; tokens: number }>
}

export interface JsonCompletionRequest {
  system: string
  user: string
  schemaName: string
  /** A JSON Schema (strict: every property required, no additional properties). */
  schema: Record<string, unknown>
  maxTokens: number
}

/** A chat model answering with JSON that follows a schema. */
export interface ChatProvider {
  readonly model: string
  completeJson(request: JsonCompletionRequest): Promise<{ value: unknown; tokens: number }>
}
