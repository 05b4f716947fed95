import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import type { Database } from '../client'
import { isUuid } from '../ids'
import { jobItems, jobs } from '../schema'
import { withTransaction } from '../transaction'
import { createAuditRepository } from './audit'

/** Back-off between callback delivery runs that failed: 1 min, doubling, at most hourly. */
export const CALLBACK_BACKOFF = { baseMs: 60_000, maxMs: 3_600_000 }

/**
 * Batch jobs (DESIGN §6): a job with its items is created in one transaction; reads of its progress
 * are tenant-scoped; the worker completes jobs whose items have all settled and tracks the job's
 * callback delivery. Everything about single items (claims, completions, failures, dead letters,
 * the sweep) is in job-items.ts, which also moves the job's counters in the same statements.
 */

export type Job = typeof jobs.$inferSelect

/** A job whose last item just settled (or that the sweeper found settled), for its callback. */
export interface FinishedJobRef {
  id: string
  tenantId: string
  callbackUrl: string | null
}

/** Rows inserted per statement when a job is created (5 parameters a row, far under Postgres's 65,535). */
const INSERT_CHUNK = 2000

export function createJobsRepository(db: Database) {
  return {
    /** Inserts the job and all its items in one transaction; item i gets idx i. */
    async create(
      tenantId: string,
      input: {
        payloads: readonly Record<string, unknown>[]
        callbackUrl: string | null
        createdByKeyId: string | null
        /** Items per INSERT. @default 2000 */
        chunkSize?: number
        /**
         * Awaited between two INSERTs: the batch routes yield to the event loop there, so a
         * 10,000-item job on PGlite (which runs on the caller's thread) does not hold it throughout.
         */
        between?: () => Promise<void>
      },
    ): Promise<{ job: Job; itemIds: string[] }> {
      const chunk = Math.max(1, Math.min(input.chunkSize ?? INSERT_CHUNK, INSERT_CHUNK))
      return withTransaction(db, async (tx) => {
        const [job] = await tx
          .insert(jobs)
          .values({
            tenantId,
            total: input.payloads.length,
            callbackUrl: input.callbackUrl,
            createdByKeyId: input.createdByKeyId,
          })
          .returning()
        const itemIds: string[] = []
        for (let start = 0; start < input.payloads.length; start += chunk) {
          if (start > 0) await input.between?.()
          const rows = input.payloads.slice(start, start + chunk).map((payload, i) => ({
            jobId: job!.id,
            tenantId,
            idx: start + i,
            payload,
          }))
          const inserted = await tx
            .insert(jobItems)
            .values(rows)
            .returning({ id: jobItems.id, idx: jobItems.idx })
          for (const row of inserted) itemIds[row.idx] = row.id
        }
        await createAuditRepository(tx).append(tenantId, {
          action: 'job.created',
          actorKeyId: input.createdByKeyId,
          target: job!.id,
          payload: { total: input.payloads.length, callback: input.callbackUrl !== null },
        })
        return { job: job!, itemIds }
      })
    },

    /** Whether the tenant has ever created a batch (one probe of jobs_tenant_created_idx). */
    async hasAny(tenantId: string): Promise<boolean> {
      if (!isUuid(tenantId)) return false
      const [row] = await db.select({ id: jobs.id }).from(jobs).where(eq(jobs.tenantId, tenantId)).limit(1)
      return row !== undefined
    },

    async get(tenantId: string, jobId: string): Promise<Job | null> {
      if (!isUuid(tenantId) || !isUuid(jobId)) return null
      const [row] = await db
        .select()
        .from(jobs)
        .where(and(eq(jobs.tenantId, tenantId), eq(jobs.id, jobId)))
      return row ?? null
    },

    /** Jobs whose items have all settled but are not marked completed (e.g. after a crash): completes them. */
    async completeSettledJobs(): Promise<FinishedJobRef[]> {
      const rows = await db
        .update(jobs)
        .set({ status: 'completed', completedAt: sql`now()`, updatedAt: sql`now()` })
        .where(and(sql`${jobs.status} <> 'completed'`, sql`${jobs.done} + ${jobs.failed} >= ${jobs.total}`))
        .returning({ id: jobs.id, tenantId: jobs.tenantId, callbackUrl: jobs.callbackUrl })
      return rows
    },

    /** Completed jobs (of the last day) whose callback has not been delivered. */
    /**
     * Completed jobs (of the last day) whose callback is still owed and due: never tried, or past
     * the back-off of their last failed run. Soonest due first, so receivers that keep failing
     * cannot crowd out the others.
     */
    async pendingCallbacks(limit: number): Promise<FinishedJobRef[]> {
      return db
        .select({ id: jobs.id, tenantId: jobs.tenantId, callbackUrl: jobs.callbackUrl })
        .from(jobs)
        .where(
          and(
            sql`${jobs.status} = 'completed' AND ${jobs.callbackUrl} IS NOT NULL AND ${jobs.callbackSentAt} IS NULL`,
            sql`${jobs.completedAt} > now() - interval '1 day'`,
            sql`(${jobs.callbackNextAt} IS NULL OR ${jobs.callbackNextAt} <= now())`,
          ),
        )
        .orderBy(sql`${jobs.callbackNextAt} ASC NULLS FIRST`, asc(jobs.completedAt))
        .limit(limit)
    },

    async markCallbackSent(jobId: string): Promise<void> {
      await db
        .update(jobs)
        .set({ callbackSentAt: sql`now()`, callbackNextAt: null })
        .where(eq(jobs.id, jobId))
    },

    /**
     * A delivery run ended without a 2xx: the next run is due after `min(base × 2^failures, max)`
     * (1, 2, 4 … minutes, then hourly by default) rather than on every sweeper tick.
     */
    async markCallbackFailed(
      jobId: string,
      backoff: { baseMs: number; maxMs: number } = CALLBACK_BACKOFF,
    ): Promise<void> {
      await db
        .update(jobs)
        .set({
          callbackFailures: sql`${jobs.callbackFailures} + 1`,
          callbackNextAt: sql`now() + least(${backoff.baseMs}::float8 * power(2, least(${jobs.callbackFailures}, 30)), ${backoff.maxMs}::float8) * interval '1 millisecond'`,
        })
        .where(and(eq(jobs.id, jobId), isNull(jobs.callbackSentAt)))
    },

    /** Any tenant's job by id: for the worker, which got the id from a finished item. */
    async getById(jobId: string): Promise<Job | null> {
      if (!isUuid(jobId)) return null
      const [row] = await db.select().from(jobs).where(eq(jobs.id, jobId))
      return row ?? null
    },
  }
}

export type JobsRepository = ReturnType<typeof createJobsRepository>
