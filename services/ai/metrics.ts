/**
 * Cost visibility. `AiMetrics` counts for the process (Prometheus on Node/Deno, totals in the
 * benchmark); `AiTally` counts for one evaluation and ends up in the result's `meta.semantico`.
 */
export type CacheLayer = 'memoria' | 'redis' | 'postgres' | 'em_voo'

export interface AiMetrics {
  providerCall(provider: string, outcome: 'ok' | string): void
  cacheHits(layer: CacheLayer, n: number): void
  tokens(provider: string, n: number): void
  textsEmbedded(provider: string, n: number): void
  fallback(reason: string): void
}

export const noopAiMetrics: AiMetrics = {
  providerCall: () => undefined,
  cacheHits: () => undefined,
  tokens: () => undefined,
  textsEmbedded: () => undefined,
  fallback: () => undefined,
}

export interface AiTotals {
  providerCalls: Record<string, number>
  cacheHits: Record<CacheLayer, number>
  tokens: number
  textsEmbedded: number
  fallbacks: Record<string, number>
}

/** In-memory totals, readable at any time (benchmarks, tests, and the source of Prometheus counters). */
export function createCountingAiMetrics(): AiMetrics & { totals: AiTotals } {
  const totals: AiTotals = {
    providerCalls: {},
    cacheHits: { memoria: 0, redis: 0, postgres: 0, em_voo: 0 },
    tokens: 0,
    textsEmbedded: 0,
    fallbacks: {},
  }
  const bump = (r: Record<string, number>, k: string, n = 1) => {
    r[k] = (r[k] ?? 0) + n
  }
  return {
    totals,
    providerCall: (provider, outcome) => bump(totals.providerCalls, `${provider}:${outcome}`),
    cacheHits: (layer, n) => bump(totals.cacheHits, layer, n),
    tokens: (_p, n) => void (totals.tokens += n),
    textsEmbedded: (_p, n) => void (totals.textsEmbedded += n),
    fallback: (reason) => bump(totals.fallbacks, reason),
  }
}

/** Fans one event out to several sinks (process metrics + a benchmark's counters). */
export function teeAiMetrics(...sinks: AiMetrics[]): AiMetrics {
  return {
    providerCall: (p, o) => sinks.forEach((s) => s.providerCall(p, o)),
    cacheHits: (l, n) => sinks.forEach((s) => s.cacheHits(l, n)),
    tokens: (p, n) => sinks.forEach((s) => s.tokens(p, n)),
    textsEmbedded: (p, n) => sinks.forEach((s) => s.textsEmbedded(p, n)),
    fallback: (r) => sinks.forEach((s) => s.fallback(r)),
  }
}

/** What one evaluation cost: `meta.semantico` of its result. */
export interface AiTally {
  chamadas_provedor: number
  textos_enviados: number
  tokens: number
  cache: { memoria: number; redis: number; postgres: number; em_voo: number }
}

export const emptyTally = (): AiTally => ({
  chamadas_provedor: 0,
  textos_enviados: 0,
  tokens: 0,
  cache: { memoria: 0, redis: 0, postgres: 0, em_voo: 0 },
})
