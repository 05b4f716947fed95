import type { Repositories } from '../db/repositories/index'
import { DEFAULT_POLICY, type EvaluateRequest, type Policy, type TaxonomyNode } from '../engine/index'
import { ServiceError, type ValidationIssue } from './errors'

export type Role = 'admin' | 'auditor' | 'api-client'

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
 * The one cache in front of the version look-ups every evaluation makes (default policy, policy and
 * taxonomy by version, course binding), shared by the HTTP evaluate, the batch route's check and
 * the batch item handler. Policy versions and taxonomy nodes are immutable once written; what can
 * change (which policy is the default, a taxonomy's status, a new binding) is invalidated at once
 * by the service that writes it (services/policies.ts, taxonomies.ts, bindings.ts) on this
 * instance, and within `ttlMs` on the others. Keys start with the tenant id: no entry is shared
 * between tenants.
 */
export interface VersionCache {
  /** `forgetMisses`: a null answer is not kept (a version named but unknown may be created any moment). */
  get<T>(tenantId: string, key: string, load: () => Promise<T>, options?: { forgetMisses?: boolean }): Promise<T>
  invalidate(tenantId: string): void
}

/** @param ttlMs 0 turns caching off (every look-up reaches the database). */
export function createVersionCache(ttlMs: number, now: () => number = Date.now): VersionCache {
  const entries = new Map<string, { value: Promise<unknown>; expires: number }>()
  const MAX_ENTRIES = 5_000
  return {
    get<T>(tenantId: string, key: string, load: () => Promise<T>, options: { forgetMisses?: boolean } = {}): Promise<T> {
      if (ttlMs <= 0) return load()
      const id = `${tenantId}\u0000${key}`
      const hit = entries.get(id)
      if (hit && hit.expires > now()) return hit.value as Promise<T>
      if (entries.size >= MAX_ENTRIES) entries.clear()
      const value = load()
      entries.set(id, { value, expires: now() + ttlMs })
      // A failed load (database hiccup) must not be served from the cache.
      value.then(
        (v) => {
          if (v === null && options.forgetMisses) entries.delete(id)
        },
        () => entries.delete(id),
      )
      return value
    },
    invalidate(tenantId) {
      const prefix = `${tenantId}\u0000`
      for (const id of entries.keys()) if (id.startsWith(prefix)) entries.delete(id)
    },
  }
}

/** The repositories version resolution reads. */
export type VersionSources = {
  policies: Pick<Repositories['policies'], 'getByVersion' | 'getDefault'>
  taxonomies: Pick<Repositories['taxonomies'], 'getByVersion'>
  bindings: Pick<Repositories['bindings'], 'resolve'>
}

export type ResolveContext = { repos: VersionSources; versions: VersionCache }

/** The cached look-ups, one per kind. */
export const cachedPolicy = (ctx: ResolveContext, tenantId: string, version: string) =>
  ctx.versions.get(tenantId, `policy:${version}`, () => ctx.repos.policies.getByVersion(tenantId, version), { forgetMisses: true })
export const cachedDefaultPolicy = (ctx: ResolveContext, tenantId: string) =>
  ctx.versions.get(tenantId, 'policy-default', () => ctx.repos.policies.getDefault(tenantId))
export const cachedTaxonomy = (ctx: ResolveContext, tenantId: string, version: string) =>
  ctx.versions.get(tenantId, `taxonomy:${version}`, () => ctx.repos.taxonomies.getByVersion(tenantId, version), { forgetMisses: true })
const cachedBinding = (ctx: ResolveContext, tenantId: string, courseId: string, date: string) =>
  ctx.versions.get(tenantId, `binding:${courseId}:${date}`, () => ctx.repos.bindings.resolve(tenantId, courseId, date))

/** How client-named versions are taken: `strict` (an unknown one is a VALIDATION error) or `lenient` labels. */
export type LabelMode = 'strict' | 'lenient'

/**
 * A course's active binding decides for every caller but an admin (whose explicit versions win,
 * the binding filling what they leave out); for the others, explicit `policy_version` /
 * `taxonomy_version` count only when the course has no binding. Then the tenant's default policy
 * and no taxonomy (concepts from the target syllabus's topics). An unknown version is a
 * VALIDATION error naming it, unless `labels` is `lenient`. A client never loosens
 * its own policy: an inline `policy` counts only for admins, and only as a simulation.
 */
export async function resolveVersions({
  ctx,
  input,
}: {
  ctx: ResolveContext
  input: {
    tenantId: string
    role: Role
    request: EvaluateRequest
    referenceDate: string
    /**
     * `lenient` (the `/v1` contract): version names are labels; one that does not resolve here is
     * not an error: the binding or the tenant's default decides, and a note says so. @default 'strict'
     */
    labels?: LabelMode
  }
}): Promise<ResolvedVersions> {
  const { tenantId, role, request: req, referenceDate } = input
  const lenient = input.labels === 'lenient'
  const notes: string[] = []
  const issues: ValidationIssue[] = []
  let policyVersion = req.policy_version
  let taxonomyVersion = req.taxonomy_version ?? null
  // Where each version came from: a client's name may be unknown (lenient) or overruled (binding).
  let policyNamedByClient = policyVersion !== undefined
  let taxonomyNamedByClient = req.taxonomy_version !== undefined

  const binding =
    req.course_id && (role !== 'admin' || !policyVersion || !req.taxonomy_version)
      ? await cachedBinding(ctx, tenantId, req.course_id, referenceDate)
      : null
  if (binding) {
    const bound = { policy: binding.policy.version, taxonomy: binding.taxonomy?.version ?? null }
    if (role !== 'admin') {
      // The binding decides for every non-admin caller: naming a laxer version must not loosen it.
      if (policyVersion !== undefined && policyVersion !== bound.policy) {
        notes.push(`policy_version '${policyVersion}' ignorada: o vínculo do curso '${req.course_id}' decide ('${bound.policy}').`)
      }
      if (req.taxonomy_version !== undefined && req.taxonomy_version !== bound.taxonomy) {
        notes.push(`taxonomy_version '${req.taxonomy_version}' ignorada: o vínculo do curso '${req.course_id}' decide.`)
      }
      policyVersion = bound.policy
      taxonomyVersion = bound.taxonomy
      policyNamedByClient = taxonomyNamedByClient = false
    } else {
      if (policyVersion === undefined) policyVersion = bound.policy
      if (!req.taxonomy_version) taxonomyVersion = bound.taxonomy
    }
  }

  let [storedPolicy, storedTaxonomy] = await Promise.all([
    policyVersion ? cachedPolicy(ctx, tenantId, policyVersion) : cachedDefaultPolicy(ctx, tenantId),
    taxonomyVersion ? cachedTaxonomy(ctx, tenantId, taxonomyVersion) : null,
  ])
  if (lenient && policyNamedByClient && !storedPolicy) {
    const fallback = binding?.policy.version
    notes.push(`policy_version '${policyVersion}' não existe aqui: aplicada ${fallback ? `a do vínculo do curso ('${fallback}')` : 'a política padrão'}.`)
    policyVersion = fallback
    storedPolicy = await (fallback ? cachedPolicy(ctx, tenantId, fallback) : cachedDefaultPolicy(ctx, tenantId))
  }
  if (lenient && taxonomyNamedByClient && (!storedTaxonomy || storedTaxonomy.status === 'draft')) {
    const fallback = binding?.taxonomy?.version ?? null
    notes.push(
      `taxonomy_version '${taxonomyVersion}' ${storedTaxonomy ? 'é um rascunho' : 'não existe aqui'}: ` +
        (fallback ? `aplicada a do vínculo do curso ('${fallback}').` : 'conceitos tirados dos tópicos da ementa de destino.'),
    )
    taxonomyVersion = fallback
    storedTaxonomy = fallback ? await cachedTaxonomy(ctx, tenantId, fallback) : null
  }
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
  if (issues.length) throw ServiceError.validation(issues)

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
