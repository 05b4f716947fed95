import type { EvaluateResponse, Policy, TaxonomyNode } from '../engine/index'

/**
 * What the edge needs from persistence, in the edge's own words. `edge/store-db.ts` implements it
 * over the tenant-scoped repositories of `db/`; every method that takes a `tenantId` only ever
 * sees that tenant's rows, so a foreign id is simply "not found".
 */

export type Role = 'admin' | 'auditor' | 'api-client'
export const ROLES = ['admin', 'auditor', 'api-client'] as const

export type Tenant = {
  id: string
  name: string
  status: 'active' | 'disabled'
  /**
   * Per-tenant overrides of the env rate limits: `requests` replaces the limit of the evaluate and
   * read groups, `window_seconds` the window; batch and admin keep the env values.
   */
  rateLimits?: { requests?: number; window_seconds?: number } | null
}

export type ApiKeyRecord = {
  id: string
  tenantId: string
  prefix: string
  name: string | null
  role: Role
  status: 'active' | 'revoked'
  expiresAt: Date | null
  lastUsedAt: Date | null
  createdAt: Date
}

/** A key as authentication sees it, with its stored hash for the constant-time comparison. */
export type AuthRecord = { key: ApiKeyRecord; keyHash: string; tenant: Tenant }

export type PolicyVersion = { id: string; version: string; config: Policy; isDefault: boolean; createdAt: Date }
export type TaxonomyStatus = 'draft' | 'active' | 'deprecated'
export type TaxonomyVersion = { id: string; version: string; status: TaxonomyStatus; createdAt: Date; nodeCount: number }
export type CourseBinding = {
  id: string
  courseId: string
  policyVersion: string
  taxonomyVersion: string | null
  active: boolean
  createdAt: Date
}

export type StoredResult = {
  id: string
  requestId: string
  requestHash: string
  courseId: string | null
  decisao: EvaluateResponse['decisao']
  score: number
  degraded: boolean
  simulation: boolean
  response: EvaluateResponse
  createdAt: Date
}

export type NewResult = Omit<StoredResult, 'id' | 'createdAt'> & { actorKeyId: string; origemHash: string; destinoHash: string }
export type ResultFilter = {
  decisao?: EvaluateResponse['decisao']
  courseId?: string
  degraded?: boolean
  from?: Date
  to?: Date
  /** Opaque position after which to continue (newest first). */
  cursor?: { createdAt: Date; id: string }
  limit: number
}
export type Review = { id: string; resultId: string; label: string; notes: string | null; reviewerKeyId: string; createdAt: Date }
export type AuditVerification = { ok: boolean; checked: number; firstBrokenId: string | null }

export interface Store {
  /** Looks a key up by its HMAC; the caller compares the hash in constant time. */
  findApiKeyByHash(keyHash: string): Promise<AuthRecord | null>
  touchApiKey(keyId: string, at: Date): Promise<void>
  /** Generates the key; its plaintext is returned here and never again. */
  createApiKey(tenantId: string, input: { role: Role; name: string | null; expiresAt: Date | null }, actorKeyId: string): Promise<{ key: ApiKeyRecord; plaintext: string }>
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]>
  revokeApiKey(tenantId: string, keyId: string, actorKeyId: string): Promise<ApiKeyRecord | null>
  /** Revokes an active key and issues its replacement (same role, name, expiry) atomically. */
  rotateApiKey(tenantId: string, keyId: string, actorKeyId: string): Promise<{ key: ApiKeyRecord; plaintext: string } | null>

  getPolicy(tenantId: string, version: string): Promise<PolicyVersion | null>
  getDefaultPolicy(tenantId: string): Promise<PolicyVersion | null>
  listPolicies(tenantId: string): Promise<PolicyVersion[]>
  createPolicy(tenantId: string, input: { version: string; config: Policy; isDefault: boolean }, actorKeyId: string): Promise<PolicyVersion>

  getTaxonomy(tenantId: string, version: string): Promise<(TaxonomyVersion & { nodes: TaxonomyNode[] }) | null>
  createTaxonomy(tenantId: string, input: { version: string; nodes: TaxonomyNode[] }, actorKeyId: string): Promise<TaxonomyVersion>
  setTaxonomyStatus(tenantId: string, version: string, status: Exclude<TaxonomyStatus, 'draft'>, actorKeyId: string): Promise<TaxonomyVersion | null>

  getActiveBinding(tenantId: string, courseId: string): Promise<CourseBinding | null>
  listBindings(tenantId: string): Promise<CourseBinding[]>
  createBinding(tenantId: string, input: { courseId: string; policyVersion: string; taxonomyVersion: string | null }, actorKeyId: string): Promise<CourseBinding>

  findResultByRequestId(tenantId: string, requestId: string): Promise<StoredResult | null>
  /** Inserts the result and its audit event in one transaction; a duplicate request id returns the stored row. */
  saveResult(tenantId: string, result: NewResult): Promise<{ result: StoredResult; created: boolean }>
  getResult(tenantId: string, id: string): Promise<StoredResult | null>
  listResults(tenantId: string, filter: ResultFilter): Promise<StoredResult[]>
  createReview(tenantId: string, resultId: string, input: { label: string; notes: string | null }, actorKeyId: string): Promise<Review | null>

  verifyAudit(tenantId: string): Promise<AuditVerification>
  /** Cheap round trip for /ready. */
  ping(): Promise<void>
}
