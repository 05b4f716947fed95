import type { Redis } from '@upstash/redis'
import type { AiTally, CacheLayer } from './metrics'

/** The Postgres side (db/repositories/embedding-cache.ts), as a port. */
export interface VectorStore {
  getMany(textHashes: readonly string[], model: string): Promise<Map<string, number[]>>
  put(entries: ReadonlyArray<{ textHash: string; model: string; vector: number[] }>): Promise<void>
}

export interface VectorCacheOptions {
  /** Upstash REST client (or the stand-in); absent = no shared short-term layer. */
  redis?: Redis
  /** Key prefix in Redis (tests give each file its own). @default '' */
  prefix?: string
  /** @default 604800 (7 days) */
  ttlSeconds?: number
  /** Durable layer; absent = memory and Redis only. */
  store?: VectorStore
  /** @default 20000 */
  memoryEntries?: number
  /** Called when a layer fails (the lookup counts it as a miss and goes on). */
  onLayerError?: (layer: CacheLayer, err: unknown) => void
}

export interface VectorCache {
  /**
   * The vectors found for these keys, looked up memory → Redis → Postgres; hits are copied up.
   * `store` overrides the configured durable layer (Workers hand each request its own database).
   */
  lookup(model: string, keys: readonly string[], tally: AiTally, store?: VectorStore): Promise<Map<string, Float32Array>>
  save(model: string, entries: ReadonlyArray<[string, Float32Array]>, store?: VectorStore): Promise<void>
  /** The memory layer only, synchronously. */
  peek(model: string, key: string): Float32Array | undefined
}

/** Vectors travel through Redis as base64 float32 (a quarter of the JSON size); the tag keeps them a string. */
const TAG = 'f32:'

function encode(v: Float32Array): string {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return TAG + btoa(binary)
}

function decode(value: unknown): Float32Array | null {
  if (typeof value !== 'string' || !value.startsWith(TAG)) return null
  const binary = atob(value.slice(TAG.length))
  if (binary.length % 4 !== 0) return null
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return new Float32Array(bytes.buffer)
}

function unit(row: readonly number[]): Float32Array {
  let norm = 0
  for (const x of row) norm += x * x
  norm = Math.sqrt(norm) || 1
  return Float32Array.from(row, (x) => x / norm)
}

export function createVectorCache(options: VectorCacheOptions = {}): VectorCache {
  const max = options.memoryEntries ?? 20_000
  const ttl = options.ttlSeconds ?? 7 * 86_400
  const memory = new Map<string, Float32Array>()
  const redisKey = (model: string, key: string) => `${options.prefix ?? ''}ai:emb:${model}:${key}`
  const remember = (model: string, key: string, v: Float32Array) => {
    const k = `${model}\u0000${key}`
    memory.delete(k)
    memory.set(k, v)
    if (memory.size > max) memory.delete(memory.keys().next().value as string)
  }
  const layerError = (layer: CacheLayer, err: unknown) => options.onLayerError?.(layer, err)

  return {
    peek: (model, key) => memory.get(`${model}\u0000${key}`),
    async lookup(model, keys, tally, store = options.store) {
      const found = new Map<string, Float32Array>()
      let missing: string[] = []
      for (const key of keys) {
        const v = memory.get(`${model}\u0000${key}`)
        if (v) found.set(key, v)
        else missing.push(key)
      }
      tally.cache.memoria += found.size
      if (missing.length && options.redis) {
        try {
          const values = await options.redis.mget<unknown[]>(...missing.map((k) => redisKey(model, k)))
          const still: string[] = []
          missing.forEach((key, i) => {
            const v = decode(values[i])
            if (v) {
              found.set(key, v)
              remember(model, key, v)
              tally.cache.redis++
            } else still.push(key)
          })
          missing = still
        } catch (err) {
          layerError('redis', err)
        }
      }
      if (missing.length && store) {
        try {
          const rows = await store.getMany(missing, model)
          const upToRedis: Array<[string, Float32Array]> = []
          for (const key of missing) {
            const row = rows.get(key)
            if (!row) continue
            // Rows may come from another writer (the index job, an older provider): unit length here.
            const v = unit(row)
            found.set(key, v)
            remember(model, key, v)
            upToRedis.push([key, v])
            tally.cache.postgres++
          }
          if (upToRedis.length) await saveToRedis(model, upToRedis)
        } catch (err) {
          layerError('postgres', err)
        }
      }
      return found
    },

    async save(model, entries, store = options.store) {
      if (entries.length === 0) return
      for (const [key, v] of entries) remember(model, key, v)
      await Promise.all([
        saveToRedis(model, entries),
        store
          ?.put(entries.map(([textHash, v]) => ({ textHash, model, vector: Array.from(v) })))
          .catch((err: unknown) => layerError('postgres', err)),
      ])
    },
  }

  async function saveToRedis(model: string, entries: ReadonlyArray<[string, Float32Array]>) {
    if (!options.redis) return
    try {
      const p = options.redis.pipeline()
      for (const [key, v] of entries) p.set(redisKey(model, key), encode(v), { ex: ttl })
      await p.exec()
    } catch (err) {
      layerError('redis', err)
    }
  }
}
