import type { MappingCache, Policy, TaxonomyNode } from '../engine/index'
import { sha256Hex } from './crypto'

/**
 * The engine keys mapping results by (mapper version, taxonomy version *name*, language, texts):
 * nothing of the tenant, nothing of the taxonomy's content. One cache serves every tenant, and two
 * tenants with a taxonomy named `v1` (a likely name) and different nodes would read each other's
 * mappings — one tenant's evaluation changing another's decision. So every evaluation gets a view
 * of the shared cache whose keys are prefixed by its scope: the tenant, and hashes of what the
 * mapping depends on beyond the texts — the taxonomy's nodes and the policy (its thresholds pick
 * the concepts). An evaluation can only ever hit an entry written under the same scope.
 *
 * The hashes are computed once per resolved object: the version cache hands out the same taxonomy
 * and policy objects until they change, so a WeakMap remembers them.
 */
const contentHashes = new WeakMap<object, string>()

function contentHash(value: object | null | undefined): string {
  if (!value) return '-'
  let hash = contentHashes.get(value)
  if (hash === undefined) {
    hash = sha256Hex(JSON.stringify(value)).slice(0, 32)
    contentHashes.set(value, hash)
  }
  return hash
}

export function scopedMappingCache(
  cache: MappingCache | undefined,
  scope: { tenantId: string; taxonomy: { version: string; nodes: TaxonomyNode[] } | null; policy: Policy },
): MappingCache | undefined {
  if (!cache) return undefined
  const prefix = `${scope.tenantId}:${contentHash(scope.taxonomy?.nodes)}:${contentHash(scope.policy)}:`
  return {
    get: (key) => cache.get(prefix + key),
    set: (key, value) => cache.set(prefix + key, value),
  }
}
