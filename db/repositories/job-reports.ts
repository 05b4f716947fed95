import { and, desc, eq, sql } from 'drizzle-orm'
import type { Database } from '../client'
import { isUuid } from '../ids'
import { jobs, type JobStatus } from '../schema'

/**
 * Read-only views of a tenant's batch jobs for people: the list the console shows, and each item
 * with its decision and course names in index order, the rows of the CSV export.
 */

export interface JobSummary {
  id: string
  status: JobStatus
  total: number
  done: number
  failed: number
  createdAt: Date
  completedAt: Date | null
}

export interface JobReportRow {
  idx: number
  status: string
  resultId: string | null
  decisao: string | null
  score: number | null
  degraded: boolean | null
  originName: string | null
  targetName: string | null
  justificativa: string | null
  lastError: string | null
}

export function createJobReportsRepository(db: Database) {
  return {
    /** Newest first. */
    async list(tenantId: string, limit = 50): Promise<JobSummary[]> {
      if (!isUuid(tenantId)) return []
      return db
        .select({
          id: jobs.id,
          status: jobs.status,
          total: jobs.total,
          done: jobs.done,
          failed: jobs.failed,
          createdAt: jobs.createdAt,
          completedAt: jobs.completedAt,
        })
        .from(jobs)
        .where(eq(jobs.tenantId, tenantId))
        .orderBy(desc(jobs.createdAt), desc(jobs.id))
        .limit(Math.min(Math.max(1, limit), 500))
    },

    async get(tenantId: string, jobId: string): Promise<JobSummary | null> {
      if (!isUuid(tenantId) || !isUuid(jobId)) return null
      const [row] = await db
        .select({
          id: jobs.id,
          status: jobs.status,
          total: jobs.total,
          done: jobs.done,
          failed: jobs.failed,
          createdAt: jobs.createdAt,
          completedAt: jobs.completedAt,
        })
        .from(jobs)
        .where(and(eq(jobs.tenantId, tenantId), eq(jobs.id, jobId)))
      return row ?? null
    },

    /** Items after index `afterIdx`, in index order, with their result's decision and names. */
    async rows(tenantId: string, jobId: string, page: { afterIdx?: number; limit: number }): Promise<JobReportRow[]> {
      if (!isUuid(tenantId) || !isUuid(jobId)) return []
      const result = await db.execute(sql`
        SELECT i.idx, i.status, i.result_id, r.decisao, r.score, r.degraded, i.last_error,
               coalesce(i.payload->'request'->'origem'->>'nome', i.payload->'request'->'origens'->0->>'nome') AS origin_name,
               i.payload->'request'->'destino'->>'nome' AS target_name,
               r.response->>'justificativa_curta' AS justificativa
          FROM job_items i
          LEFT JOIN equivalence_results r ON r.tenant_id = i.tenant_id AND r.id = i.result_id
         WHERE i.tenant_id = ${tenantId} AND i.job_id = ${jobId} AND i.idx > ${page.afterIdx ?? -1}
         ORDER BY i.idx
         LIMIT ${page.limit}`)
      const rows = (result as unknown as { rows: Record<string, unknown>[] }).rows
      return rows.map((r) => ({
        idx: Number(r.idx),
        status: String(r.status),
        resultId: (r.result_id as string | null) ?? null,
        decisao: (r.decisao as string | null) ?? null,
        score: r.score === null || r.score === undefined ? null : Number(r.score),
        degraded: (r.degraded as boolean | null) ?? null,
        originName: (r.origin_name as string | null) ?? null,
        targetName: (r.target_name as string | null) ?? null,
        justificativa: (r.justificativa as string | null) ?? null,
        lastError: (r.last_error as string | null) ?? null,
      }))
    },
  }
}

export type JobReportsRepository = ReturnType<typeof createJobReportsRepository>
