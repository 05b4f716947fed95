import type { TaxonomyVersion } from '../db/repositories/taxonomies'
import type { TaxonomyNode } from '../engine/index'
import { audited } from './audited'
import type { ServiceContext } from './context'
import { ServiceError } from './errors'

export type TaxonomySummary = TaxonomyVersion & { nodeCount: number }

/** A new taxonomy version, as a draft; CONFLICT if the version name is taken. */
export async function createTaxonomy({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { tenantId: string; actorKeyId: string; version: string; nodes: TaxonomyNode[] }
}): Promise<TaxonomySummary> {
  const { tenantId, actorKeyId } = input
  if (await ctx.repos.taxonomies.getByVersion(tenantId, input.version)) {
    throw ServiceError.conflict(`taxonomy version '${input.version}' already exists`)
  }
  try {
    const { nodes, ...t } = await audited(
      ctx,
      tenantId,
      (repos) => repos.taxonomies.createDraft(tenantId, { version: input.version, nodes: input.nodes }),
      (v) => ({ action: 'taxonomy.created', actorKeyId, target: v.id, payload: { version: v.version, nodes: v.nodes.length } }),
    )
    return { ...t, nodeCount: nodes.length }
  } finally {
    ctx.versions.invalidate(tenantId)
  }
}

/** Activates or deprecates a version; NOT_FOUND when the tenant has no such version. */
export async function setTaxonomyStatus({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { tenantId: string; actorKeyId: string; version: string; status: 'active' | 'deprecated' }
}): Promise<TaxonomySummary> {
  const { tenantId, actorKeyId, status } = input
  const current = await ctx.repos.taxonomies.getByVersion(tenantId, input.version)
  if (!current) throw ServiceError.notFound('Taxonomy version not found')
  try {
    const moved = await audited(
      ctx,
      tenantId,
      (repos) => (status === 'active' ? repos.taxonomies.activate(tenantId, current.id) : repos.taxonomies.deprecate(tenantId, current.id)),
      (v) => (v ? { action: status === 'active' ? 'taxonomy.activated' : 'taxonomy.deprecated', actorKeyId, target: v.id } : null),
    )
    if (!moved) throw ServiceError.notFound('Taxonomy version not found')
    return { ...moved, nodeCount: current.nodes.length }
  } finally {
    ctx.versions.invalidate(tenantId)
  }
}
