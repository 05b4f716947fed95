import { Counter, type Registry } from 'prom-client'
import type { AiMetrics } from '../../services/ai/index'

/**
 * The semantic tier's cost counters on a Prometheus registry (Node, Deno; Workers keep the no-op):
 * provider calls by outcome, cache hits by layer, tokens and texts sent, fallbacks by reason.
 */
export function createPromAiMetrics(registry: Registry): AiMetrics {
  const calls = new Counter({
    name: 'ee_ai_provider_calls_total',
    help: 'Embedding and LLM provider calls by model and outcome (ok, timeout, rate_limited, server, malformed, circuit_open, budget_exhausted, ...)',
    labelNames: ['model', 'outcome'] as const,
    registers: [registry],
  })
  const hits = new Counter({
    name: 'ee_ai_cache_hits_total',
    help: 'Vectors found without a provider call, by cache layer',
    labelNames: ['layer'] as const,
    registers: [registry],
  })
  const tokens = new Counter({
    name: 'ee_ai_tokens_total',
    help: 'Provider tokens spent, by model',
    labelNames: ['model'] as const,
    registers: [registry],
  })
  const texts = new Counter({
    name: 'ee_ai_texts_embedded_total',
    help: 'Texts sent to the embeddings provider, by model',
    labelNames: ['model'] as const,
    registers: [registry],
  })
  const fallbacks = new Counter({
    name: 'ee_ai_fallbacks_total',
    help: 'Evaluations whose semantic mapping failed (then lexical or human review per policy), by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  })
  return {
    providerCall: (model, outcome) => calls.inc({ model, outcome }),
    cacheHits: (layer, n) => hits.inc({ layer }, n),
    tokens: (model, n) => tokens.inc({ model }, n),
    textsEmbedded: (model, n) => texts.inc({ model }, n),
    fallback: (reason) => fallbacks.inc({ reason }),
  }
}
