import { and, asc, eq, sql } from 'drizzle-orm'
import type { Database } from '../client'
import { DataError, FOREIGN_KEY_VIOLATION, pgErrorCode } from '../errors'
import { isUuid } from '../ids'
import { equivalenceResults, reviews, type ReviewLabel } from '../schema'

export type Review = typeof reviews.$inferSelect

/** Human labels on stored results (the ground truth the engine is measured against). */
export function createReviewsRepository(db: Database) {
  return {
    /** Null when the result is not this tenant's. */
    async create(
      tenantId: string,
      input: { resultId: string; reviewerKeyId?: string | null; label: ReviewLabel; notes?: string; motivo?: string },
    ): Promise<Review | null> {
      if (!isUuid(tenantId) || !isUuid(input.resultId)) return null
      if (input.reviewerKeyId && !isUuid(input.reviewerKeyId)) return null
      try {
        // INSERT ... SELECT from the tenant's own result: no row there, nothing inserted.
        const [row] = await db
          .insert(reviews)
          .select(
            sql`SELECT gen_random_uuid(), ${tenantId}::uuid, ${equivalenceResults.id}, ${input.reviewerKeyId ?? null}::uuid,
                       ${input.label}, ${input.notes ?? ''}, now(), ${input.motivo ?? ''}
                FROM ${equivalenceResults}
                WHERE ${equivalenceResults.tenantId} = ${tenantId} AND ${equivalenceResults.id} = ${input.resultId}`,
          )
          .returning()
        return row ?? null
      } catch (err) {
        // The reviewer key must be the tenant's too (composite foreign key).
        if (pgErrorCode(err) === FOREIGN_KEY_VIOLATION)
          throw new DataError('INVALID_STATE', 'reviewer key not found')
        throw err
      }
    },

    /** A result's reviews, oldest first. */
    async listByResult(tenantId: string, resultId: string): Promise<Review[]> {
      if (!isUuid(tenantId) || !isUuid(resultId)) return []
      return db
        .select()
        .from(reviews)
        .where(and(eq(reviews.tenantId, tenantId), eq(reviews.resultId, resultId)))
        .orderBy(asc(reviews.createdAt), asc(reviews.id))
    },
  }
}

export type ReviewsRepository = ReturnType<typeof createReviewsRepository>
