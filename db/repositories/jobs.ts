import { and, asc, desc, eq, getTableColumns, gt, inArray, lt, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Database, Transaction } from '../client'
import {
  cursorAtOf,
  decodeCursor,
  encodeCursor,
  newestFirstAfter,
  newestFirstPage,
  pageSize,
  type Page,
} from '../cursor'
import { isUuid } from '../ids'
import { jobItems, jobs, type JobItemStatus } from '../schema'
import { withTransaction } from '../transaction'
import type { AuditEventInput } from './audit'
import { createResultsRepository, type EquivalenceResult, type NewResult } from './results'

export type Job = typeof jobs.$inferSelect
export type JobItem = typeof jobItems.$inferSelect

/** Rows per INSERT of items (7 parameters each). */
const ITEM_CHUNK = 2000
const IdxCursor = z.number().int().min(0)

/** Item states a worker may claim (besides a running item whose lease ran out). */
const CLAIMABLE: JobItemStatus[] = ['queued', 'failed']

/**
 * Batch jobs and their items (DESIGN §6). Postgres is the source of truth: every state change is a
 * conditional UPDATE, and an item's move to done / dead changes the job's counters in the same
 * transaction, so `done` and `failed` are exact however many workers race.
 *
 * Item states: queued → running → done | failed → (retry) running … → dead. `failed` is retryable;
 * `dead` is final until an admin requeues it. The job's `failed` counter counts dead items.
 */
export function createJobsRepository(db: Database) {
  /** Locks the item row for the rest of the transaction. */
  async function lockItem(tx: Transaction, tenantId: string, itemId: string): Promise<JobItem | null> {
    const [item] = await tx
      .select()
      .from(jobItems)
      .where(and(eq(jobItems.tenantId, tenantId), eq(jobItems.id, itemId)))
      .for('update')
    return item ?? null
  }

  /** Applies counter deltas and recomputes the job's status from them, in one UPDATE. */
  async function adjustCounters(
    tx: Transaction,
    tenantId: string,
    jobId: string,
    delta: { done: number; failed: number },
  ) {
    const finished = sql`(${jobs.done} + ${delta.done}) + (${jobs.failed} + ${delta.failed}) >= ${jobs.total}`
    const [job] = await tx
      .update(jobs)
      .set({
        done: sql`${jobs.done} + ${delta.done}`,
        failed: sql`${jobs.failed} + ${delta.failed}`,
        status: sql`CASE WHEN ${finished} THEN 'completed' ELSE 'running' END`,
        completedAt: sql`CASE WHEN ${finished} THEN coalesce(${jobs.completedAt}, now()) END`,
        // A job that reopens (an item requeued) will notify again when it finishes anew.
        callbackSentAt: sql`CASE WHEN ${finished} THEN ${jobs.callbackSentAt} END`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(jobs.tenantId, tenantId), eq(jobs.id, jobId)))
      .returning()
    return job!
  }

  async function getJob(tx: Database, tenantId: string, jobId: string) {
    const [job] = await tx
      .select()
      .from(jobs)
      .where(and(eq(jobs.tenantId, tenantId), eq(jobs.id, jobId)))
    return job!
  }

  return {
    /** The job and all its items, in one transaction. Items get `idx` 0..n-1 in the order given. */
    async create(
      tenantId: string,
      input: {
        items: Record<string, unknown>[]
        callbackUrl?: string | null
        createdByKeyId?: string | null
      },
    ): Promise<{ job: Job; itemIds: string[] }> {
      return withTransaction(db, async (tx) => {
        const [job] = await tx
          .insert(jobs)
          .values({
            tenantId,
            total: input.items.length,
            status: input.items.length === 0 ? 'completed' : 'queued',
            completedAt: input.items.length === 0 ? new Date() : null,
            callbackUrl: input.callbackUrl ?? null,
            createdByKeyId: input.createdByKeyId ?? null,
          })
          .returning()
        const itemIds: string[] = []
        for (let i = 0; i < input.items.length; i += ITEM_CHUNK) {
          const rows = await tx
            .insert(jobItems)
            .values(
              input.items
                .slice(i, i + ITEM_CHUNK)
                .map((payload, k) => ({ jobId: job!.id, tenantId, idx: i + k, payload })),
            )
            .returning({ id: jobItems.id, idx: jobItems.idx })
          rows.sort((a, b) => a.idx - b.idx).forEach((r) => itemIds.push(r.id))
        }
        return { job: job!, itemIds }
      })
    },

    async get(tenantId: string, jobId: string): Promise<Job | null> {
      if (!isUuid(tenantId) || !isUuid(jobId)) return null
      const [job] = await db
        .select()
        .from(jobs)
        .where(and(eq(jobs.tenantId, tenantId), eq(jobs.id, jobId)))
      return job ?? null
    },

    /** Newest first. */
    async list(tenantId: string, page: { cursor?: string; limit?: number } = {}): Promise<Page<Job>> {
      if (!isUuid(tenantId)) return { items: [], nextCursor: null }
      const limit = pageSize(page.limit)
      const rows = await db
        .select({ ...getTableColumns(jobs), cursorAt: cursorAtOf(jobs.createdAt) })
        .from(jobs)
        .where(and(eq(jobs.tenantId, tenantId), newestFirstAfter(jobs.createdAt, jobs.id, page.cursor)))
        .orderBy(desc(jobs.createdAt), desc(jobs.id))
        .limit(limit + 1)
      return newestFirstPage(rows, limit)
    },

    async getItem(tenantId: string, itemId: string): Promise<JobItem | null> {
      if (!isUuid(tenantId) || !isUuid(itemId)) return null
      const [item] = await db
        .select()
        .from(jobItems)
        .where(and(eq(jobItems.tenantId, tenantId), eq(jobItems.id, itemId)))
      return item ?? null
    },

    /** A job's items in `idx` order, optionally of one status. */
    async listItems(
      tenantId: string,
      jobId: string,
      options: { status?: JobItemStatus; cursor?: string; limit?: number } = {},
    ): Promise<Page<JobItem>> {
      if (!isUuid(tenantId) || !isUuid(jobId)) return { items: [], nextCursor: null }
      const limit = pageSize(options.limit)
      const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, IdxCursor)
      const rows = await db
        .select()
        .from(jobItems)
        .where(
          and(
            eq(jobItems.tenantId, tenantId),
            eq(jobItems.jobId, jobId),
            options.status ? eq(jobItems.status, options.status) : undefined,
            after === undefined ? undefined : gt(jobItems.idx, after),
          ),
        )
        .orderBy(asc(jobItems.idx))
        .limit(limit + 1)
      const items = rows.slice(0, limit)
      return { items, nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!.idx) : null }
    },

    /**
     * Takes the item for `leaseMs` (database clock): only a queued or failed item, or a running one
     * whose lease has run out, can be claimed, so of two deliveries of one item only one gets it.
     * Null means "someone else has it, it is finished, or it is not this tenant's".
     */
    async claimItem(tenantId: string, itemId: string, leaseMs: number): Promise<JobItem | null> {
      if (!isUuid(tenantId) || !isUuid(itemId)) return null
      return withTransaction(db, async (tx) => {
        const [item] = await tx
          .update(jobItems)
          .set({
            status: 'running',
            attempts: sql`${jobItems.attempts} + 1`,
            leaseUntil: sql`now() + ${Math.max(0, Math.trunc(leaseMs))} * interval '1 millisecond'`,
            updatedAt: sql`now()`,
          })
          .where(
            and(
              eq(jobItems.tenantId, tenantId),
              eq(jobItems.id, itemId),
              sql`(${inArray(jobItems.status, CLAIMABLE)} OR (${jobItems.status} = 'running' AND ${jobItems.leaseUntil} < now()))`,
            ),
          )
          .returning()
        if (!item) return null
        await tx
          .update(jobs)
          .set({ status: 'running', updatedAt: sql`now()` })
          .where(and(eq(jobs.tenantId, tenantId), eq(jobs.id, item.jobId), eq(jobs.status, 'queued')))
        return item
      })
    },

    /**
     * Writes the item's result and marks it done, with the job's counter, in one transaction. A
     * repeated call (a duplicate delivery) changes nothing and returns the stored result with
     * `transitioned: false`. A late success of a dead item still counts: it becomes done.
     */
    async completeItem(
      tenantId: string,
      itemId: string,
      result: Omit<NewResult, 'requestId'>,
      options: { audit?: Omit<AuditEventInput, 'target'> } = {},
    ): Promise<{ item: JobItem; job: Job; result: EquivalenceResult; transitioned: boolean } | null> {
      if (!isUuid(tenantId) || !isUuid(itemId)) return null
      return withTransaction(db, async (tx) => {
        const item = await lockItem(tx, tenantId, itemId)
        if (!item) return null
        const results = createResultsRepository(tx)
        if (item.status === 'done' && item.resultId) {
          const stored = await results.get(tenantId, item.resultId)
          return { item, job: await getJob(tx, tenantId, item.jobId), result: stored!, transitioned: false }
        }
        const { result: stored } = await results.insertIdempotent(
          tenantId,
          { ...result, requestId: `job:${item.jobId}:${item.idx}` },
          options,
        )
        const [done] = await tx
          .update(jobItems)
          .set({
            status: 'done',
            resultId: stored.id,
            leaseUntil: null,
            lastError: null,
            updatedAt: sql`now()`,
          })
          .where(eq(jobItems.id, item.id))
          .returning()
        const job = await adjustCounters(tx, tenantId, item.jobId, {
          done: 1,
          failed: item.status === 'dead' ? -1 : 0,
        })
        return { item: done!, job, result: stored, transitioned: true }
      })
    },

    /** A retryable failure of a running item: it becomes claimable again. Null if it was not running. */
    async failItem(tenantId: string, itemId: string, error: string): Promise<JobItem | null> {
      if (!isUuid(tenantId) || !isUuid(itemId)) return null
      const [item] = await db
        .update(jobItems)
        .set({ status: 'failed', lastError: error.slice(0, 4000), leaseUntil: null, updatedAt: sql`now()` })
        .where(and(eq(jobItems.tenantId, tenantId), eq(jobItems.id, itemId), eq(jobItems.status, 'running')))
        .returning()
      return item ?? null
    },

    /** Final failure (retries exhausted): counted in the job's `failed`. Done or dead items are left alone. */
    async markDead(
      tenantId: string,
      itemId: string,
      error?: string,
    ): Promise<{ item: JobItem; job: Job; transitioned: boolean } | null> {
      if (!isUuid(tenantId) || !isUuid(itemId)) return null
      return withTransaction(db, async (tx) => {
        const item = await lockItem(tx, tenantId, itemId)
        if (!item) return null
        if (item.status === 'done' || item.status === 'dead') {
          return { item, job: await getJob(tx, tenantId, item.jobId), transitioned: false }
        }
        const [dead] = await tx
          .update(jobItems)
          .set({
            status: 'dead',
            lastError: error === undefined ? item.lastError : error.slice(0, 4000),
            leaseUntil: null,
            updatedAt: sql`now()`,
          })
          .where(eq(jobItems.id, item.id))
          .returning()
        const job = await adjustCounters(tx, tenantId, item.jobId, { done: 0, failed: 1 })
        return { item: dead!, job, transitioned: true }
      })
    },

    /** An admin's retry of a dead (or failed) item: back to queued, and the job reopens if it had finished. */
    async requeue(tenantId: string, itemId: string): Promise<{ item: JobItem; job: Job } | null> {
      if (!isUuid(tenantId) || !isUuid(itemId)) return null
      return withTransaction(db, async (tx) => {
        const item = await lockItem(tx, tenantId, itemId)
        if (!item || (item.status !== 'dead' && item.status !== 'failed')) return null
        const [queued] = await tx
          .update(jobItems)
          .set({ status: 'queued', leaseUntil: null, updatedAt: sql`now()` })
          .where(eq(jobItems.id, item.id))
          .returning()
        const job = await adjustCounters(tx, tenantId, item.jobId, {
          done: 0,
          failed: item.status === 'dead' ? -1 : 0,
        })
        return { item: queued!, job }
      })
    },

    /** Running items of this tenant whose lease ran out (the sweeper re-dispatches them). */
    async findExpiredLeases(tenantId: string, limit = 100): Promise<JobItem[]> {
      if (!isUuid(tenantId)) return []
      return db
        .select()
        .from(jobItems)
        .where(
          and(
            eq(jobItems.tenantId, tenantId),
            eq(jobItems.status, 'running'),
            lt(jobItems.leaseUntil, sql`now()`),
          ),
        )
        .orderBy(asc(jobItems.leaseUntil))
        .limit(pageSize(limit))
    },

    /**
     * Claims the right to send the job's completion callback: true exactly once per completion, so
     * two workers finishing the last items together do not both notify.
     */
    async markCallbackSent(tenantId: string, jobId: string): Promise<boolean> {
      if (!isUuid(tenantId) || !isUuid(jobId)) return false
      const rows = await db
        .update(jobs)
        .set({ callbackSentAt: sql`now()` })
        .where(
          and(
            eq(jobs.tenantId, tenantId),
            eq(jobs.id, jobId),
            eq(jobs.status, 'completed'),
            sql`${jobs.callbackSentAt} IS NULL`,
          ),
        )
        .returning({ id: jobs.id })
      return rows.length === 1
    },
  }
}

/**
 * System-level sweeper query across all tenants: which items have a lapsed lease. It returns only
 * ids (with the owning tenant, so the re-dispatch carries it); everything else goes through the
 * tenant-scoped repository.
 */
export async function findExpiredLeasesAllTenants(
  db: Database,
  limit = 100,
): Promise<{ tenantId: string; jobId: string; itemId: string }[]> {
  return db
    .select({ tenantId: jobItems.tenantId, jobId: jobItems.jobId, itemId: jobItems.id })
    .from(jobItems)
    .where(and(eq(jobItems.status, 'running'), lt(jobItems.leaseUntil, sql`now()`)))
    .orderBy(asc(jobItems.leaseUntil))
    .limit(pageSize(limit))
}

export type JobsRepository = ReturnType<typeof createJobsRepository>
