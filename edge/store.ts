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
  /** `YYYY-MM-DD`: applies to reference dates on or after it; the latest such binding is in force. */
  activeFrom: string
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

export type NewResult = Omit<StoredResult, 'id' | 'createdAt'> & { actorKeyId: string }
export type ResultFilter = {
  decisao?: EvaluateResponse['decisao']
  courseId?: string
  degraded?: boolean
  from?: Date
  to?: Date
}
export type Page<T> = { items: T[]; nextCursor: string | null }
export type Review = { id: string; resultId: string; label: string; notes: string | null; reviewerKeyId: string; createdAt: Date }
export type AuditVerification = {
  ok: boolean
  checked: number
  /** Sequence number of the first broken link, when not ok. */
  brokenAt: number | null
  reason: 'missing_row' | 'prev_hash_mismatch' | 'hash_mismatch' | null
}

export interface Store {
  /** Looks a key up by its HMAC; the caller compares the hash in constant time. */
  findApiKeyByHash(keyHash: string): Promise<AuthRecord | null>
  /** Records a use (the edge calls it at most once a minute per key). */
  touchApiKey(tenantId: string, keyId: string, at: Date): Promise<void>
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

  /** The binding in force for the course on the reference date. */
  getActiveBinding(tenantId: string, courseId: string, date: string): Promise<CourseBinding | null>
  listBindings(tenantId: string): Promise<CourseBinding[]>
  createBinding(
    tenantId: string,
    input: { courseId: string; policyVersion: string; taxonomyVersion: string | null; activeFrom: string },
    actorKeyId: string,
  ): Promise<CourseBinding>

  findResultByRequestId(tenantId: string, requestId: string): Promise<StoredResult | null>
  /** Inserts the result and its audit event in one transaction; a duplicate request id returns the stored row. */
  saveResult(tenantId: string, result: NewResult): Promise<{ result: StoredResult; created: boolean }>
  getResult(tenantId: string, id: string): Promise<StoredResult | null>
  /** Newest first; `cursor` is opaque (a bad one is a 422). */
  listResults(tenantId: string, filter: ResultFilter, page: { cursor?: string; limit: number }): Promise<Page<StoredResult>>
  createReview(tenantId: string, resultId: string, input: { label: string; notes: string | null }, actorKeyId: string): Promise<Review | null>

  verifyAudit(tenantId: string): Promise<AuditVerification>
  /** Cheap round trip for /ready. */
  ping(): Promise<void>
}
