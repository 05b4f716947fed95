import type { ConceptMatch } from './mapper'

/**
 * A port for caching mapper results by (text hash, mapper version, taxonomy version). The edge
 * may back it with Redis; the engine only needs get/set.
 */
export interface MappingCache {
  get(key: string): ConceptMatch[] | undefined
  set(key: string, value: ConceptMatch[]): void
}

/** A bounded in-memory LRU (a Map keeps insertion order; re-inserting on a hit refreshes it). */
export function createMemoryMappingCache(maxEntries = 10_000): MappingCache {
  const entries = new Map<string, ConceptMatch[]>()
  return {
    get(key) {
      const value = entries.get(key)
      if (value !== undefined) {
        entries.delete(key)
        entries.set(key, value)
      }
      return value
    },
    set(key, value) {
      entries.delete(key)
      entries.set(key, value)
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
    },
  }
}

/** 53-bit FNV-1a-style string hash (two 32-bit lanes): a cache key, not a security property. */
export function hashText(...parts: readonly string[]): string {
  let h1 = 0x811c9dc5
  let h2 = 0x01000193
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i)
      h1 = Math.imul(h1 ^ c, 0x01000193)
      h2 = Math.imul(h2 ^ c, 0x5bd1e995)
    }
    h1 = Math.imul(h1 ^ 0x1f, 0x01000193)
  }
  return (h1 >>> 0).toString(36) + (h2 >>> 0).toString(36)
}
