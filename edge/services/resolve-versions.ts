import { DEFAULT_POLICY, type EvaluateRequest, type Policy, type TaxonomyNode } from '../../engine/index'
import { ApiError, type ValidationIssue } from '../errors'
import type { Role, Store } from '../store'

/** What the engine is run under, decided server-side (DESIGN §4). */
export type ResolvedVersions = {
  policy: Policy
  policyVersion: string
  taxonomy: { version: string; nodes: TaxonomyNode[] } | null
  /** An admin's inline what-if policy: recorded as a simulation, never a real decision. */
  simulation: boolean
  /** Said back to the caller in `meta` (e.g. an inline policy that was ignored). */
  notes: string[]
}

/** Version name reported when no policy version is stored for the tenant. */
export const BUILTIN_POLICY_VERSION = 'builtin-default'
export const SIMULATION_POLICY_VERSION = 'inline-simulation'

/**
 * Explicit `policy_version` / `taxonomy_version` win; the active binding of `course_id` fills
 * what they leave out; then the tenant's default policy and no taxonomy (concepts from the target
 * syllabus's topics). An unknown version is a 422 naming it. A client never loosens its own
 * policy: an inline `policy` counts only for admins, and only as a simulation.
 */
export async function resolveVersions(
  store: Store,
  tenantId: string,
  role: Role,
  req: EvaluateRequest,
  referenceDate: string,
): Promise<ResolvedVersions> {
  const notes: string[] = []
  const issues: ValidationIssue[] = []
  let policyVersion = req.policy_version
  let taxonomyVersion = req.taxonomy_version ?? null

  if (req.course_id && (!policyVersion || !req.taxonomy_version)) {
    const binding = await store.getActiveBinding(tenantId, req.course_id, referenceDate)
    if (binding) {
      policyVersion ??= binding.policyVersion
      if (!req.taxonomy_version) taxonomyVersion = binding.taxonomyVersion
    }
  }

  const [storedPolicy, storedTaxonomy] = await Promise.all([
    policyVersion ? store.getPolicy(tenantId, policyVersion) : store.getDefaultPolicy(tenantId),
    taxonomyVersion ? store.getTaxonomy(tenantId, taxonomyVersion) : null,
  ])
  if (policyVersion && !storedPolicy) {
    issues.push({ loc: ['body', 'policy_version'], msg: `Unknown policy_version '${policyVersion}'`, type: 'value_error' })
  }
  if (taxonomyVersion && !storedTaxonomy) {
    issues.push({ loc: ['body', 'taxonomy_version'], msg: `Unknown taxonomy_version '${taxonomyVersion}'`, type: 'value_error' })
  } else if (storedTaxonomy?.status === 'draft') {
    issues.push({
      loc: ['body', 'taxonomy_version'],
      msg: `taxonomy_version '${taxonomyVersion}' is a draft; activate it first`,
      type: 'value_error',
    })
  }
  if (issues.length) throw ApiError.validation(issues)

  let policy = storedPolicy?.config ?? DEFAULT_POLICY
  let resolvedPolicyVersion = storedPolicy?.version ?? BUILTIN_POLICY_VERSION
  let simulation = false
  if (req.policy) {
    if (role === 'admin') {
      policy = req.policy
      resolvedPolicyVersion = SIMULATION_POLICY_VERSION
      simulation = true
      notes.push('Política inline aplicada como simulação (what-if) de administrador; não é uma decisão oficial.')
    } else {
      notes.push('Política inline ignorada: apenas administradores podem simular políticas; aplicada a política do servidor.')
    }
  }
  return {
    policy,
    policyVersion: resolvedPolicyVersion,
    taxonomy: storedTaxonomy ? { version: storedTaxonomy.version, nodes: storedTaxonomy.nodes } : null,
    simulation,
    notes,
  }
}
