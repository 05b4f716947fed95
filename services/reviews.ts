import type { Review } from '../db/repositories/reviews'
import type { ReviewLabel } from '../db/schema'
import { createRepositories } from '../db/repositories/index'
import { createPrecedentsRepository } from '../db/repositories/precedents'
import { withTransaction } from '../db/transaction'
import { precedentFromReview } from './precedents'
import type { ServiceContext } from './context'

/**
 * A human review of a stored result; null when the result is not the tenant's. The review, its
 * audit event and the precedent it makes (services/precedents.ts: the pair's later evaluations
 * follow it) commit together; a result whose inputs are gone or that was a simulation makes none.
 */
export async function createReview({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { tenantId: string; actorKeyId: string; resultId: string; label: ReviewLabel; notes: string | null; motivo?: string }
}): Promise<Review | null> {
  const { tenantId, actorKeyId, resultId } = input
  return withTransaction(ctx.db, async (tx) => {
    const repos = createRepositories(tx, { apiKeySalt: ctx.apiKeySalt })
    const review = await repos.reviews.create(tenantId, {
      resultId,
      reviewerKeyId: actorKeyId,
      label: input.label,
      notes: input.notes ?? undefined,
      motivo: input.motivo,
    })
    if (!review) return null
    await repos.audit.append(tenantId, {
      action: 'review.created',
      actorKeyId,
      target: review.id,
      payload: { result_id: resultId, label: review.label, motivo: review.motivo },
    })
    const result = await repos.results.get(tenantId, resultId)
    const rule = result && precedentFromReview(result, review)
    if (rule) await createPrecedentsRepository(tx).create(tenantId, rule, actorKeyId)
    return review
  }).then((review) => {
    // The tenant's set of pairs with a rule changed (services/precedents.ts checkPrecedent).
    if (review) ctx.versions.invalidate(tenantId)
    return review
  })
}

/** A result's reviews, oldest first (empty for another tenant's result). */
export function listReviews({ ctx, input }: { ctx: ServiceContext; input: { tenantId: string; resultId: string } }): Promise<Review[]> {
  return ctx.repos.reviews.listByResult(input.tenantId, input.resultId)
}
