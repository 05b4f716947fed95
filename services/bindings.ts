import type { CourseBinding } from '../db/repositories/bindings'
import { audited } from './audited'
import type { ServiceContext } from './context'
import { ServiceError, type ValidationIssue } from './errors'

/** A binding with the version labels clients use instead of row ids. */
export type BindingView = Omit<CourseBinding, 'policyVersionId' | 'taxonomyVersionId' | 'tenantId'> & {
  policyVersion: string
  taxonomyVersion: string | null
}

/**
 * Binds a course to a policy (and optionally an active taxonomy) version from `activeFrom` on.
 * Unknown versions, or a taxonomy that is not active, are a VALIDATION error naming the field.
 */
export async function createBinding({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { tenantId: string; actorKeyId: string; courseId: string; policyVersion: string; taxonomyVersion: string | null; activeFrom: string }
}): Promise<BindingView> {
  const { tenantId, actorKeyId } = input
  const [policy, taxonomy] = await Promise.all([
    ctx.repos.policies.getByVersion(tenantId, input.policyVersion),
    input.taxonomyVersion ? ctx.repos.taxonomies.getByVersion(tenantId, input.taxonomyVersion) : null,
  ])
  const issues: ValidationIssue[] = []
  if (!policy) issues.push({ loc: ['body', 'policy_version'], msg: `Unknown policy_version '${input.policyVersion}'`, type: 'value_error' })
  if (input.taxonomyVersion && (!taxonomy || taxonomy.status !== 'active')) {
    const why = taxonomy ? `is ${taxonomy.status}, not active` : 'is unknown'
    issues.push({ loc: ['body', 'taxonomy_version'], msg: `taxonomy_version '${input.taxonomyVersion}' ${why}`, type: 'value_error' })
  }
  if (issues.length || !policy) throw ServiceError.validation(issues)
  try {
    const b = await audited(
      ctx,
      tenantId,
      (repos) =>
        repos.bindings.create(tenantId, {
          courseId: input.courseId,
          policyVersionId: policy.id,
          taxonomyVersionId: taxonomy?.id ?? null,
          activeFrom: input.activeFrom,
        }),
      (v) => ({ action: 'binding.created', actorKeyId, target: v.id, payload: { course_id: v.courseId, policy_version: policy.version } }),
    )
    return viewOf(b, policy.version, taxonomy?.version ?? null)
  } finally {
    ctx.versions.invalidate(tenantId)
  }
}

export async function listBindings({ ctx, input }: { ctx: ServiceContext; input: { tenantId: string } }): Promise<BindingView[]> {
  const { tenantId } = input
  const [rows, ps, ts] = await Promise.all([
    ctx.repos.bindings.list(tenantId),
    ctx.repos.policies.list(tenantId),
    ctx.repos.taxonomies.list(tenantId),
  ])
  const policy = new Map(ps.map((p) => [p.id, p.version]))
  const taxonomy = new Map(ts.map((t) => [t.id, t.version]))
  return rows.map((b) =>
    viewOf(
      b,
      policy.get(b.policyVersionId) ?? b.policyVersionId,
      b.taxonomyVersionId ? (taxonomy.get(b.taxonomyVersionId) ?? b.taxonomyVersionId) : null,
    ),
  )
}

function viewOf(b: CourseBinding, policyVersion: string, taxonomyVersion: string | null): BindingView {
  return { id: b.id, courseId: b.courseId, policyVersion, taxonomyVersion, activeFrom: b.activeFrom, createdAt: b.createdAt }
}
