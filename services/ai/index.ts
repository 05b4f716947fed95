import type { Redis } from '@upstash/redis'
import type { EvaluateRequest, Policy, TaxonomyNode } from '../../engine/index'
import { createAnswerCache } from './answer-cache'
import { CircuitBreaker } from './breaker'
import { createMemoryBudget, createRedisBudget, type TokenBudget } from './budget'
import { hasEmbeddings, type AiConfig } from './config'
import { createEmbeddingService, type EmbeddingService } from './embedding-service'
import { createLlmRefiner, type LlmRefiner } from './llm-refine'
import { noopAiMetrics, type AiMetrics } from './metrics'
import { createOpenAiChat, createOpenAiEmbeddings } from './openai'
import type { ChatProvider, EmbeddingProvider } from './providers'
import { createSemanticMapper, type SemanticMapper } from './semantic-mapper'
import { createVectorCache, type VectorStore } from './vector-cache'
import { createWorkersAiChat, createWorkersAiEmbeddings, type WorkersAiBinding } from './workers-ai'

export { parseAiConfig, AiConfigShape, withAiAliases, aiConfigIssues, hasEmbeddings, type AiConfig } from './config'
export { createCountingAiMetrics, noopAiMetrics, type AiMetrics, type AiTally } from './metrics'
export type { SemanticMapper } from './semantic-mapper'
export type { VectorStore } from './vector-cache'
export type { WorkersAiBinding } from './workers-ai'
export { nodeText } from './passages'
export { embedPairSignals, pairSignalsOf, pairSignalTexts } from './pair-signals'
export { embeddingKey } from './keys'

export interface SemanticDeps {
  /** Upstash REST client: vectors, LLM answers and budgets shared across instances. */
  redis?: Redis
  /** @default '' */
  redisPrefix?: string
  /** Postgres embedding cache (`createEmbeddingCacheRepository(db)`). */
  store?: VectorStore
  /** `env.AI` on Workers, for `*_PROVIDER=workers-ai`. */
  workersAi?: WorkersAiBinding
  metrics?: AiMetrics
  /** @default globalThis.fetch */
  fetch?: typeof fetch
  /** Budget days and breaker timing. @default Date.now */
  now?: () => number
  /** Swaps the budget (tests, benchmarks). @default Redis when present, else in memory */
  budget?: TokenBudget
}

export interface SemanticServices {
  readonly embeddings: EmbeddingService
  /**
   * The provider as the taxonomy-index job takes it (jobs/embeddings/types.ts `Embedder`): same
   * model identity, so the vectors it stores are the ones the mapper reads.
   */
  readonly indexEmbedder: { readonly model: string; embed(texts: readonly string[]): Promise<number[][]> }
  readonly refiner: LlmRefiner | null
  readonly metrics: AiMetrics
  /** A mapper for one evaluation, or null when the tenant's policy keeps it lexical. */
  mapperFor(args: {
    tenantId: string
    policy: Policy
    taxonomy?: { nodes: readonly TaxonomyNode[] } | null
    destinoEmenta?: string
    store?: VectorStore
    /** The pair, when the policy's scoring model reads the semantic pair signals (`SemanticMapper.pairSignals`). */
    pair?: Pick<EvaluateRequest, 'origem' | 'origens' | 'destino'>
  }): SemanticMapper | null
}

function embeddingProvider(config: AiConfig, deps: SemanticDeps, onAttempt: () => void): EmbeddingProvider {
  const breaker = new CircuitBreaker({ failureThreshold: config.AI_BREAKER_FAILURES, openMs: config.AI_BREAKER_OPEN_MS, now: deps.now })
  if (config.EMBED_PROVIDER === 'workers-ai') {
    if (!deps.workersAi) throw new Error('EMBED_PROVIDER=workers-ai needs the Workers AI binding (AI)')
    return createWorkersAiEmbeddings({ binding: deps.workersAi, model: config.EMBED_MODEL, breaker, timeoutMs: config.AI_TIMEOUT_MS, onAttempt })
  }
  return createOpenAiEmbeddings({
    url: config.EMBED_URL!,
    apiKey: config.EMBED_API_KEY,
    model: config.EMBED_MODEL,
    dimensions: config.EMBED_DIMENSIONS,
    breaker,
    timeoutMs: config.AI_TIMEOUT_MS,
    retries: config.AI_RETRIES,
    fetch: deps.fetch,
    onAttempt,
  })
}

function chatProvider(config: AiConfig, deps: SemanticDeps): ChatProvider | null {
  if (!config.LLM_MODEL) return null
  const breaker = new CircuitBreaker({ failureThreshold: config.AI_BREAKER_FAILURES, openMs: config.AI_BREAKER_OPEN_MS, now: deps.now })
  if (config.LLM_PROVIDER === 'workers-ai') {
    if (!deps.workersAi) throw new Error('LLM_PROVIDER=workers-ai needs the Workers AI binding (AI)')
    return createWorkersAiChat({ binding: deps.workersAi, model: config.LLM_MODEL, breaker, timeoutMs: config.AI_TIMEOUT_MS })
  }
  if (!config.LLM_URL) return null
  return createOpenAiChat({
    url: config.LLM_URL,
    apiKey: config.LLM_API_KEY,
    model: config.LLM_MODEL,
    breaker,
    timeoutMs: config.AI_TIMEOUT_MS,
    retries: config.AI_RETRIES,
    fetch: deps.fetch,
  })
}

/** The semantic tier, or null when no embeddings provider is configured (the service stays lexical). */
export function createSemanticServices(config: AiConfig, deps: SemanticDeps = {}): SemanticServices | null {
  if (!hasEmbeddings(config)) return null
  const metrics = deps.metrics ?? noopAiMetrics
  const budget =
    deps.budget ??
    (deps.redis
      ? createRedisBudget({ redis: deps.redis, prefix: deps.redisPrefix, dailyTokens: config.AI_DAILY_TOKEN_BUDGET, now: deps.now })
      : createMemoryBudget({ dailyTokens: config.AI_DAILY_TOKEN_BUDGET, now: deps.now }))
  const provider = embeddingProvider(config, deps, () => undefined)
  const cache = createVectorCache({ redis: deps.redis, prefix: deps.redisPrefix, ttlSeconds: config.AI_CACHE_TTL_SECONDS, store: deps.store })
  const embeddings = createEmbeddingService({ provider, cache, budget, metrics })
  const chat = chatProvider(config, deps)
  const refiner = chat
    ? createLlmRefiner({ chat, budget, metrics, cache: createAnswerCache({ redis: deps.redis, prefix: deps.redisPrefix, ttlSeconds: config.AI_CACHE_TTL_SECONDS }) })
    : null
  return {
    embeddings,
    indexEmbedder: {
      model: provider.model,
      embed: async (texts) => (await provider.embed(texts)).vectors,
    },
    refiner,
    metrics,
    mapperFor({ tenantId, policy, taxonomy, destinoEmenta, store, pair }) {
      if (!policy.semantico.usar) return null
      return createSemanticMapper({
        embeddings,
        tenantId,
        policy,
        taxonomyNodes: taxonomy?.nodes,
        destinoEmenta,
        store,
        pair,
        refiner: policy.semantico.llm && refiner ? refiner : undefined,
      })
    },
  }
}

export { evaluateWithSemantic } from './evaluate'
