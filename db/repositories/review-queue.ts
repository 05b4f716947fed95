import canonicalize from 'canonicalize'
import { createHash } from 'node:crypto'
import { and, asc, desc, eq, gte, isNotNull, lt, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import type { Database } from '../client'
import { decodeCursor, encodeCursor, pageSize, type Page } from '../cursor'
import { isUuid } from '../ids'
import { apiKeys, equivalenceResults, reviewAssignments, reviews, tenants, type Decisao } from '../schema'
import { withTransaction } from '../transaction'
import { createAuditRepository } from './audit'

/**
 * The human side of results: the review queue (cases not yet reviewed, oldest first), who took
 * which case, the tenant's review settings (SLA, input retention) and the retention purge. Names
 * and institutions are read from the stored inputs (`equivalence_results.inputs`).
 */

export type ReviewState = 'pendente' | 'revisado' | 'todos'

export interface QueueFilters {
  /** null = any decision. @default 'ANALISE_HUMANA' */
  decisao?: Decisao | null
  /** @default 'pendente' */
  state?: ReviewState
  /** Matches the course_id exactly or the target course's name, case- and accent-insensitively (ILIKE). */
  course?: string
  degraded?: boolean
  /** Inclusive. */
  from?: Date
  /** Exclusive. */
  to?: Date
  originInstitution?: string
  /** Assigned reviewer's key id. */
  reviewerKeyId?: string
}

export interface QueueItem {
  id: string
  requestId: string
  courseId: string | null
  decisao: Decisao
  score: number
  degraded: boolean
  createdAt: Date
  originName: string | null
  originInstitution: string | null
  targetName: string | null
  assignedKeyId: string | null
  assignedKeyLabel: string | null
  reviewed: boolean
  inputsPurged: boolean
}

export interface ReviewSettings {
  reviewSlaDays: number
  /** null = keep inputs forever. */
  inputRetentionDays: number | null
}

const r = equivalenceResults
const originName = sql<string | null>`coalesce(${r.inputs}->'origem'->>'nome', ${r.inputs}->'origens'->0->>'nome')`
const originInstitution = sql<string | null>`coalesce(${r.inputs}->'origem'->>'instituicao', ${r.inputs}->'origens'->0->>'instituicao')`
const targetName = sql<string | null>`${r.inputs}->'destino'->>'nome'`
const reviewed = sql<boolean>`EXISTS (SELECT 1 FROM ${reviews} WHERE ${reviews.tenantId} = ${r.tenantId} AND ${reviews.resultId} = ${r.id})`

/** Oldest-first keyset cursor: the created_at text and id of the last row shown. */
const AscCursor = z.tuple([z.string().max(40), z.uuid()])

const likeOf = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`

function filtersOf(tenantId: string, f: QueueFilters): SQL | undefined {
  const state = f.state ?? 'pendente'
  return and(
    eq(r.tenantId, tenantId),
    eq(r.simulation, false),
    f.decisao === null ? undefined : eq(r.decisao, f.decisao ?? 'ANALISE_HUMANA'),
    state === 'pendente' ? sql`NOT ${reviewed}` : state === 'revisado' ? reviewed : undefined,
    f.course ? sql`(${r.courseId} = ${f.course} OR ${targetName} ILIKE ${likeOf(f.course)})` : undefined,
    f.degraded !== undefined ? eq(r.degraded, f.degraded) : undefined,
    f.from ? gte(r.createdAt, f.from) : undefined,
    f.to ? lt(r.createdAt, f.to) : undefined,
    f.originInstitution
      ? sql`(${r.inputs}->'origem'->>'instituicao' ILIKE ${likeOf(f.originInstitution)} OR EXISTS (
              SELECT 1 FROM json_array_elements(CASE WHEN json_typeof(${r.inputs}->'origens') = 'array' THEN ${r.inputs}->'origens' ELSE '[]'::json END) AS o
               WHERE o->>'instituicao' ILIKE ${likeOf(f.originInstitution)}))`
      : undefined,
    f.reviewerKeyId
      ? isUuid(f.reviewerKeyId)
        ? sql`EXISTS (SELECT 1 FROM ${reviewAssignments} WHERE ${reviewAssignments.tenantId} = ${r.tenantId}
                 AND ${reviewAssignments.resultId} = ${r.id} AND ${reviewAssignments.reviewerKeyId} = ${f.reviewerKeyId})`
        : sql`false`
      : undefined,
  )
}

export function createReviewQueueRepository(db: Database) {
  return {
    /** Oldest first (the one waiting longest on top), or newest first for listings. */
    async list(
      tenantId: string,
      filters: QueueFilters = {},
      page: { cursor?: string; limit?: number; order?: 'oldest' | 'newest' } = {},
    ): Promise<Page<QueueItem>> {
      if (!isUuid(tenantId)) return { items: [], nextCursor: null }
      const limit = pageSize(page.limit)
      const after = page.cursor ? decodeCursor(page.cursor, AscCursor) : undefined
      const newest = page.order === 'newest'
      const rows = await db
        .select({
          id: r.id,
          requestId: r.requestId,
          courseId: r.courseId,
          decisao: r.decisao,
          score: r.score,
          degraded: r.degraded,
          createdAt: r.createdAt,
          cursorAt: sql<string>`${r.createdAt}::text`,
          originName,
          originInstitution,
          targetName,
          assignedKeyId: reviewAssignments.reviewerKeyId,
          assignedKeyLabel: sql<string | null>`CASE WHEN ${apiKeys.id} IS NULL THEN NULL ELSE ${apiKeys.prefix} || CASE WHEN ${apiKeys.name} <> '' THEN ' (' || ${apiKeys.name} || ')' ELSE '' END END`,
          reviewed,
          inputsPurged: sql<boolean>`${r.inputsPurgedAt} IS NOT NULL`,
        })
        .from(r)
        .leftJoin(reviewAssignments, and(eq(reviewAssignments.tenantId, r.tenantId), eq(reviewAssignments.resultId, r.id)))
        .leftJoin(apiKeys, and(eq(apiKeys.tenantId, r.tenantId), eq(apiKeys.id, reviewAssignments.reviewerKeyId)))
        .where(
          and(
            filtersOf(tenantId, filters),
            after
              ? newest
                ? sql`(${r.createdAt}, ${r.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`
                : sql`(${r.createdAt}, ${r.id}) > (${after[0]}::timestamptz, ${after[1]}::uuid)`
              : undefined,
          ),
        )
        .orderBy(...(newest ? [desc(r.createdAt), desc(r.id)] : [asc(r.createdAt), asc(r.id)]))
        .limit(limit + 1)
      const items = rows.slice(0, limit)
      const last = items.at(-1)
      return {
        items: items.map(({ cursorAt: _c, ...item }) => item),
        nextCursor: rows.length > limit && last ? encodeCursor([last.cursorAt, last.id]) : null,
      }
    },

    /** Counts for the queue's header: all matching, past the SLA (created before `slaCutoff`), mine, unassigned. */
    async counts(
      tenantId: string,
      filters: QueueFilters,
      opts: { slaCutoff: Date; meKeyId: string },
    ): Promise<{ total: number; overdue: number; mine: number; unassigned: number }> {
      if (!isUuid(tenantId)) return { total: 0, overdue: 0, mine: 0, unassigned: 0 }
      const me = isUuid(opts.meKeyId) ? opts.meKeyId : '00000000-0000-0000-0000-000000000000'
      const [row] = await db
        .select({
          total: sql<number>`count(*)::int`,
          overdue: sql<number>`(count(*) FILTER (WHERE ${r.createdAt} < ${opts.slaCutoff.toISOString()}::timestamptz))::int`,
          mine: sql<number>`(count(*) FILTER (WHERE ${reviewAssignments.reviewerKeyId} = ${me}::uuid))::int`,
          unassigned: sql<number>`(count(*) FILTER (WHERE ${reviewAssignments.reviewerKeyId} IS NULL))::int`,
        })
        .from(r)
        .leftJoin(reviewAssignments, and(eq(reviewAssignments.tenantId, r.tenantId), eq(reviewAssignments.resultId, r.id)))
        .where(filtersOf(tenantId, filters))
      return row ?? { total: 0, overdue: 0, mine: 0, unassigned: 0 }
    },

    /** The oldest pending case after `resultId` (for "next case"), or the oldest of all. */
    async nextPending(tenantId: string, afterResultId?: string): Promise<string | null> {
      if (!isUuid(tenantId)) return null
      const base = filtersOf(tenantId, {})
      const rows = await db
        .select({ id: r.id, createdAt: r.createdAt })
        .from(r)
        .where(
          and(
            base,
            afterResultId && isUuid(afterResultId)
              ? sql`${r.id} <> ${afterResultId}::uuid AND (${r.createdAt}, ${r.id}) > (SELECT created_at, id FROM ${r} WHERE tenant_id = ${tenantId} AND id = ${afterResultId}::uuid)`
              : undefined,
          ),
        )
        .orderBy(asc(r.createdAt), asc(r.id))
        .limit(1)
      if (rows[0]) return rows[0].id
      if (!afterResultId) return null
      // Wrap around: the oldest pending other than the current one.
      const [first] = await db
        .select({ id: r.id })
        .from(r)
        .where(and(base, isUuid(afterResultId) ? sql`${r.id} <> ${afterResultId}::uuid` : undefined))
        .orderBy(asc(r.createdAt), asc(r.id))
        .limit(1)
      return first?.id ?? null
    },

    async assignment(tenantId: string, resultId: string): Promise<{ reviewerKeyId: string; assignedAt: Date } | null> {
      if (!isUuid(tenantId) || !isUuid(resultId)) return null
      const [row] = await db
        .select({ reviewerKeyId: reviewAssignments.reviewerKeyId, assignedAt: reviewAssignments.assignedAt })
        .from(reviewAssignments)
        .where(and(eq(reviewAssignments.tenantId, tenantId), eq(reviewAssignments.resultId, resultId)))
      return row ?? null
    },

    /** Gives the case to a reviewer (replacing any earlier one); false when the result is not this tenant's. */
    assign(tenantId: string, resultId: string, reviewerKeyId: string, actorKeyId: string | null): Promise<boolean> {
      if (!isUuid(tenantId) || !isUuid(resultId) || !isUuid(reviewerKeyId)) return Promise.resolve(false)
      return withTransaction(db, async (tx) => {
        const inserted = await tx.execute(sql`
          INSERT INTO ${reviewAssignments} (tenant_id, result_id, reviewer_key_id, created_at)
          SELECT ${tenantId}::uuid, ${r.id}, ${reviewerKeyId}::uuid, now() FROM ${r}
           WHERE ${r.tenantId} = ${tenantId}::uuid AND ${r.id} = ${resultId}::uuid
          ON CONFLICT (tenant_id, result_id) DO UPDATE SET reviewer_key_id = excluded.reviewer_key_id, created_at = excluded.created_at
          RETURNING result_id`)
        const n = (inserted as unknown as { rows: unknown[] }).rows.length
        if (n === 0) return false
        await createAuditRepository(tx).append(tenantId, {
          action: 'review.assigned',
          actorKeyId,
          target: resultId,
          payload: { reviewer_key_id: reviewerKeyId },
        })
        return true
      })
    },

    async settings(tenantId: string): Promise<ReviewSettings | null> {
      if (!isUuid(tenantId)) return null
      const [row] = await db
        .select({ reviewSlaDays: tenants.reviewSlaDays, inputRetentionDays: tenants.inputRetentionDays })
        .from(tenants)
        .where(eq(tenants.id, tenantId))
      return row ?? null
    },

    updateSettings(tenantId: string, input: Partial<ReviewSettings>, actorKeyId: string | null): Promise<ReviewSettings | null> {
      if (!isUuid(tenantId)) return Promise.resolve(null)
      return withTransaction(db, async (tx) => {
        const [row] = await tx
          .update(tenants)
          .set({ ...input, updatedAt: new Date() })
          .where(eq(tenants.id, tenantId))
          .returning({ reviewSlaDays: tenants.reviewSlaDays, inputRetentionDays: tenants.inputRetentionDays })
        if (row) {
          await createAuditRepository(tx).append(tenantId, {
            action: 'tenant.review_settings_changed',
            actorKeyId,
            target: tenantId,
            payload: { review_sla_days: row.reviewSlaDays, input_retention_days: row.inputRetentionDays },
          })
        }
        return row ?? null
      })
    },

    /**
     * Every stored input against its result's `input_hash` (which the audit chain binds): the
     * canonical JSON (RFC 8785) of the inputs must hash to it. Reports the first result that fails.
     */
    async verifyInputs(tenantId: string, batchSize = 500): Promise<{ ok: boolean; checked: number; resultId: string | null }> {
      if (!isUuid(tenantId)) return { ok: true, checked: 0, resultId: null }
      let checked = 0
      let after = '00000000-0000-0000-0000-000000000000'
      for (;;) {
        const rows = await db
          .select({ id: r.id, inputHash: r.inputHash, inputs: r.inputs })
          .from(r)
          .where(and(eq(r.tenantId, tenantId), isNotNull(r.inputs), sql`${r.id} > ${after}::uuid`))
          .orderBy(asc(r.id))
          .limit(batchSize)
        for (const row of rows) {
          const hash = createHash('sha256').update(canonicalize(row.inputs) ?? '').digest('hex')
          if (hash !== row.inputHash) return { ok: false, checked, resultId: row.id }
          checked++
        }
        if (rows.length < batchSize) return { ok: true, checked, resultId: null }
        after = rows.at(-1)!.id
      }
    },

    /** Tenants with a retention period, for the purge job (the only unscoped read here). */
    async tenantsWithRetention(): Promise<{ tenantId: string; days: number }[]> {
      const rows = await db
        .select({ tenantId: tenants.id, days: tenants.inputRetentionDays })
        .from(tenants)
        .where(isNotNull(tenants.inputRetentionDays))
      return rows.map((row) => ({ tenantId: row.tenantId, days: row.days! }))
    },

    /**
     * Removes the inputs of the tenant's results created before `before`: the decision, response,
     * hashes and audit stay. Appends one `result.inputs_purged` event when anything was removed.
     */
    purgeInputs(tenantId: string, before: Date, actorKeyId: string | null = null): Promise<number> {
      if (!isUuid(tenantId)) return Promise.resolve(0)
      return withTransaction(db, async (tx) => {
        const purged = await tx
          .update(r)
          .set({ inputs: null, inputsPurgedAt: new Date() })
          .where(and(eq(r.tenantId, tenantId), lt(r.createdAt, before), isNotNull(r.inputs)))
          .returning({ id: r.id })
        if (purged.length) {
          await createAuditRepository(tx).append(tenantId, {
            action: 'result.inputs_purged',
            actorKeyId,
            target: tenantId,
            payload: { count: purged.length, before: before.toISOString() },
          })
        }
        return purged.length
      })
    },
  }
}

export type ReviewQueueRepository = ReturnType<typeof createReviewQueueRepository>
