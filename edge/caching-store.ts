import type { Store } from './store'

/**
 * Caches the version lookups every evaluation makes (default policy, policy and taxonomy by
 * version, course binding) for `ttlMs`, so the hot path does not pay a query for data that
 * changes rarely. Policy versions and taxonomy nodes are immutable once written; what can change
 * (which policy is the default, a taxonomy's status, a new binding) is invalidated at once on
 * this instance by the write that changes it, and within `ttlMs` on the others.
 */
export function withVersionCache(store: Store, ttlMs: number, now: () => number = Date.now): Store {
  if (ttlMs <= 0) return store
  const entries = new Map<string, { value: Promise<unknown>; expires: number }>()
  const MAX_ENTRIES = 5_000

  function cached<T>(tenantId: string, key: string, load: () => Promise<T>): Promise<T> {
    const id = `${tenantId}\u0000${key}`
    const hit = entries.get(id)
    if (hit && hit.expires > now()) return hit.value as Promise<T>
    if (entries.size >= MAX_ENTRIES) entries.clear()
    const value = load()
    entries.set(id, { value, expires: now() + ttlMs })
    // A failed load must not be served from the cache.
    value.catch(() => entries.delete(id))
    return value
  }

  function invalidate(tenantId: string): void {
    const prefix = `${tenantId}\u0000`
    for (const id of entries.keys()) if (id.startsWith(prefix)) entries.delete(id)
  }

  const afterWrite =
    <A extends [string, ...unknown[]], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args)
      } finally {
        invalidate(args[0])
      }
    }

  // The wrapped store is the prototype, so every method not overridden here reaches it
  // (a spread would miss methods that are not own properties, such as a Proxy's).
  const overrides: Partial<Store> = {
    getPolicy: (tenantId, version) => cached(tenantId, `policy:${version}`, () => store.getPolicy(tenantId, version)),
    getDefaultPolicy: (tenantId) => cached(tenantId, 'policy-default', () => store.getDefaultPolicy(tenantId)),
    getTaxonomy: (tenantId, version) => cached(tenantId, `taxonomy:${version}`, () => store.getTaxonomy(tenantId, version)),
    getActiveBinding: (tenantId, courseId, date) =>
      cached(tenantId, `binding:${courseId}:${date}`, () => store.getActiveBinding(tenantId, courseId, date)),
    createPolicy: afterWrite((...a: Parameters<Store['createPolicy']>) => store.createPolicy(...a)),
    createTaxonomy: afterWrite((...a: Parameters<Store['createTaxonomy']>) => store.createTaxonomy(...a)),
    setTaxonomyStatus: afterWrite((...a: Parameters<Store['setTaxonomyStatus']>) => store.setTaxonomyStatus(...a)),
    createBinding: afterWrite((...a: Parameters<Store['createBinding']>) => store.createBinding(...a)),
  }
  return Object.assign(Object.create(store) as Store, overrides)
}
