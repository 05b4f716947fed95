import { z } from 'zod'
import { CircuitBreaker } from './breaker'
import { ProviderError } from './errors'
import { postJson, type CallPolicy } from './http'
import type { ChatProvider, EmbeddingProvider, JsonCompletionRequest } from './providers'

/**
 * Clients of OpenAI-compatible APIs (OpenAI, Azure's v1 surface, vLLM, Ollama, LiteLLM, Workers
 * AI's OpenAI endpoints, ...), on `fetch` alone so they run on Node, Deno and Workers.
 */
export interface OpenAiOptions extends CallPolicy {
  /** API base URL as the OpenAI SDKs take it. @example 'https://api.openai.com/v1' */
  url: string
  apiKey?: string
  model: string
  /** One breaker per provider: pass the same one to every client of that provider. */
  breaker?: CircuitBreaker
  onAttempt?: () => void
}

const endpoint = (base: string, path: string) => `${base.replace(/\/+$/, '')}/${path}`

const Usage = z.object({ prompt_tokens: z.number().optional(), total_tokens: z.number().optional() }).partial()

const EmbeddingsAnswer = z.object({
  data: z.array(z.object({ index: z.number().int().min(0), embedding: z.array(z.number()) })),
  usage: Usage.optional(),
})

export interface OpenAiEmbeddingsOptions extends OpenAiOptions {
  /** Ask for shorter vectors (text-embedding-3-*); part of the model identity. */
  dimensions?: number
  /** @default 96 */
  maxBatch?: number
}

export function createOpenAiEmbeddings(options: OpenAiEmbeddingsOptions): EmbeddingProvider {
  const url = endpoint(options.url, 'embeddings')
  const breaker = options.breaker ?? new CircuitBreaker()
  const provider = `embeddings ${options.model}`
  return {
    model: `openai:${options.model}${options.dimensions ? `@${options.dimensions}` : ''}`,
    maxBatch: options.maxBatch ?? 96,
    async embed(texts) {
      if (texts.length === 0) return { vectors: [], tokens: 0 }
      const body = {
        model: options.model,
        input: texts,
        encoding_format: 'float',
        ...(options.dimensions ? { dimensions: options.dimensions } : {}),
      }
      const raw = await postJson({ provider, url, apiKey: options.apiKey, body, breaker, policy: options, onAttempt: options.onAttempt })
      const parsed = EmbeddingsAnswer.safeParse(raw)
      if (!parsed.success) throw new ProviderError('malformed', provider, 'answer does not have the embeddings shape')
      const vectors = new Array<number[] | undefined>(texts.length)
      for (const d of parsed.data.data) if (d.index < texts.length) vectors[d.index] = d.embedding
      const dims = vectors[0]?.length ?? 0
      if (dims === 0 || vectors.some((v) => !v || v.length !== dims)) {
        throw new ProviderError('malformed', provider, `answer has no vector of one size for each of the ${texts.length} texts`)
      }
      return { vectors: vectors as number[][], tokens: parsed.data.usage?.total_tokens ?? parsed.data.usage?.prompt_tokens ?? 0 }
    },
  }
}

const ChatAnswer = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }), finish_reason: z.string().nullish() })).min(1),
  usage: Usage.optional(),
})

export function createOpenAiChat(options: OpenAiOptions): ChatProvider {
  const url = endpoint(options.url, 'chat/completions')
  const breaker = options.breaker ?? new CircuitBreaker()
  const provider = `chat ${options.model}`
  return {
    model: `openai:${options.model}`,
    async completeJson(request: JsonCompletionRequest) {
      const body = {
        model: options.model,
        temperature: 0,
        max_tokens: request.maxTokens,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.user },
        ],
        response_format: { type: 'json_schema', json_schema: { name: request.schemaName, strict: true, schema: request.schema } },
      }
      const raw = await postJson({ provider, url, apiKey: options.apiKey, body, breaker, policy: options, onAttempt: options.onAttempt })
      const parsed = ChatAnswer.safeParse(raw)
      if (!parsed.success) throw new ProviderError('malformed', provider, 'answer does not have the chat completion shape')
      const content = parsed.data.choices[0]!.message.content
      let value: unknown
      try {
        value = JSON.parse(content ?? '')
      } catch {
        throw new ProviderError('malformed', provider, 'message content is not JSON')
      }
      return { value, tokens: parsed.data.usage?.total_tokens ?? 0 }
    },
  }
}
