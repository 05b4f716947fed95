import type { EvaluateRequest } from '../engine/index'
import { resolveVersions, type ResolvedVersions } from '../edge/services/resolve-versions'
import type { Role, Store } from '../edge/store'

/**
 * The edge's server-side version resolution (edge/services/resolve-versions.ts), memoised for a few
 * seconds: the items of one batch mostly share their versions, and a policy or taxonomy version is
 * immutable once written (only bindings and activation change, and the TTL bounds that lag).
 */
export function createCachedResolver(store: Store, ttlMs = 10_000) {
  const cache = new Map<string, { at: number; value: Promise<ResolvedVersions> }>()
  return (tenantId: string, role: Role, request: EvaluateRequest, referenceDate: string): Promise<ResolvedVersions> => {
    const key = JSON.stringify([
      tenantId,
      role,
      request.course_id ?? null,
      request.policy_version ?? null,
      request.taxonomy_version ?? null,
      request.policy ?? null,
      referenceDate,
    ])
    const now = Date.now()
    const hit = cache.get(key)
    if (hit && now - hit.at < ttlMs) return hit.value
    if (cache.size > 1000) cache.clear()
    const value = resolveVersions(store, tenantId, role, request, referenceDate)
    cache.set(key, { at: now, value })
    // A failed resolution (unknown version, database hiccup) is not remembered.
    value.catch(() => cache.delete(key))
    return value
  }
}
