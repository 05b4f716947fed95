import { and, desc, eq, getTableColumns, gte, isNull, lte, or, sql, type SQL } from 'drizzle-orm'
import type { Database } from '../client'
import { cursorAtOf, newestFirstAfter, newestFirstPage, pageSize, type Page } from '../cursor'
import { isUuid } from '../ids'
import { apiKeys, precedents, type PrecedentStatus, type ReviewLabel } from '../schema'
import { withTransaction } from '../transaction'
import { createAuditRepository } from './audit'

export type Precedent = typeof precedents.$inferSelect

export interface NewPrecedent {
  originKey: string
  originSyllabusHash: string
  targetKey: string
  targetSyllabusHash: string
  originLabel?: string
  targetLabel?: string
  decisao: ReviewLabel
  motivo?: string
  resultId: string
  reviewId: string
  reviewerKeyId: string | null
  policyVersion: string
  taxonomyVersion: string | null
  modelVersion: string
  /** `YYYY-MM-DD`, inclusive. */
  validFrom: string
  /** `YYYY-MM-DD`, inclusive; null/absent = open. */
  validUntil?: string | null
}

export interface PrecedentFilters {
  status?: PrecedentStatus
  /** Only rules in force on this date (`YYYY-MM-DD`). */
  validOn?: string
}

/** What an admin change records in the audit chain: the rule and its pair, never syllabus text. */
const auditPayloadOf = (p: Precedent) => ({
  origin_key: p.originKey,
  target_key: p.targetKey,
  decisao: p.decisao,
  valid_from: p.validFrom,
  valid_until: p.validUntil,
  status: p.status,
  result_id: p.resultId,
  review_id: p.reviewId,
})

/**
 * Reviewed pairs kept as rules (see `precedents` in schema.ts). Every write appends its audit event
 * in the same transaction (`precedent.created`, `.superseded`, `.expired`, `.revoked`); called inside
 * a caller's transaction (the review that made the rule), it joins it.
 */
export function createPrecedentsRepository(db: Database) {
  function validOn(date: string): SQL {
    return and(lte(precedents.validFrom, date), or(isNull(precedents.validUntil), gte(precedents.validUntil, date)))!
  }

  return {
    /**
     * The evaluate look-up: the newest active rule of the pair in force on `date`, in one probe of
     * `precedents_lookup_idx`. The caller compares the syllabus hashes (a changed syllabus is a
     * rule that exists but does not apply).
     */
    async findInForce(
      tenantId: string,
      originKey: string,
      targetKey: string,
      date: string,
    ): Promise<(Precedent & { reviewerLabel: string | null }) | null> {
      if (!isUuid(tenantId)) return null
      const [row] = await db
        .select({
          ...getTableColumns(precedents),
          // The reviewer as people know the key: its prefix and name (a primary-key join).
          reviewerLabel: sql<string | null>`CASE WHEN ${apiKeys.id} IS NULL THEN NULL ELSE ${apiKeys.prefix} || CASE WHEN ${apiKeys.name} <> '' THEN ' (' || ${apiKeys.name} || ')' ELSE '' END END`,
        })
        .from(precedents)
        .leftJoin(apiKeys, and(eq(apiKeys.tenantId, precedents.tenantId), eq(apiKeys.id, precedents.reviewerKeyId)))
        .where(
          and(
            eq(precedents.tenantId, tenantId),
            eq(precedents.originKey, originKey),
            eq(precedents.targetKey, targetKey),
            eq(precedents.status, 'active'),
            validOn(date),
          ),
        )
        .orderBy(desc(precedents.createdAt))
        .limit(1)
      return row ?? null
    },

    /**
     * The pairs (origin key + NUL + target key) that have an active rule, at most `limit` of them;
     * null when there are more. Lets evaluations skip the look-up for the many pairs nobody
     * reviewed (services/precedents.ts keeps it a few seconds).
     */
    async activePairs(tenantId: string, limit = 20_000): Promise<Set<string> | null> {
      if (!isUuid(tenantId)) return new Set()
      const rows = await db
        .selectDistinct({ originKey: precedents.originKey, targetKey: precedents.targetKey })
        .from(precedents)
        .where(and(eq(precedents.tenantId, tenantId), eq(precedents.status, 'active')))
        .limit(limit + 1)
      if (rows.length > limit) return null
      return new Set(rows.map((r) => `${r.originKey}\u0000${r.targetKey}`))
    },

    /** Stores a rule; older active rules of the same pair are superseded by it. */
    create(tenantId: string, input: NewPrecedent, actorKeyId: string | null): Promise<Precedent> {
      return withTransaction(db, async (tx) => {
        const audit = createAuditRepository(tx)
        const superseded = await tx
          .update(precedents)
          .set({ status: 'superseded' })
          .where(
            and(
              eq(precedents.tenantId, tenantId),
              eq(precedents.originKey, input.originKey),
              eq(precedents.targetKey, input.targetKey),
              eq(precedents.status, 'active'),
            ),
          )
          .returning()
        const [row] = await tx
          .insert(precedents)
          .values({ ...input, tenantId, validUntil: input.validUntil ?? null })
          .returning()
        for (const old of superseded) {
          await audit.append(tenantId, { action: 'precedent.superseded', actorKeyId, target: old.id, payload: { by: row!.id } })
        }
        await audit.append(tenantId, { action: 'precedent.created', actorKeyId, target: row!.id, payload: auditPayloadOf(row!) })
        return row!
      })
    },

    async get(tenantId: string, id: string): Promise<Precedent | null> {
      if (!isUuid(tenantId) || !isUuid(id)) return null
      const [row] = await db
        .select()
        .from(precedents)
        .where(and(eq(precedents.tenantId, tenantId), eq(precedents.id, id)))
      return row ?? null
    },

    /** The rules made from one result (normally one), newest first. */
    async listByResult(tenantId: string, resultId: string): Promise<Precedent[]> {
      if (!isUuid(tenantId) || !isUuid(resultId)) return []
      return db
        .select()
        .from(precedents)
        .where(and(eq(precedents.tenantId, tenantId), eq(precedents.resultId, resultId)))
        .orderBy(desc(precedents.createdAt))
    },

    /** Newest first, with an opaque cursor. */
    async list(
      tenantId: string,
      filters: PrecedentFilters = {},
      page: { cursor?: string; limit?: number } = {},
    ): Promise<Page<Precedent>> {
      if (!isUuid(tenantId)) return { items: [], nextCursor: null }
      const limit = pageSize(page.limit)
      const rows = await db
        .select({ ...getTableColumns(precedents), cursorAt: cursorAtOf(precedents.createdAt) })
        .from(precedents)
        .where(
          and(
            eq(precedents.tenantId, tenantId),
            filters.status ? eq(precedents.status, filters.status) : undefined,
            filters.validOn ? validOn(filters.validOn) : undefined,
            newestFirstAfter(precedents.createdAt, precedents.id, page.cursor),
          ),
        )
        .orderBy(desc(precedents.createdAt), desc(precedents.id))
        .limit(limit + 1)
      return newestFirstPage(rows, limit)
    },

    /** Ends a rule's validity on `until` (inclusive); null when not this tenant's or not active. */
    expire(tenantId: string, id: string, until: string, actorKeyId: string | null): Promise<Precedent | null> {
      if (!isUuid(tenantId) || !isUuid(id)) return Promise.resolve(null)
      return withTransaction(db, async (tx) => {
        const [row] = await tx
          .update(precedents)
          .set({ validUntil: until })
          .where(and(eq(precedents.tenantId, tenantId), eq(precedents.id, id), eq(precedents.status, 'active')))
          .returning()
        if (row) await createAuditRepository(tx).append(tenantId, { action: 'precedent.expired', actorKeyId, target: row.id, payload: auditPayloadOf(row) })
        return row ?? null
      })
    },

    /** Withdraws a rule at once; null when not this tenant's or already withdrawn. */
    revoke(tenantId: string, id: string, actorKeyId: string | null): Promise<Precedent | null> {
      if (!isUuid(tenantId) || !isUuid(id)) return Promise.resolve(null)
      return withTransaction(db, async (tx) => {
        const [row] = await tx
          .update(precedents)
          .set({ status: 'revoked', revokedAt: sql`now()` })
          .where(and(eq(precedents.tenantId, tenantId), eq(precedents.id, id), eq(precedents.status, 'active')))
          .returning()
        if (row) await createAuditRepository(tx).append(tenantId, { action: 'precedent.revoked', actorKeyId, target: row.id, payload: auditPayloadOf(row) })
        return row ?? null
      })
    },
  }
}

export type PrecedentsRepository = ReturnType<typeof createPrecedentsRepository>
