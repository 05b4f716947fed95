import type { Redis } from '@upstash/redis'

/** LLM answers by the hash of (tenant, model, prompt): a repeated question costs nothing. */
export interface AnswerCache {
  get(key: string): Promise<unknown>
  set(key: string, value: unknown): Promise<void>
}

export function createAnswerCache(options: { redis?: Redis; prefix?: string; ttlSeconds?: number; memoryEntries?: number } = {}): AnswerCache {
  const memory = new Map<string, unknown>()
  const max = options.memoryEntries ?? 2_000
  const redisKey = (key: string) => `${options.prefix ?? ''}ai:llm:${key}`
  return {
    async get(key) {
      if (memory.has(key)) return memory.get(key)
      if (!options.redis) return undefined
      // A cache that cannot be read is a miss, not a failure.
      const value = await options.redis.get(redisKey(key)).catch(() => null)
      if (value !== null && value !== undefined) memory.set(key, value)
      return value ?? undefined
    },
    async set(key, value) {
      memory.set(key, value)
      if (memory.size > max) memory.delete(memory.keys().next().value as string)
      await options.redis?.set(redisKey(key), JSON.stringify(value), { ex: options.ttlSeconds ?? 7 * 86_400 }).catch(() => undefined)
    },
  }
}
