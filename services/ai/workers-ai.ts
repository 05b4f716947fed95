import { CircuitBreaker } from './breaker'
import { ProviderError } from './errors'
import type { ChatProvider, EmbeddingProvider } from './providers'

/** The part of a Cloudflare Workers AI binding (`env.AI`) used here. */
export interface WorkersAiBinding {
  run(model: string, inputs: Record<string, unknown>): Promise<unknown>
}

export interface WorkersAiOptions {
  binding: WorkersAiBinding
  model: string
  breaker?: CircuitBreaker
  /** @default 10000 */
  timeoutMs?: number
  onAttempt?: () => void
}

/**
 * Runs a binding call under the breaker and a timeout. The binding retries nothing itself and has
 * no abort signal, so a late answer is ignored rather than cancelled.
 */
async function guarded<T>(options: WorkersAiOptions, provider: string, call: () => Promise<T>): Promise<T> {
  const breaker = options.breaker!
  if (!breaker.tryAcquire()) throw new ProviderError('circuit_open', provider, 'circuit open')
  options.onAttempt?.()
  const timeoutMs = options.timeoutMs ?? 10_000
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderError('timeout', provider, `no answer within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    const value = await Promise.race([call(), timeout])
    breaker.onSuccess()
    return value
  } catch (err) {
    breaker.onFailure()
    throw err instanceof ProviderError ? err : new ProviderError('server', provider, 'binding call failed')
  } finally {
    clearTimeout(timer)
  }
}

/** Embeddings through the binding, e.g. `@cf/baai/bge-m3`: answers `{ shape, data }`. */
export function createWorkersAiEmbeddings(options: WorkersAiOptions): EmbeddingProvider {
  const opts = { ...options, breaker: options.breaker ?? new CircuitBreaker() }
  const provider = `workers-ai ${options.model}`
  return {
    model: `workers-ai:${options.model}`,
    maxBatch: 100,
    async embed(texts) {
      if (texts.length === 0) return { vectors: [], tokens: 0 }
      const answer = (await guarded(opts, provider, () => opts.binding.run(opts.model, { text: [...texts] }))) as { data?: unknown }
      const data = answer?.data
      if (!Array.isArray(data) || data.length !== texts.length || !data.every((v) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number'))) {
        throw new ProviderError('malformed', provider, 'answer has no vector for each text')
      }
      // The binding reports no usage; estimate as the budget does (about 4 characters a token).
      return { vectors: data as number[][], tokens: texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0) }
    },
  }
}

/** JSON-mode chat through the binding: `response_format: { type: 'json_schema', json_schema }`. */
export function createWorkersAiChat(options: WorkersAiOptions): ChatProvider {
  const opts = { ...options, breaker: options.breaker ?? new CircuitBreaker() }
  const provider = `workers-ai ${options.model}`
  return {
    model: `workers-ai:${options.model}`,
    async completeJson(request) {
      const answer = (await guarded(opts, provider, () =>
        opts.binding.run(opts.model, {
          messages: [
            { role: 'system', content: request.system },
            { role: 'user', content: request.user },
          ],
          max_tokens: request.maxTokens,
          temperature: 0,
          response_format: { type: 'json_schema', json_schema: request.schema },
        }),
      )) as { response?: unknown; usage?: { total_tokens?: number } }
      let value = answer?.response
      if (typeof value === 'string') {
        try {
          value = JSON.parse(value)
        } catch {
          throw new ProviderError('malformed', provider, 'response is not JSON')
        }
      }
      if (value === null || typeof value !== 'object') throw new ProviderError('malformed', provider, 'response is not a JSON object')
      return { value, tokens: answer.usage?.total_tokens ?? Math.ceil((request.system.length + request.user.length) / 4) }
    },
  }
}
