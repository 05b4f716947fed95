import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm'
import type { Database } from '../client'
import { isUuid } from '../ids'
import { jobItems } from '../schema'
import { withTransaction } from '../transaction'
import { appendAuditEvents, auditEventRecord, createAuditRepository, type AuditEventRecord } from './audit'
import type { FinishedJobRef } from './jobs'
import { resultColumnsOf, resultRowOf, type NewResult } from './results'

/**
 * The items of batch jobs (DESIGN §6), for both sides of the queue:
 * - the edge (tenant-scoped): read items with their results, list and requeue dead items;
 * - the worker (addressed by item id, the tenant read from the row): claim under a lease, complete
 *   with the result, record failures, go dead, sweep.
 *
 * Counters are exact under concurrency because every change of an item's state and the matching
 * change of its job's counters happen in the same statement (data-modifying CTEs: one statement is
 * one transaction). `attempts` is bumped by each claim and is the fencing token of the holder.
 */

export type JobItemRow = typeof jobItems.$inferSelect

export interface ClaimedItem {
  id: string
  jobId: string
  tenantId: string
  idx: number
  payload: Record<string, unknown>
  attempts: number
}

export interface ItemView {
  id: string
  idx: number
  status: JobItemRow['status']
  attempts: number
  lastError: string | null
  updatedAt: Date
  response: Record<string, unknown> | null
  /** The stored result, once done: its id, request id and time (the /v1 item shape names them). */
  resultId: string | null
  resultRequestId: string | null
  resultCreatedAt: Date | null
  /** The `request_id` the client sent with the item, if any. */
  clientRequestId: string | null
  /** The payload's `wire` (what the submitting wire version needs to render the item). */
  wire: Record<string, unknown> | null
}

/** drizzle's `execute` answers in each driver's own shape; all of them carry `rows`. */
function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? (result as T[])) as T[]
}

/** node-postgres parses uuid[] into an array; drivers that do not hand back Postgres's text form `{a,b}`. */
function parseUuidArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value
  return value
    .replace(/^\{|\}$/g, '')
    .split(',')
    .filter(Boolean)
}

const finishedRef = (row: {
  id: string
  tenant_id: string
  callback_url: string | null
  status: string
}): FinishedJobRef | null =>
  row.status === 'completed' ? { id: row.id, tenantId: row.tenant_id, callbackUrl: row.callback_url } : null

export function createJobItemsRepository(db: Database) {
  const repository = {
    /** Items in index order with their result (if done), after index `afterIdx`. */
    async listItems(
      tenantId: string,
      jobId: string,
      page: { afterIdx?: number; limit?: number } = {},
    ): Promise<ItemView[]> {
      if (!isUuid(tenantId) || !isUuid(jobId)) return []
      const result = await db.execute(sql`
        SELECT i.id, i.idx, i.status, i.attempts, i.last_error, i.updated_at, r.response,
               i.result_id, r.request_id AS result_request_id, r.created_at AS result_created_at,
               i.payload->'request'->>'request_id' AS client_request_id, i.payload->'wire' AS wire
        FROM job_items i
        LEFT JOIN equivalence_results r ON r.tenant_id = i.tenant_id AND r.id = i.result_id
        WHERE i.tenant_id = ${tenantId} AND i.job_id = ${jobId} AND i.idx > ${page.afterIdx ?? -1}
        ORDER BY i.idx
        ${page.limit ? sql`LIMIT ${page.limit}` : sql``}`)
      return rowsOf<{
        id: string
        idx: number
        status: JobItemRow['status']
        attempts: number
        last_error: string | null
        updated_at: Date | string
        response: Record<string, unknown> | null
        result_id: string | null
        result_request_id: string | null
        result_created_at: Date | string | null
        client_request_id: string | null
        wire: Record<string, unknown> | null
      }>(result).map((r) => ({
        id: r.id,
        idx: r.idx,
        status: r.status,
        attempts: r.attempts,
        lastError: r.last_error,
        updatedAt: new Date(r.updated_at),
        response: r.response,
        resultId: r.result_id,
        resultRequestId: r.result_request_id,
        resultCreatedAt: r.result_created_at === null ? null : new Date(r.result_created_at),
        clientRequestId: r.client_request_id,
        wire: r.wire,
      }))
    },

    /** One item of the tenant by id, with its job and state; null when unknown or another tenant's. */
    async getItem(tenantId: string, itemId: string): Promise<{ id: string; jobId: string; status: JobItemRow['status'] } | null> {
      if (!isUuid(tenantId) || !isUuid(itemId)) return null
      const [row] = await db
        .select({ id: jobItems.id, jobId: jobItems.jobId, status: jobItems.status })
        .from(jobItems)
        .where(and(eq(jobItems.tenantId, tenantId), eq(jobItems.id, itemId)))
      return row ?? null
    },

    /** Dead items of the tenant (optionally of one job), oldest job first, in index order. */
    async listDead(
      tenantId: string,
      filter: { jobId?: string; afterId?: string; limit: number },
    ): Promise<Array<JobItemRow>> {
      if (
        !isUuid(tenantId) ||
        (filter.jobId && !isUuid(filter.jobId)) ||
        (filter.afterId && !isUuid(filter.afterId))
      )
        return []
      return db
        .select()
        .from(jobItems)
        .where(
          and(
            eq(jobItems.tenantId, tenantId),
            eq(jobItems.status, 'dead'),
            filter.jobId ? eq(jobItems.jobId, filter.jobId) : undefined,
            filter.afterId ? gt(jobItems.id, filter.afterId) : undefined,
          ),
        )
        .orderBy(asc(jobItems.id))
        .limit(filter.limit)
    },

    /**
     * Dead items back to `queued` (one item, or all dead items of a job) with a fresh attempt
     * budget; the job leaves `completed` and will notify its callback again when it finishes.
     * Returns the requeued item ids (none: nothing of the tenant's matched).
     */
    async requeueDead(
      tenantId: string,
      target: { jobId: string; itemId?: string },
      actorKeyId: string | null = null,
    ): Promise<string[]> {
      if (!isUuid(tenantId) || !isUuid(target.jobId) || (target.itemId && !isUuid(target.itemId))) return []
      return withTransaction(db, async (tx) => {
        const result = await tx.execute(sql`
          WITH requeued AS (
            UPDATE job_items SET status = 'queued', attempts = 0, lease_until = NULL, updated_at = now()
            WHERE tenant_id = ${tenantId} AND job_id = ${target.jobId} AND status = 'dead'
              ${target.itemId ? sql`AND id = ${target.itemId}` : sql``}
            RETURNING id
          ), job AS (
            UPDATE jobs SET failed = failed - (SELECT count(*) FROM requeued), status = 'running',
                            completed_at = NULL, callback_sent_at = NULL, updated_at = now()
            WHERE id = ${target.jobId} AND tenant_id = ${tenantId} AND EXISTS (SELECT 1 FROM requeued)
          )
          SELECT id FROM requeued`)
        const ids = rowsOf<{ id: string }>(result).map((r) => r.id)
        if (ids.length) {
          await createAuditRepository(tx).append(tenantId, {
            action: 'job.requeued',
            actorKeyId,
            target: target.jobId,
            payload: { items: ids.length, ...(target.itemId ? { item_id: target.itemId } : {}) },
          })
        }
        return ids
      })
    },

    /**
     * Takes the items under a lease if they are queued, failed, or running under an expired lease;
     * ids that are settled, unknown or under someone's live lease are simply not returned. The
     * first claim of a job moves the job from `queued` to `running`.
     */
    async claimMany(itemIds: readonly string[], leaseMs: number): Promise<ClaimedItem[]> {
      const ids = itemIds.filter(isUuid)
      if (ids.length === 0) return []
      const result = await db.execute(sql`
        WITH item AS (
          UPDATE job_items
          SET status = 'running', attempts = attempts + 1,
              lease_until = now() + make_interval(secs => ${leaseMs / 1000}), updated_at = now()
          WHERE id = ANY(${`{${ids.join(',')}}`}::uuid[])
            AND (status IN ('queued', 'failed') OR (status = 'running' AND lease_until < now()))
          RETURNING id, job_id, tenant_id, idx, payload, attempts
        ), job AS (
          UPDATE jobs SET status = 'running', updated_at = now()
          WHERE id IN (SELECT DISTINCT job_id FROM item) AND status = 'queued'
        )
        SELECT * FROM item`)
      return rowsOf<{
        id: string
        job_id: string
        tenant_id: string
        idx: number
        payload: Record<string, unknown>
        attempts: number
      }>(result).map((row) => ({
        id: row.id,
        jobId: row.job_id,
        tenantId: row.tenant_id,
        idx: row.idx,
        payload: row.payload,
        attempts: row.attempts,
      }))
    },

    /** `claimMany` for one item, saying why nothing was claimed. */
    async claim(
      itemId: string,
      leaseMs: number,
    ): Promise<{ claimed: ClaimedItem } | { skipped: 'missing' | 'done' | 'dead' | 'leased' }> {
      const [claimed] = await repository.claimMany([itemId], leaseMs)
      if (claimed) return { claimed }
      if (!isUuid(itemId)) return { skipped: 'missing' }
      const [current] = await db
        .select({ status: jobItems.status })
        .from(jobItems)
        .where(eq(jobItems.id, itemId))
      if (!current) return { skipped: 'missing' }
      return { skipped: current.status === 'done' ? 'done' : current.status === 'dead' ? 'dead' : 'leased' }
    },

    /**
     * One transaction of two statements for any number of items: each item whose claim still
     * holds becomes done, its result is inserted, and each job's `done` counter moves by the number
     * of its items settled here — completing the job when nothing is left; then every inserted
     * result gets its `result.created` audit event (`append_audit_events`, migrations/0003), as an
     * evaluation's does. Items whose claim was lost (lease expired, someone else claimed) are left
     * untouched and get no result and no event.
     */
    async completeMany(entries: ReadonlyArray<{ item: ClaimedItem; result: NewResult }>): Promise<{
      settledIds: Set<string>
      finishedJobs: FinishedJobRef[]
    }> {
      if (entries.length === 0) return { settledIds: new Set(), finishedJobs: [] }
      const createdAt = new Date()
      // The row as results.ts builds it for every writer, plus the claim it settles.
      const rows = entries.map(({ item, result }) => resultRowOf(item.tenantId, result, { createdAt }))
      const input = entries.map(({ item }, i) => ({ item_id: item.id, attempts: item.attempts, ...resultColumnsOf(rows[i]!) }))
      const eventOf = new Map(entries.map(({ item }, i) => [item.id, itemAuditEvent(item, rows[i]!)]))
      return withTransaction(db, async (tx) => {
        const jobRows = rowsOf<{
          id: string
          tenant_id: string
          callback_url: string | null
          status: string
          settled_ids: string[]
        }>(
          await tx.execute(sql`
        WITH input AS (
          SELECT * FROM json_to_recordset(${JSON.stringify(input)}::json) AS x(
            item_id uuid, attempts int, id uuid, request_id text, input_hash text, response json,
            decisao text, score float8, degraded boolean, course_id text, policy_version text,
            taxonomy_version text, model_version text, simulation boolean, inputs json, created_at timestamptz)
        ), settled AS (
          UPDATE job_items i SET status = 'done', result_id = input.id, lease_until = NULL,
                                 last_error = NULL, updated_at = now()
          FROM input
          WHERE i.id = input.item_id AND i.status = 'running' AND i.attempts = input.attempts
          RETURNING i.id, i.job_id, i.tenant_id, i.result_id
        ), inserted AS (
          INSERT INTO equivalence_results
            (id, tenant_id, request_id, input_hash, response, decisao, score, degraded, course_id,
             policy_version, taxonomy_version, model_version, simulation, inputs, created_at)
          SELECT input.id, settled.tenant_id, input.request_id, input.input_hash, input.response,
                 input.decisao, input.score, input.degraded, input.course_id, input.policy_version,
                 input.taxonomy_version, input.model_version, input.simulation, input.inputs, input.created_at
          FROM settled JOIN input ON input.item_id = settled.id
          RETURNING id
        ), per_job AS (
          -- Reading the inserted rows makes the INSERT finish before the job row is locked below:
          -- the hot row is then held only for its own update and the commit.
          SELECT s.job_id, count(*)::int AS n, array_agg(s.id) AS ids
          FROM settled s JOIN inserted r ON r.id = s.result_id GROUP BY s.job_id
        )
        UPDATE jobs SET done = done + per_job.n, updated_at = now(),
               status = CASE WHEN done + per_job.n + failed >= total THEN 'completed' ELSE 'running' END,
               completed_at = CASE WHEN done + per_job.n + failed >= total THEN now() ELSE completed_at END
        FROM per_job
        WHERE jobs.id = per_job.job_id
        RETURNING jobs.id, jobs.tenant_id, jobs.callback_url, jobs.status, per_job.ids AS settled_ids`),
        )
        const settledIds = new Set(jobRows.flatMap((row) => parseUuidArray(row.settled_ids)))
        const events = entries
          .filter(({ item }) => settledIds.has(item.id))
          .map(({ item }) => eventOf.get(item.id)!)
        await appendAuditEvents(tx, events)
        return {
          settledIds,
          finishedJobs: jobRows.map(finishedRef).filter((job): job is FinishedJobRef => job !== null),
        }
      })
    },

    /** `completeMany` for one item. */
    async complete(
      item: ClaimedItem,
      result: NewResult,
    ): Promise<{ settled: boolean; finishedJob: FinishedJobRef | null }> {
      const { settledIds, finishedJobs } = await repository.completeMany([{ item, result }])
      return { settled: settledIds.has(item.id), finishedJob: finishedJobs[0] ?? null }
    },

    /** Releases a failed attempt (only the current holder's) so the next delivery can claim it. */
    async recordFailure(item: ClaimedItem, error: string): Promise<void> {
      await db
        .update(jobItems)
        .set({ status: 'failed', leaseUntil: null, lastError: error, updatedAt: sql`now()` })
        .where(
          and(eq(jobItems.id, item.id), eq(jobItems.status, 'running'), eq(jobItems.attempts, item.attempts)),
        )
    },

    /**
     * Retries exhausted: the item goes dead with `error` and counts as failed. An item that is
     * settled, or held under a live lease (someone is still working on it), is left alone.
     */
    async markDead(
      itemId: string,
      error: string,
    ): Promise<{ dead: boolean; finishedJob: FinishedJobRef | null }> {
      if (!isUuid(itemId)) return { dead: false, finishedJob: null }
      const rows = rowsOf<{ id: string; tenant_id: string; callback_url: string | null; status: string }>(
        await db.execute(sql`
        WITH killed AS (
          UPDATE job_items SET status = 'dead', last_error = ${error}, lease_until = NULL, updated_at = now()
          WHERE id = ${itemId}
            AND (status IN ('queued', 'failed') OR (status = 'running' AND lease_until < now()))
          RETURNING job_id
        )
        UPDATE jobs SET failed = failed + 1, updated_at = now(),
               status = CASE WHEN done + failed + 1 >= total THEN 'completed' ELSE status END,
               completed_at = CASE WHEN done + failed + 1 >= total THEN now() ELSE completed_at END
        WHERE id = (SELECT job_id FROM killed)
        RETURNING id, tenant_id, callback_url, status`),
      )
      const [job] = rows
      return { dead: Boolean(job), finishedJob: job ? finishedRef(job) : null }
    },

    /**
     * The sweeper's pass over unsettled items:
     * 1. running under an expired lease with `maxAttempts` claims used → dead (counted as failed);
     * 2. running under an expired lease → failed ("lease expired"), to be dispatched again;
     * 3. queued/failed items untouched for `staleMs` (their message was lost) → dispatched again.
     * Rows locked by a concurrent sweeper are skipped, not waited for.
     */
    async sweepStale(options: { staleMs: number; maxAttempts: number; limit: number }) {
      const dead =
        rowsOf<{ n: number }>(
          await db.execute(sql`
        WITH killed AS (
          UPDATE job_items SET status = 'dead', lease_until = NULL, updated_at = now(),
                 last_error = 'lease expired after ' || attempts || ' attempts (worker crashed or timed out)'
          WHERE id IN (SELECT id FROM job_items
                       WHERE status = 'running' AND lease_until < now() AND attempts >= ${options.maxAttempts}
                       LIMIT ${options.limit} FOR UPDATE SKIP LOCKED)
          RETURNING job_id
        ), per_job AS (SELECT job_id, count(*)::int AS n FROM killed GROUP BY job_id),
        counted AS (
          UPDATE jobs SET failed = failed + per_job.n, updated_at = now() FROM per_job WHERE jobs.id = per_job.job_id
        )
        SELECT coalesce(sum(n), 0)::int AS n FROM per_job`),
        )[0]?.n ?? 0

      const redispatch = rowsOf<{ id: string; attempts: number; tenant_id: string }>(
        await db.execute(sql`
        UPDATE job_items SET updated_at = now(),
               status = CASE WHEN status = 'running' THEN 'failed' ELSE status END,
               last_error = CASE WHEN status = 'running' THEN 'lease expired (worker crashed or timed out)' ELSE last_error END,
               lease_until = NULL
        WHERE id IN (SELECT id FROM job_items
                     WHERE (status = 'running' AND lease_until < now())
                        OR (status IN ('queued', 'failed') AND updated_at < now() - make_interval(secs => ${options.staleMs / 1000}))
                     LIMIT ${options.limit} FOR UPDATE SKIP LOCKED)
        RETURNING id, attempts, tenant_id`),
      )
      return { redispatch, dead }
    },

    async queueDepth(): Promise<Record<'queued' | 'running' | 'failed', number>> {
      const rows = await db
        .select({ status: jobItems.status, n: sql<number>`count(*)::int` })
        .from(jobItems)
        .where(inArray(jobItems.status, ['queued', 'running', 'failed']))
        .groupBy(jobItems.status)
      const depth = { queued: 0, running: 0, failed: 0 }
      for (const row of rows) depth[row.status as keyof typeof depth] = row.n
      return depth
    },

    /** Seconds the oldest item still waiting for a worker (queued or failed) has existed; 0 when none waits. */
    async oldestWaitingSeconds(): Promise<number> {
      const [row] = await db
        .select({
          seconds: sql<number>`coalesce(extract(epoch FROM now() - min(${jobItems.createdAt})), 0)::float8`,
        })
        .from(jobItems)
        .where(inArray(jobItems.status, ['queued', 'failed']))
      return row?.seconds ?? 0
    },
  }
  return repository
}

export type JobItemsRepository = ReturnType<typeof createJobItemsRepository>

/** A batch item's result, audited as an evaluation's is (`result.created`), with its job and position. */
function itemAuditEvent(item: ClaimedItem, row: ReturnType<typeof resultRowOf>): AuditEventRecord {
  return auditEventRecord(
    item.tenantId,
    {
      action: row.simulation ? 'result.simulated' : 'result.created',
      target: row.id,
      payload: {
        request_id: row.requestId,
        decisao: row.decisao,
        input_hash: row.inputHash,
        job_id: item.jobId,
        idx: item.idx,
      },
    },
    row.createdAt,
  )
}
