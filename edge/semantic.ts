import type { Redis } from '@upstash/redis'
import { Registry } from 'prom-client'
import { createSemanticServices, hasEmbeddings, type SemanticServices, type WorkersAiBinding } from '../services/ai/index'
import { type Config, ConfigError } from './config'
import { createPromAiMetrics } from './lib/ai-metrics'

/**
 * The semantic tier of one runtime: null (lexical) unless EMBED_URL or EMBED_PROVIDER=workers-ai
 * is configured. Vectors and LLM answers are shared through Redis when there is one; the Postgres
 * layer is the request's database (services/evaluation.ts hands it over per evaluation).
 */
export function createEdgeSemantic(
  config: Config,
  /** `metrics`: the app's; its Prometheus registry, when it has one, gets the cost counters. */
  deps: { redis?: Redis; metrics?: object; workersAi?: unknown } = {},
): SemanticServices | null {
  if (!hasEmbeddings(config)) return null
  const binding = isBinding(deps.workersAi) ? deps.workersAi : undefined
  const needsBinding = (['EMBED_PROVIDER', 'LLM_PROVIDER'] as const).filter((k) => config[k] === 'workers-ai')
  if (!binding && needsBinding.length) {
    throw new ConfigError(needsBinding.map((key) => ({ key, message: 'workers-ai needs the Workers AI binding named AI' })))
  }
  return createSemanticServices(config, {
    redis: deps.redis,
    redisPrefix: 'ee:',
    workersAi: binding,
    metrics: registryOf(deps.metrics) ? createPromAiMetrics(registryOf(deps.metrics)!) : undefined,
  })
}

function registryOf(metrics: object | undefined): Registry | undefined {
  const registry = (metrics as { registry?: unknown } | undefined)?.registry
  return registry instanceof Registry ? registry : undefined
}

function isBinding(value: unknown): value is WorkersAiBinding {
  return typeof value === 'object' && value !== null && typeof (value as { run?: unknown }).run === 'function'
}
