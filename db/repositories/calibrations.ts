import { and, asc, desc, eq, gt, isNotNull, lte, sql } from 'drizzle-orm'
import type { Database } from '../client'
import { isUuid } from '../ids'
import { calibrations, equivalenceResults, reviews, type CalibrationThresholds, type ReviewLabel } from '../schema'

export type Calibration = typeof calibrations.$inferSelect

/** A stored result with its latest review: what a calibration learns from. */
export interface ReviewedResult {
  resultId: string
  courseId: string | null
  decisao: string
  policyVersion: string
  /** The request as evaluated (null rows, purged by retention, are not returned). */
  inputs: Record<string, unknown>
  label: ReviewLabel
  /** When the latest review was recorded. */
  reviewedAt: Date
}

/** Engine decision (as stored) against the reviewer's, per calendar month (UTC) of the latest review. */
export interface MonthlyAgreement {
  /** `YYYY-MM`. */
  month: string
  /** Reviewed results whose latest review falls in the month. */
  reviewed: number
  /** Those the engine had decided by itself (DEFERIDO or INDEFERIDO). */
  automatic: number
  /** Those whose engine decision equals the review. */
  agreed: number
}

/** drizzle's `execute` answers in each driver's own shape; all of them carry `rows`. */
function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? (result as T[])) as T[]
}

/**
 * Calibrations of a tenant's scoring thresholds from its reviews (issue 13). A calibration is also a
 * job (`job_status`): queued when asked for, claimed under a lease by the worker or the in-process
 * runner (`attempts` is the claim's fencing token), done with its thresholds and report, or failed.
 */
export function createCalibrationsRepository(db: Database) {
  const byId = (tenantId: string, id: string) => and(eq(calibrations.tenantId, tenantId), eq(calibrations.id, id))
  /** The latest review of each of the tenant's results, recorded at or before `cutoff`. */
  const latestReviews = (tenantId: string, cutoff: Date | null, after: string | null) =>
    db
      .selectDistinctOn([reviews.resultId], { resultId: reviews.resultId, label: reviews.label, reviewedAt: reviews.createdAt })
      .from(reviews)
      .where(
        and(
          eq(reviews.tenantId, tenantId),
          cutoff ? lte(reviews.createdAt, cutoff) : sql`true`,
          after ? gt(reviews.resultId, after) : sql`true`,
        ),
      )
      .orderBy(reviews.resultId, desc(reviews.createdAt), desc(reviews.id))
      .as('latest')
  const reviewedWhere = (tenantId: string, courseId: string | null | undefined) =>
    and(
      eq(equivalenceResults.tenantId, tenantId),
      eq(equivalenceResults.simulation, false),
      isNotNull(equivalenceResults.inputs),
      courseId ? eq(equivalenceResults.courseId, courseId) : sql`true`,
    )

  return {
    /** A calibration row as given (rows written before calibrations were jobs are `done`). */
    async create(
      tenantId: string,
      input: Pick<Calibration, 'courseId' | 'basePolicyVersion' | 'params' | 'thresholds' | 'report'>,
    ): Promise<Calibration> {
      const [row] = await db
        .insert(calibrations)
        .values({ tenantId, ...input })
        .returning()
      return row!
    },

    /** A calibration asked for and not yet computed. */
    async enqueue(
      tenantId: string,
      input: Pick<Calibration, 'courseId' | 'basePolicyVersion' | 'params' | 'requestedBy'>,
    ): Promise<Calibration> {
      const [row] = await db
        .insert(calibrations)
        .values({ tenantId, ...input, jobStatus: 'queued', thresholds: null, report: null })
        .returning()
      return row!
    },

    /** Null when the id is not one of this tenant's calibrations. */
    async get(tenantId: string, id: string): Promise<Calibration | null> {
      if (!isUuid(tenantId) || !isUuid(id)) return null
      const [row] = await db.select().from(calibrations).where(byId(tenantId, id))
      return row ?? null
    },

    async list(tenantId: string, limit = 100): Promise<Calibration[]> {
      if (!isUuid(tenantId)) return []
      return db
        .select()
        .from(calibrations)
        .where(eq(calibrations.tenantId, tenantId))
        .orderBy(desc(calibrations.createdAt), desc(calibrations.id))
        .limit(limit)
    },

    async markActivated(tenantId: string, id: string, policyVersion: string, at: Date): Promise<Calibration | null> {
      if (!isUuid(tenantId) || !isUuid(id)) return null
      const [row] = await db
        .update(calibrations)
        .set({ status: 'ativada', activatedPolicyVersion: policyVersion, activatedAt: at })
        .where(byId(tenantId, id))
        .returning()
      return row ?? null
    },

    /**
     * Takes the calibration under a lease if it is queued or running under an expired lease
     * (`attempts + 1`). Null: unknown, settled, or someone else's live claim.
     */
    async claim(tenantId: string, id: string, leaseMs: number): Promise<Calibration | null> {
      if (!isUuid(tenantId) || !isUuid(id)) return null
      const [row] = await db
        .update(calibrations)
        .set({
          jobStatus: 'running',
          attempts: sql`${calibrations.attempts} + 1`,
          leaseUntil: sql`now() + make_interval(secs => ${leaseMs / 1000})`,
          startedAt: sql`coalesce(${calibrations.startedAt}, now())`,
          updatedAt: sql`now()`,
        })
        .where(
          and(
            byId(tenantId, id),
            sql`(${calibrations.jobStatus} = 'queued' OR (${calibrations.jobStatus} = 'running' AND ${calibrations.leaseUntil} < now()))`,
          ),
        )
        .returning()
      return row ?? null
    },

    /** Extends a running claim's lease (a long calibration renews it page by page); false when the claim was lost. */
    async renewLease(tenantId: string, id: string, attempts: number, leaseMs: number): Promise<boolean> {
      const rows = await db
        .update(calibrations)
        .set({ leaseUntil: sql`now() + make_interval(secs => ${leaseMs / 1000})`, updatedAt: sql`now()` })
        .where(and(byId(tenantId, id), eq(calibrations.jobStatus, 'running'), eq(calibrations.attempts, attempts)))
        .returning({ id: calibrations.id })
      return rows.length > 0
    },

    /** Stores the outcome if the claim `attempts` still holds; null when another claim took over. */
    async complete(
      tenantId: string,
      id: string,
      attempts: number,
      outcome: { thresholds: CalibrationThresholds; report: Record<string, unknown> },
    ): Promise<Calibration | null> {
      const [row] = await db
        .update(calibrations)
        .set({ ...outcome, jobStatus: 'done', leaseUntil: null, lastError: null, finishedAt: sql`now()`, updatedAt: sql`now()` })
        .where(and(byId(tenantId, id), eq(calibrations.jobStatus, 'running'), eq(calibrations.attempts, attempts)))
        .returning()
      return row ?? null
    },

    /**
     * An attempt failed: back to `queued` for the next one, or `failed` for good when `final`.
     * Only the claim `attempts` may say so (null attempts: whoever holds it, the dead-letter hook).
     */
    async recordFailure(tenantId: string, id: string, attempts: number | null, error: string, final: boolean): Promise<Calibration | null> {
      if (!isUuid(tenantId) || !isUuid(id)) return null
      const [row] = await db
        .update(calibrations)
        .set({
          jobStatus: final ? 'failed' : 'queued',
          leaseUntil: null,
          lastError: error.slice(0, 2000),
          finishedAt: final ? sql`now()` : null,
          updatedAt: sql`now()`,
        })
        .where(
          and(
            byId(tenantId, id),
            sql`${calibrations.jobStatus} IN ('queued', 'running')`,
            attempts === null ? sql`true` : eq(calibrations.attempts, attempts),
          ),
        )
        .returning()
      return row ?? null
    },

    /**
     * Every tenant's calibrations that lost their message or their worker: queued and untouched for
     * `lostAfterMs`, or running under an expired lease. Oldest first.
     */
    async unsettled(options: { lostAfterMs: number; limit: number }): Promise<Pick<Calibration, 'id' | 'tenantId' | 'attempts' | 'jobStatus'>[]> {
      return db
        .select({ id: calibrations.id, tenantId: calibrations.tenantId, attempts: calibrations.attempts, jobStatus: calibrations.jobStatus })
        .from(calibrations)
        .where(
          sql`${calibrations.jobStatus} IN ('queued', 'running') AND ((${calibrations.jobStatus} = 'queued' AND ${calibrations.updatedAt} <= now() - make_interval(secs => ${options.lostAfterMs / 1000})) OR (${calibrations.jobStatus} = 'running' AND ${calibrations.leaseUntil} < now()))`,
        )
        .orderBy(asc(calibrations.updatedAt))
        .limit(options.limit)
    },

    /** Marks a re-dispatch (so a queued one is not handed out again on every sweep). */
    async touch(tenantId: string, id: string): Promise<void> {
      await db.update(calibrations).set({ updatedAt: sql`now()` }).where(and(byId(tenantId, id), eq(calibrations.jobStatus, 'queued')))
    },

    /** Reviewed results (real, inputs kept) of the tenant, or of one course; what a calibration needs at least. */
    async countReviewed(tenantId: string, options: { courseId?: string | null } = {}): Promise<number> {
      if (!isUuid(tenantId)) return 0
      const latest = latestReviews(tenantId, null, null)
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(equivalenceResults)
        .innerJoin(latest, eq(latest.resultId, equivalenceResults.id))
        .where(reviewedWhere(tenantId, options.courseId))
      return row?.n ?? 0
    },

    /**
     * One page of the tenant's real results that a reviewer labelled (latest review at or before
     * `cutoff`) and whose inputs are still kept, each with that latest review; one course's when
     * `courseId` is given. The page is the next `limit` reviewed result ids (of the course) after
     * `after` (an index range on reviews, so a page costs the same at the start and the end):
     * results filtered out (simulations, purged inputs) leave it shorter. Continue from `next` until null.
     */
    async reviewedPage(
      tenantId: string,
      options: { courseId?: string | null; cutoff: Date; after: string | null; limit: number },
    ): Promise<{ rows: ReviewedResult[]; next: string | null }> {
      if (!isUuid(tenantId)) return { rows: [], next: null }
      const result = await db.execute(sql`
        WITH ids AS (
          SELECT DISTINCT v.result_id FROM reviews v
          ${options.courseId ? sql`JOIN equivalence_results c ON c.tenant_id = v.tenant_id AND c.id = v.result_id AND c.course_id = ${options.courseId}` : sql``}
          WHERE v.tenant_id = ${tenantId} AND v.created_at <= ${options.cutoff}
            ${options.after ? sql`AND v.result_id > ${options.after}` : sql``}
          ORDER BY v.result_id
          LIMIT ${options.limit}
        )
        SELECT ids.result_id AS scanned, r.id AS result_id, r.course_id, r.decisao, r.policy_version, r.inputs, l.label, l.created_at AS reviewed_at
        FROM ids
        LEFT JOIN equivalence_results r
          ON r.tenant_id = ${tenantId} AND r.id = ids.result_id AND r.simulation = false AND r.inputs IS NOT NULL
             ${options.courseId ? sql`AND r.course_id = ${options.courseId}` : sql``}
        LEFT JOIN LATERAL (
          SELECT v.label, v.created_at FROM reviews v
          WHERE v.tenant_id = ${tenantId} AND v.result_id = ids.result_id AND v.created_at <= ${options.cutoff}
          ORDER BY v.created_at DESC, v.id DESC
          LIMIT 1
        ) l ON true
        ORDER BY ids.result_id`)
      type Row = {
        scanned: string
        result_id: string | null
        course_id: string | null
        decisao: string
        policy_version: string
        inputs: Record<string, unknown> | string | null
        label: ReviewLabel
        reviewed_at: Date | string
      }
      const scanned = rowsOf<Row>(result)
      const rows = scanned
        .filter((r) => r.result_id !== null && r.inputs !== null)
        .map((r) => ({
          resultId: r.result_id!,
          courseId: r.course_id,
          decisao: r.decisao,
          policyVersion: r.policy_version,
          inputs: (typeof r.inputs === 'string' ? JSON.parse(r.inputs) : r.inputs) as Record<string, unknown>,
          label: r.label,
          reviewedAt: new Date(r.reviewed_at),
        }))
      return { rows, next: scanned.length < options.limit ? null : scanned[scanned.length - 1]!.scanned }
    },

    /**
     * Engine vs reviewer per month of the latest review, newest month first, over the tenant's (or
     * one course's) reviewed real results — whether or not their inputs are still kept.
     */
    async agreementByMonth(tenantId: string, options: { courseId?: string | null; months: number }): Promise<MonthlyAgreement[]> {
      if (!isUuid(tenantId)) return []
      const latest = latestReviews(tenantId, null, null)
      const month = sql<string>`to_char(date_trunc('month', ${latest.reviewedAt} AT TIME ZONE 'UTC'), 'YYYY-MM')`
      const rows = await db
        .select({
          month,
          reviewed: sql<number>`count(*)::int`,
          automatic: sql<number>`count(*) FILTER (WHERE ${equivalenceResults.decisao} <> 'ANALISE_HUMANA')::int`,
          agreed: sql<number>`count(*) FILTER (WHERE ${equivalenceResults.decisao} = ${latest.label})::int`,
        })
        .from(equivalenceResults)
        .innerJoin(latest, eq(latest.resultId, equivalenceResults.id))
        .where(
          and(
            eq(equivalenceResults.tenantId, tenantId),
            eq(equivalenceResults.simulation, false),
            options.courseId ? eq(equivalenceResults.courseId, options.courseId) : sql`true`,
          ),
        )
        .groupBy(month)
        .orderBy(desc(month))
        .limit(options.months)
      return rows
    },
  }
}

export type CalibrationsRepository = ReturnType<typeof createCalibrationsRepository>
