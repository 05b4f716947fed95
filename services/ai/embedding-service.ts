import { estimateTokens, unlimitedBudget, type TokenBudget } from './budget'
import { failureKind, ProviderError } from './errors'
import { embeddingKey } from './keys'
import { noopAiMetrics, type AiMetrics, type AiTally } from './metrics'
import type { EmbeddingProvider } from './providers'
import type { VectorCache, VectorStore } from './vector-cache'

export interface EmbeddingService {
  readonly model: string
  /** Unit vectors for the texts, in order; throws ProviderError when the provider cannot give them. */
  embed(tenantId: string, texts: readonly string[], tally: AiTally, store?: VectorStore): Promise<Float32Array[]>
}

export interface EmbeddingServiceOptions {
  provider: EmbeddingProvider
  cache: VectorCache
  budget?: TokenBudget
  metrics?: AiMetrics
  /** Characters of one text sent to the provider (longer ones are cut; the key is of the full text). @default 4000 */
  maxChars?: number
}

function normalise(v: readonly number[]): Float32Array {
  let norm = 0
  for (const x of v) norm += x * x
  norm = Math.sqrt(norm) || 1
  return Float32Array.from(v, (x) => x / norm)
}

/**
 * Vectors through the cache layers first; only what no layer holds goes to the provider, in
 * batches of the provider's size, and a text already on its way (a concurrent evaluation asked
 * for it) is waited for rather than sent again. So a text is embedded at most once per
 * (tenant, model) while the caches keep it.
 */
export function createEmbeddingService(options: EmbeddingServiceOptions): EmbeddingService {
  const { provider, cache } = options
  const budget = options.budget ?? unlimitedBudget
  const metrics = options.metrics ?? noopAiMetrics
  const maxChars = options.maxChars ?? 4_000
  const model = provider.model
  const inFlight = new Map<string, Promise<Float32Array>>()

  async function fetchMissing(tenantId: string, keys: string[], texts: string[], tally: AiTally, store: VectorStore | undefined): Promise<Float32Array[]> {
    const sent = texts.map((t) => t.slice(0, maxChars))
    const estimate = estimateTokens(sent)
    if (!(await budget.reserve(tenantId, estimate))) {
      metrics.providerCall(model, 'budget_exhausted')
      throw new ProviderError('budget_exhausted', model, 'daily token budget of the tenant is used up')
    }
    const out: Float32Array[] = []
    let used = 0
    try {
      for (let start = 0; start < sent.length; start += provider.maxBatch) {
        const chunk = sent.slice(start, start + provider.maxBatch)
        let answer: Awaited<ReturnType<EmbeddingProvider['embed']>>
        try {
          answer = await provider.embed(chunk)
        } catch (err) {
          const kind = failureKind(err)
          // An open circuit sent nothing.
          if (kind !== 'circuit_open') tally.chamadas_provedor++
          metrics.providerCall(model, kind)
          throw err
        }
        tally.chamadas_provedor++
        metrics.providerCall(model, 'ok')
        const tokens = answer.tokens || estimateTokens(chunk)
        used += tokens
        tally.tokens += tokens
        tally.textos_enviados += chunk.length
        metrics.tokens(model, tokens)
        metrics.textsEmbedded(model, chunk.length)
        const vectors = answer.vectors.map(normalise)
        out.push(...vectors)
        await cache.save(
          model,
          vectors.map((v, i) => [keys[start + i]!, v]),
          store,
        )
      }
    } finally {
      await budget.adjust(tenantId, used - estimate)
    }
    return out
  }

  return {
    model,
    async embed(tenantId, texts, tally, store) {
      const keys = await Promise.all(texts.map((t) => embeddingKey(tenantId, t)))
      const unique = [...new Set(keys)]
      const textOf = new Map(keys.map((k, i) => [k, texts[i]!]))
      const before = { ...tally.cache }
      const found = await cache.lookup(model, unique, tally, store)
      const waits: Array<Promise<void>> = []
      const toSend: string[] = []
      for (const key of unique) {
        if (found.has(key)) continue
        // Saved by a batch that ended while we looked (it saves before leaving the in-flight map).
        const late = cache.peek(model, key)
        if (late) {
          found.set(key, late)
          tally.cache.em_voo++
          continue
        }
        const pending = inFlight.get(`${model}\u0000${key}`)
        if (pending) {
          tally.cache.em_voo++
          waits.push(pending.then((v) => void found.set(key, v)))
        } else toSend.push(key)
      }
      for (const layer of ['memoria', 'redis', 'postgres', 'em_voo'] as const) {
        const n = tally.cache[layer] - before[layer]
        if (n > 0) metrics.cacheHits(layer, n)
      }
      // Waited for last; marked handled now, so a failure of our own batch first leaves no stray rejection.
      const others = Promise.all(waits)
      others.catch(() => undefined)
      if (toSend.length) {
        const batch = fetchMissing(tenantId, toSend, toSend.map((k) => textOf.get(k)!), tally, store)
        toSend.forEach((key, i) => {
          const p = batch.then((vs) => vs[i]!)
          // A failure reaches the caller through `batch`; the entry must not raise an unhandled rejection.
          p.catch(() => undefined)
          inFlight.set(`${model}\u0000${key}`, p)
        })
        try {
          const vectors = await batch
          toSend.forEach((key, i) => found.set(key, vectors[i]!))
        } finally {
          for (const key of toSend) inFlight.delete(`${model}\u0000${key}`)
        }
      }
      await others
      return keys.map((k) => found.get(k)!)
    },
  }
}
