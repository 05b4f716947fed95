import type { Redis } from '@upstash/redis'

/**
 * A per-tenant daily allowance of provider tokens. A call reserves its estimate first and is not
 * made when the reservation would pass the limit, so the budget degrades the tenant's mapping
 * (fallback per policy) instead of overspending; the reservation is then corrected with the usage
 * the provider reported.
 */
export interface TokenBudget {
  reserve(tenantId: string, tokens: number): Promise<boolean>
  adjust(tenantId: string, delta: number): Promise<void>
}

export const unlimitedBudget: TokenBudget = {
  reserve: async () => true,
  adjust: async () => undefined,
}

/** The UTC day a counter belongs to. */
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** One process's counters (embedded default, tests): exact there, per instance elsewhere. */
export function createMemoryBudget(options: { dailyTokens: number; now?: () => number }): TokenBudget {
  const now = options.now ?? Date.now
  const used = new Map<string, number>()
  const key = (tenantId: string) => `${tenantId}:${dayOf(now())}`
  return {
    async reserve(tenantId, tokens) {
      const k = key(tenantId)
      const current = used.get(k) ?? 0
      if (current + tokens > options.dailyTokens) return false
      // Only today's counters are kept.
      if (!used.has(k)) for (const old of used.keys()) if (!old.endsWith(dayOf(now()))) used.delete(old)
      used.set(k, current + tokens)
      return true
    },
    async adjust(tenantId, delta) {
      const k = key(tenantId)
      used.set(k, Math.max(0, (used.get(k) ?? 0) + delta))
    },
  }
}

/**
 * Shared across instances through Redis (Upstash REST): INCRBY the reservation, undo it when it
 * passes the limit. When Redis cannot be reached the answer is "no" (fail closed): spending is
 * what this guards, and the mapping degrades per policy.
 */
export function createRedisBudget(options: { redis: Redis; prefix?: string; dailyTokens: number; now?: () => number }): TokenBudget {
  const now = options.now ?? Date.now
  const key = (tenantId: string) => `${options.prefix ?? ''}ai:budget:${tenantId}:${dayOf(now())}`
  return {
    async reserve(tenantId, tokens) {
      const k = key(tenantId)
      try {
        const total = await options.redis.incrby(k, tokens)
        if (total === tokens) await options.redis.expire(k, 2 * 86_400)
        if (total <= options.dailyTokens) return true
        await options.redis.decrby(k, tokens)
        return false
      } catch {
        return false
      }
    },
    async adjust(tenantId, delta) {
      if (delta === 0) return
      await options.redis.incrby(key(tenantId), delta).catch(() => undefined)
    },
  }
}

/** About four characters a token: the estimate a reservation is made with. */
export const estimateTokens = (texts: readonly string[]) => texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0)
