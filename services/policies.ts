import type { PolicyVersion } from '../db/repositories/policies'
import type { Policy } from '../engine/index'
import { audited } from './audited'
import type { ServiceContext } from './context'
import { ServiceError } from './errors'

/** A new policy version (optionally the tenant's default); CONFLICT if the version name is taken. */
export async function createPolicy({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { tenantId: string; actorKeyId: string; version: string; config: Policy; isDefault: boolean }
}): Promise<PolicyVersion> {
  const { tenantId, actorKeyId } = input
  if (await ctx.repos.policies.getByVersion(tenantId, input.version)) {
    throw ServiceError.conflict(`policy version '${input.version}' already exists`)
  }
  try {
    return await audited(
      ctx,
      tenantId,
      (repos) => repos.policies.create(tenantId, { version: input.version, config: input.config, isDefault: input.isDefault }),
      (v) => ({ action: 'policy.created', actorKeyId, target: v.id, payload: { version: v.version, is_default: v.isDefault } }),
    )
  } finally {
    // The default may have moved.
    ctx.versions.invalidate(tenantId)
  }
}
