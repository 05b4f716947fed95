import { and, eq, inArray } from 'drizzle-orm'
import type { Database } from '../client'
import { embeddingCache } from '../schema'

/** The shared embedding cache: vectors by (text hash, model). Writes never overwrite (same input, same vector). */
export function createEmbeddingCacheRepository(db: Database) {
  return {
    async missing(textHashes: readonly string[], model: string): Promise<Set<string>> {
      const wanted = new Set(textHashes)
      if (wanted.size === 0) return wanted
      const found = await db
        .select({ textHash: embeddingCache.textHash })
        .from(embeddingCache)
        .where(and(eq(embeddingCache.model, model), inArray(embeddingCache.textHash, [...wanted])))
      for (const row of found) wanted.delete(row.textHash)
      return wanted
    },

    async put(entries: ReadonlyArray<{ textHash: string; model: string; vector: number[] }>): Promise<void> {
      if (entries.length === 0) return
      await db
        .insert(embeddingCache)
        .values([...entries])
        .onConflictDoNothing()
    },

    /** The vectors held for these hashes (absent ones are simply not in the map). */
    async getMany(textHashes: readonly string[], model: string): Promise<Map<string, number[]>> {
      const found = new Map<string, number[]>()
      if (textHashes.length === 0) return found
      const rows = await db
        .select({ textHash: embeddingCache.textHash, vector: embeddingCache.vector })
        .from(embeddingCache)
        .where(and(eq(embeddingCache.model, model), inArray(embeddingCache.textHash, [...new Set(textHashes)])))
      for (const row of rows) found.set(row.textHash, row.vector)
      return found
    },

    async get(textHash: string, model: string): Promise<number[] | null> {
      const [row] = await db
        .select({ vector: embeddingCache.vector })
        .from(embeddingCache)
        .where(and(eq(embeddingCache.textHash, textHash), eq(embeddingCache.model, model)))
      return row?.vector ?? null
    },
  }
}
