import type { Redis } from '@upstash/redis'
import { createSemanticServices, hasEmbeddings, type AiMetrics, type SemanticServices, type WorkersAiBinding } from '../services/ai/index'
import { type Config, ConfigError } from './config'

/**
 * The semantic tier of one runtime: null (lexical) unless EMBED_URL or EMBED_PROVIDER=workers-ai
 * is configured. Vectors and LLM answers are shared through Redis when there is one; the Postgres
 * layer is the request's database (services/evaluation.ts hands it over per evaluation). Node and
 * Deno pass Prometheus counters (edge/lib/ai-metrics.ts); Workers none, so prom-client stays out
 * of the isolate.
 */
export function createEdgeSemantic(
  config: Config,
  deps: { redis?: Redis; aiMetrics?: AiMetrics; workersAi?: unknown } = {},
): SemanticServices | null {
  if (!hasEmbeddings(config)) return null
  const binding = isBinding(deps.workersAi) ? deps.workersAi : undefined
  const needsBinding = (['EMBED_PROVIDER', 'LLM_PROVIDER'] as const).filter((k) => config[k] === 'workers-ai')
  if (!binding && needsBinding.length) {
    throw new ConfigError(needsBinding.map((key) => ({ key, message: 'workers-ai needs the Workers AI binding named AI' })))
  }
  return createSemanticServices(config, { redis: deps.redis, redisPrefix: 'ee:', workersAi: binding, metrics: deps.aiMetrics })
}

function isBinding(value: unknown): value is WorkersAiBinding {
  return typeof value === 'object' && value !== null && typeof (value as { run?: unknown }).run === 'function'
}
