import { z } from 'zod'
import type { Embedder } from './types'

export interface OpenAiEmbedderOptions {
  /** Base URL of an OpenAI-compatible API, e.g. `https://api.openai.com/v1`. */
  url: string
  apiKey?: string
  /** @example 'text-embedding-3-small' */
  model: string
  /** @default 30000 */
  timeoutMs?: number
}

const EmbeddingsResponse = z.object({
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })),
})

/** `POST {url}/embeddings` of any OpenAI-compatible server (OpenAI, vLLM, Ollama, LiteLLM, ...). */
export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const endpoint = `${options.url.replace(/\/+$/, '')}/embeddings`
  return {
    model: `openai:${options.model}`,
    async embed(texts) {
      if (texts.length === 0) return []
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: options.model, input: texts }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      })
      if (!response.ok) throw new Error(`embeddings API answered ${response.status}`)
      const { data } = EmbeddingsResponse.parse(await response.json())
      if (data.length !== texts.length) throw new Error(`embeddings API returned ${data.length} vectors for ${texts.length} texts`)
      return [...data].sort((a, b) => a.index - b.index).map((d) => d.embedding)
    },
  }
}
