import { and, asc, count, desc, eq, getTableColumns, gte, lt, sql, type SQL } from 'drizzle-orm'
import type { Database } from '../client'
import { cursorAtOf, newestFirstAfter, newestFirstPage, pageSize, type Page } from '../cursor'
import { isUuid } from '../ids'
import { equivalenceResults, type Decisao } from '../schema'
import { isTransaction, withTransaction } from '../transaction'
import { resultBatcherFor } from '../result-batcher'
import { DataError } from '../errors'
import { checkStoredResult, createAuditRepository, type AuditEventInput } from './audit'

export type EquivalenceResult = typeof equivalenceResults.$inferSelect

export interface NewResult {
  requestId: string
  inputHash: string
  response: Record<string, unknown>
  decisao: Decisao
  score: number
  degraded?: boolean
  courseId?: string | null
  policyVersion: string
  taxonomyVersion?: string | null
  modelVersion: string
  simulation?: boolean
  /** The request as evaluated (without request_id); see `equivalence_results.inputs`. */
  inputs?: Record<string, unknown> | null
}

export interface ResultFilters {
  decisao?: Decisao
  courseId?: string
  degraded?: boolean
  simulation?: boolean
  /** Inclusive lower bound on created_at. */
  from?: Date
  /** Exclusive upper bound on created_at. */
  to?: Date
}

/**
 * The one builder of an equivalence_results row for the writers that insert many rows through one
 * JSON parameter (the group commit of db/result-batcher.ts, the batch completion of jobs.ts): the id
 * and time are chosen here and the database's defaults filled in, so a created row can be answered
 * from what was sent, and a new column is added in one place. The single insert of
 * `insertIdempotent` hands drizzle the same `NewResult` and lets the database pick id and time
 * (within a caller's transaction they are then that transaction's `now()`).
 */
export function resultRowOf(tenantId: string, input: NewResult, at: { id?: string; createdAt?: Date } = {}): EquivalenceResult {
  return {
    id: at.id ?? crypto.randomUUID(),
    tenantId,
    requestId: input.requestId,
    inputHash: input.inputHash,
    response: input.response,
    decisao: input.decisao,
    score: input.score,
    degraded: input.degraded ?? false,
    courseId: input.courseId ?? null,
    policyVersion: input.policyVersion,
    taxonomyVersion: input.taxonomyVersion ?? null,
    modelVersion: input.modelVersion,
    simulation: input.simulation ?? false,
    inputs: input.inputs ?? null,
    inputsPurgedAt: null,
    createdAt: at.createdAt ?? new Date(),
  }
}

/** The row by its column names, as the writers that insert through one JSON parameter send it. */
export function resultColumnsOf(row: EquivalenceResult) {
  return {
    id: row.id,
    tenant_id: row.tenantId,
    request_id: row.requestId,
    input_hash: row.inputHash,
    response: row.response,
    decisao: row.decisao,
    score: row.score,
    degraded: row.degraded,
    course_id: row.courseId,
    policy_version: row.policyVersion,
    taxonomy_version: row.taxonomyVersion,
    model_version: row.modelVersion,
    simulation: row.simulation,
    inputs: row.inputs,
    created_at: row.createdAt.toISOString(),
  }
}

/** Stored decisions. One row per (tenant, request_id): a repeated request gets the stored answer back. */
export function createResultsRepository(db: Database) {
  function filtersOf(tenantId: string, f: ResultFilters): SQL | undefined {
    const t = equivalenceResults
    return and(
      eq(t.tenantId, tenantId),
      f.decisao ? eq(t.decisao, f.decisao) : undefined,
      f.courseId !== undefined ? eq(t.courseId, f.courseId) : undefined,
      f.degraded !== undefined ? eq(t.degraded, f.degraded) : undefined,
      f.simulation !== undefined ? eq(t.simulation, f.simulation) : undefined,
      f.from ? gte(t.createdAt, f.from) : undefined,
      f.to ? lt(t.createdAt, f.to) : undefined,
    )
  }

  async function getByRequestId(tenantId: string, requestId: string): Promise<EquivalenceResult | null> {
    if (!isUuid(tenantId)) return null
    const [row] = await db
      .select()
      .from(equivalenceResults)
      .where(and(eq(equivalenceResults.tenantId, tenantId), eq(equivalenceResults.requestId, requestId)))
    return row ?? null
  }

  /**
   * A stored answer is served again only while it matches its audit event (audit.ts): an edited or
   * swapped row is refused, not replayed. A row with no event (written without `audit`) is served.
   */
  async function verified<T extends EquivalenceResult | null>(row: T): Promise<T> {
    if (row && (await checkStoredResult(db, row.tenantId, row.id)) === 'mismatch') {
      throw new DataError(
        'INTEGRITY',
        'The stored result for this request failed its integrity check; an administrator has to look at it',
      )
    }
    return row
  }

  /** The one-row path: insert (with its audit event, in one transaction), or read the stored row. */
  async function insertAndRead(
    row: NewResult & { tenantId: string },
    audit?: Omit<AuditEventInput, 'target'>,
  ): Promise<{ result: EquivalenceResult; created: boolean }> {
    const insert = async (tx: Database) => {
      const [created] = await tx
        .insert(equivalenceResults)
        .values(row)
        .onConflictDoNothing({ target: [equivalenceResults.tenantId, equivalenceResults.requestId] })
        .returning()
      if (created && audit) {
        await createAuditRepository(tx).append(row.tenantId, { ...audit, target: created.id })
      }
      return created
    }
    const created = audit ? await withTransaction(db, insert) : await insert(db)
    if (created) return { result: created, created: true }
    const existing = await getByRequestId(row.tenantId, row.requestId)
    if (!existing) throw new Error('result vanished between conflict and read')
    return { result: existing, created: false }
  }

  return {
    getByRequestId: async (tenantId: string, requestId: string) =>
      verified(await getByRequestId(tenantId, requestId)),

    /**
     * The first batch item's result (`batch:<job>:<index>`) whose client gave it `clientRequestId`
     * and whose request hashes to `inputHash`; one look-up on the partial index of migration 0007.
     */
    async getBatchAnswer(tenantId: string, clientRequestId: string, inputHash: string): Promise<EquivalenceResult | null> {
      if (!isUuid(tenantId)) return null
      const t = equivalenceResults
      const [row] = await db
        .select()
        .from(t)
        .where(
          and(
            eq(t.tenantId, tenantId),
            // The index's own predicate and expression, word for word, so the planner uses it.
            sql`request_id LIKE 'batch:%'`,
            sql`(${t.response}->'meta'->>'client_request_id') = ${clientRequestId}`,
            eq(t.inputHash, inputHash),
          ),
        )
        .orderBy(asc(t.createdAt), asc(t.id))
        .limit(1)
      return verified(row ?? null)
    },

    /**
     * Stores a result unless this tenant already has one for `requestId`; either way returns the
     * stored row, and `created` says whether it is this call's. Concurrent calls with one request id
     * produce one row: the losers wait on the unique index, insert nothing, and read the winner's.
     * The caller compares `inputHash` to tell a retry from a reused id with another body.
     *
     * With `audit`, a created row gets its audit event in the same transaction. Outside a caller's
     * transaction, concurrent audited inserts share one commit (db/result-batcher.ts): a tenant's
     * audit chain is sequential, and one commit per evaluation would cap it at one per WAL flush.
     */
    async insertIdempotent(
      tenantId: string,
      input: NewResult,
      options: { audit?: Omit<AuditEventInput, 'target'> } = {},
    ): Promise<{ result: EquivalenceResult; created: boolean }> {
      const row = { tenantId, ...input }
      const { audit } = options
      // In the caller's transaction: write there. Otherwise share a commit with concurrent callers.
      const outcome = !audit
        ? await insertAndRead(row)
        : isTransaction(db)
          ? await insertAndRead(row, audit)
          : await resultBatcherFor(db, (p) => insertAndRead(p.row, p.audit)).insert(row, audit)
      // A replay serves what was stored before: only while it still matches its event.
      if (!outcome.created) await verified(outcome.result)
      return outcome
    },

    async get(tenantId: string, id: string): Promise<EquivalenceResult | null> {
      if (!isUuid(tenantId) || !isUuid(id)) return null
      const [row] = await db
        .select()
        .from(equivalenceResults)
        .where(and(eq(equivalenceResults.tenantId, tenantId), eq(equivalenceResults.id, id)))
      return verified(row ?? null)
    },

    /** Newest first, filtered, with an opaque cursor on (created_at, id). */
    async list(
      tenantId: string,
      filters: ResultFilters = {},
      page: { cursor?: string; limit?: number } = {},
    ): Promise<Page<EquivalenceResult>> {
      if (!isUuid(tenantId)) return { items: [], nextCursor: null }
      const limit = pageSize(page.limit)
      const t = equivalenceResults
      const rows = await db
        .select({ ...getTableColumns(t), cursorAt: cursorAtOf(t.createdAt) })
        .from(t)
        .where(and(filtersOf(tenantId, filters), newestFirstAfter(t.createdAt, t.id, page.cursor)))
        .orderBy(desc(t.createdAt), desc(t.id))
        .limit(limit + 1)
      return newestFirstPage(rows, limit)
    },

    async count(tenantId: string, filters: ResultFilters = {}): Promise<number> {
      if (!isUuid(tenantId)) return 0
      const [row] = await db
        .select({ n: count() })
        .from(equivalenceResults)
        .where(filtersOf(tenantId, filters))
      return row?.n ?? 0
    },
  }
}

export type ResultsRepository = ReturnType<typeof createResultsRepository>
