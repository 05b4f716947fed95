import { sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { createApiKeysRepository, findKeyForAuth } from '../db/repositories/api-keys'
import { createAuditRepository, type AuditEventInput } from '../db/repositories/audit'
import { createBindingsRepository } from '../db/repositories/bindings'
import { createPoliciesRepository } from '../db/repositories/policies'
import { createResultsRepository, type EquivalenceResult } from '../db/repositories/results'
import { createReviewsRepository } from '../db/repositories/reviews'
import { createTaxonomiesRepository } from '../db/repositories/taxonomies'
import { withTransaction } from '../db/transaction'
import type { EvaluateResponse } from '../engine/index'
import { DependencyUnavailableError, isConnectionError } from './errors'
import type { ApiKeyRecord, Store, StoredResult } from './store'

/**
 * The edge's `Store` over the tenant-scoped repositories of db/. Admin mutations write their
 * audit event in the same transaction; evaluations go through `insertIdempotent`, which does the
 * same for results. Connection failures surface as `DependencyUnavailableError` (503).
 */
export function createDbStore(db: Database, salt: string): Store {
  const keys = createApiKeysRepository(db, salt)
  const policies = createPoliciesRepository(db)
  const taxonomies = createTaxonomiesRepository(db)
  const bindings = createBindingsRepository(db)
  const results = createResultsRepository(db)
  const audit = createAuditRepository(db)

  /** A mutation and its audit event, atomically. */
  const audited = <T>(tenantId: string, fn: (tx: Database) => Promise<T>, event: (value: T) => AuditEventInput | null) =>
    withTransaction(db, async (tx) => {
      const value = await fn(tx)
      const e = event(value)
      if (e) await createAuditRepository(tx).append(tenantId, e)
      return value
    })

  const toKey = (k: {
    id: string
    tenantId: string
    prefix: string
    name: string
    role: ApiKeyRecord['role']
    status: ApiKeyRecord['status']
    expiresAt: Date | null
    lastUsedAt: Date | null
    createdAt: Date
  }): ApiKeyRecord => ({
    id: k.id,
    tenantId: k.tenantId,
    prefix: k.prefix,
    name: k.name || null,
    role: k.role,
    status: k.status,
    expiresAt: k.expiresAt,
    lastUsedAt: k.lastUsedAt,
    createdAt: k.createdAt,
  })

  const toResult = (r: EquivalenceResult): StoredResult => ({
    id: r.id,
    requestId: r.requestId,
    requestHash: r.inputHash,
    courseId: r.courseId,
    decisao: r.decisao,
    score: r.score,
    degraded: r.degraded,
    simulation: r.simulation,
    response: r.response as EvaluateResponse,
    createdAt: r.createdAt,
  })

  async function versionLabels(tenantId: string) {
    const [ps, ts] = await Promise.all([policies.list(tenantId), taxonomies.list(tenantId)])
    return {
      policy: new Map(ps.map((p) => [p.id, p.version])),
      taxonomy: new Map(ts.map((t) => [t.id, t.version])),
    }
  }

  const store: Store = {
    async findApiKeyByHash(keyHash) {
      const found = await findKeyForAuth(db, keyHash)
      if (!found) return null
      return {
        key: toKey(found.key),
        keyHash: found.keyHash,
        tenant: { id: found.tenant.id, name: found.tenant.name, status: found.tenant.status, rateLimits: found.tenant.rateLimits },
      }
    },
    touchApiKey: (tenantId, keyId, at) => keys.touchLastUsed(tenantId, keyId, at),
    async createApiKey(tenantId, input, actorKeyId) {
      const created = await audited(
        tenantId,
        (tx) => createApiKeysRepository(tx, salt).create(tenantId, { role: input.role, name: input.name ?? undefined, expiresAt: input.expiresAt }),
        (v) => ({ action: 'api_key.created', actorKeyId, target: v.key.id, payload: { role: v.key.role, prefix: v.key.prefix } }),
      )
      return { key: toKey(created.key), plaintext: created.plaintext }
    },
    async listApiKeys(tenantId) {
      const items: ApiKeyRecord[] = []
      let cursor: string | undefined
      do {
        const page = await keys.list(tenantId, { cursor, limit: 500 })
        items.push(...page.items.map(toKey))
        cursor = page.nextCursor ?? undefined
      } while (cursor)
      return items
    },
    async revokeApiKey(tenantId, keyId, actorKeyId) {
      const revoked = await audited(
        tenantId,
        (tx) => createApiKeysRepository(tx, salt).revoke(tenantId, keyId),
        (v) => (v ? { action: 'api_key.revoked', actorKeyId, target: v.id } : null),
      )
      return revoked ? toKey(revoked) : null
    },
    async rotateApiKey(tenantId, keyId, actorKeyId) {
      const rotated = await audited(
        tenantId,
        (tx) => createApiKeysRepository(tx, salt).rotate(tenantId, keyId),
        (v) => (v ? { action: 'api_key.rotated', actorKeyId, target: v.revoked.id, payload: { new_key_id: v.key.id } } : null),
      )
      return rotated ? { key: toKey(rotated.key), plaintext: rotated.plaintext } : null
    },

    getPolicy: (tenantId, version) => policies.getByVersion(tenantId, version),
    getDefaultPolicy: (tenantId) => policies.getDefault(tenantId),
    listPolicies: (tenantId) => policies.list(tenantId),
    createPolicy: (tenantId, input, actorKeyId) =>
      audited(
        tenantId,
        (tx) => createPoliciesRepository(tx).create(tenantId, input),
        (v) => ({ action: 'policy.created', actorKeyId, target: v.id, payload: { version: v.version, is_default: v.isDefault } }),
      ),

    async getTaxonomy(tenantId, version) {
      const t = await taxonomies.getByVersion(tenantId, version)
      return t && { id: t.id, version: t.version, status: t.status, createdAt: t.createdAt, nodeCount: t.nodes.length, nodes: t.nodes }
    },
    async createTaxonomy(tenantId, input, actorKeyId) {
      const t = await audited(
        tenantId,
        (tx) => createTaxonomiesRepository(tx).createDraft(tenantId, input),
        (v) => ({ action: 'taxonomy.created', actorKeyId, target: v.id, payload: { version: v.version, nodes: v.nodes.length } }),
      )
      return { id: t.id, version: t.version, status: t.status, createdAt: t.createdAt, nodeCount: t.nodes.length }
    },
    async setTaxonomyStatus(tenantId, version, status, actorKeyId) {
      const current = await taxonomies.getByVersion(tenantId, version)
      if (!current) return null
      const moved = await audited(
        tenantId,
        (tx) => {
          const repo = createTaxonomiesRepository(tx)
          return status === 'active' ? repo.activate(tenantId, current.id) : repo.deprecate(tenantId, current.id)
        },
        (v) => (v ? { action: status === 'active' ? 'taxonomy.activated' : 'taxonomy.deprecated', actorKeyId, target: v.id } : null),
      )
      return moved && { id: moved.id, version: moved.version, status: moved.status, createdAt: moved.createdAt, nodeCount: current.nodes.length }
    },

    async getActiveBinding(tenantId, courseId, date) {
      const r = await bindings.resolve(tenantId, courseId, date)
      return (
        r && {
          id: r.binding.id,
          courseId: r.binding.courseId,
          policyVersion: r.policy.version,
          taxonomyVersion: r.taxonomy?.version ?? null,
          activeFrom: r.binding.activeFrom,
          createdAt: r.binding.createdAt,
        }
      )
    },
    async listBindings(tenantId) {
      const [rows, labels] = await Promise.all([bindings.list(tenantId), versionLabels(tenantId)])
      return rows.map((b) => ({
        id: b.id,
        courseId: b.courseId,
        policyVersion: labels.policy.get(b.policyVersionId) ?? b.policyVersionId,
        taxonomyVersion: b.taxonomyVersionId ? (labels.taxonomy.get(b.taxonomyVersionId) ?? b.taxonomyVersionId) : null,
        activeFrom: b.activeFrom,
        createdAt: b.createdAt,
      }))
    },
    async createBinding(tenantId, input, actorKeyId) {
      const [policy, taxonomy] = await Promise.all([
        policies.getByVersion(tenantId, input.policyVersion),
        input.taxonomyVersion ? taxonomies.getByVersion(tenantId, input.taxonomyVersion) : null,
      ])
      if (!policy) throw new Error(`policy version ${input.policyVersion} vanished`)
      const b = await audited(
        tenantId,
        (tx) =>
          createBindingsRepository(tx).create(tenantId, {
            courseId: input.courseId,
            policyVersionId: policy.id,
            taxonomyVersionId: taxonomy?.id ?? null,
            activeFrom: input.activeFrom,
          }),
        (v) => ({ action: 'binding.created', actorKeyId, target: v.id, payload: { course_id: v.courseId, policy_version: policy.version } }),
      )
      return {
        id: b.id,
        courseId: b.courseId,
        policyVersion: policy.version,
        taxonomyVersion: taxonomy?.version ?? null,
        activeFrom: b.activeFrom,
        createdAt: b.createdAt,
      }
    },

    async findResultByRequestId(tenantId, requestId) {
      const r = await results.getByRequestId(tenantId, requestId)
      return r && toResult(r)
    },
    async saveResult(tenantId, input) {
      const saved = await results.insertIdempotent(
        tenantId,
        {
          requestId: input.requestId,
          inputHash: input.requestHash,
          response: input.response as unknown as Record<string, unknown>,
          decisao: input.decisao,
          score: input.score,
          degraded: input.degraded,
          courseId: input.courseId,
          policyVersion: input.response.policy_version,
          taxonomyVersion: input.response.taxonomy_version,
          modelVersion: input.response.model_version,
          simulation: input.simulation,
        },
        {
          audit: {
            action: input.simulation ? 'result.simulated' : 'result.created',
            actorKeyId: input.actorKeyId,
            payload: { request_id: input.requestId, decisao: input.decisao, input_hash: input.requestHash },
          },
        },
      )
      return { result: toResult(saved.result), created: saved.created }
    },
    async getResult(tenantId, id) {
      const r = await results.get(tenantId, id)
      return r && toResult(r)
    },
    async listResults(tenantId, filter, page) {
      const p = await results.list(tenantId, filter, page)
      return { items: p.items.map((r) => toResult(r as EquivalenceResult)), nextCursor: p.nextCursor }
    },
    async createReview(tenantId, resultId, input, actorKeyId) {
      const r = await audited(
        tenantId,
        (tx) => createReviewsRepository(tx).create(tenantId, { resultId, reviewerKeyId: actorKeyId, label: input.label as 'DEFERIDO' | 'INDEFERIDO', notes: input.notes ?? undefined }),
        (v) => (v ? { action: 'review.created', actorKeyId, target: v.id, payload: { result_id: resultId, label: v.label } } : null),
      )
      return r && { id: r.id, resultId: r.resultId, label: r.label, notes: r.notes || null, reviewerKeyId: r.reviewerKeyId ?? actorKeyId, createdAt: r.createdAt }
    },

    async verifyAudit(tenantId) {
      const v = await audit.verifyChain(tenantId)
      return v.ok
        ? { ok: true, checked: v.checked, brokenAt: null, reason: null }
        : { ok: false, checked: v.checked, brokenAt: v.brokenAt, reason: v.reason }
    },
    async ping() {
      await db.execute(sql`SELECT 1`)
    },
  }
  return guardConnectionErrors(store)
}

/** Every method: a lost or refused connection becomes a 503, not a 500. */
function guardConnectionErrors(store: Store): Store {
  const guarded = {} as Record<string, unknown>
  for (const [name, fn] of Object.entries(store) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    guarded[name] = async (...args: unknown[]) => {
      try {
        return await fn(...args)
      } catch (err) {
        if (isConnectionError(err)) throw new DependencyUnavailableError('database', { cause: err })
        throw err
      }
    }
  }
  return guarded as unknown as Store
}
