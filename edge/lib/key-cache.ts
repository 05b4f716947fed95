import type { AuthRecord } from '../context'

/**
 * Short-lived cache of API key records by hash, so the hot path skips the database. A revoke or
 * rotate on this instance calls `invalidateKey` and takes effect at once; other instances see it
 * when their entry expires (API_KEY_CACHE_TTL_MS). Unknown hashes are cached too, briefly, so a
 * flood of bad keys does not become a flood of queries.
 */
export class KeyCache {
  private readonly entries = new Map<string, { record: AuthRecord | null; expires: number }>()

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  get(hash: string): AuthRecord | null | undefined {
    const hit = this.entries.get(hash)
    if (!hit) return undefined
    if (hit.expires <= this.now()) {
      this.entries.delete(hash)
      return undefined
    }
    return hit.record
  }

  set(hash: string, record: AuthRecord | null): void {
    if (this.ttlMs === 0) return
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
    const ttl = record ? this.ttlMs : Math.min(this.ttlMs, 5_000)
    this.entries.set(hash, { record, expires: this.now() + ttl })
  }

  invalidateKey(keyId: string): void {
    for (const [hash, entry] of this.entries) if (entry.record?.key.id === keyId) this.entries.delete(hash)
  }

  /** A disabled tenant must stop at once too. */
  invalidateTenant(tenantId: string): void {
    for (const [hash, entry] of this.entries) if (entry.record?.tenant.id === tenantId) this.entries.delete(hash)
  }
}
