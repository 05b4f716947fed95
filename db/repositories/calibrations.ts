import { and, desc, eq, isNotNull, sql } from 'drizzle-orm'
import type { Database } from '../client'
import { isUuid } from '../ids'
import { calibrations, equivalenceResults, reviews, type ReviewLabel } from '../schema'

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
}

/** Calibrations of a tenant's scoring thresholds from its reviews (issue 13). */
export function createCalibrationsRepository(db: Database) {
  return {
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

    /** Null when the id is not one of this tenant's calibrations. */
    async get(tenantId: string, id: string): Promise<Calibration | null> {
      if (!isUuid(tenantId) || !isUuid(id)) return null
      const [row] = await db
        .select()
        .from(calibrations)
        .where(and(eq(calibrations.tenantId, tenantId), eq(calibrations.id, id)))
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
        .where(and(eq(calibrations.tenantId, tenantId), eq(calibrations.id, id)))
        .returning()
      return row ?? null
    },

    /**
     * The tenant's real (not simulated) results that a reviewer labelled and whose inputs are still
     * kept, each with its latest review, newest first; one course's when `courseId` is given.
     */
    async reviewedResults(tenantId: string, options: { courseId?: string | null; limit: number }): Promise<ReviewedResult[]> {
      if (!isUuid(tenantId)) return []
      const latest = db
        .selectDistinctOn([reviews.resultId], { resultId: reviews.resultId, label: reviews.label })
        .from(reviews)
        .where(eq(reviews.tenantId, tenantId))
        .orderBy(reviews.resultId, desc(reviews.createdAt), desc(reviews.id))
        .as('latest')
      const rows = await db
        .select({
          resultId: equivalenceResults.id,
          courseId: equivalenceResults.courseId,
          decisao: equivalenceResults.decisao,
          policyVersion: equivalenceResults.policyVersion,
          inputs: equivalenceResults.inputs,
          label: latest.label,
        })
        .from(equivalenceResults)
        .innerJoin(latest, eq(latest.resultId, equivalenceResults.id))
        .where(
          and(
            eq(equivalenceResults.tenantId, tenantId),
            eq(equivalenceResults.simulation, false),
            isNotNull(equivalenceResults.inputs),
            options.courseId ? eq(equivalenceResults.courseId, options.courseId) : sql`true`,
          ),
        )
        .orderBy(desc(equivalenceResults.createdAt), desc(equivalenceResults.id))
        .limit(options.limit)
      return rows.map((r) => ({ ...r, inputs: r.inputs!, label: r.label }))
    },
  }
}

export type CalibrationsRepository = ReturnType<typeof createCalibrationsRepository>
