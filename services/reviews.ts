import type { Review } from '../db/repositories/reviews'
import type { ReviewLabel } from '../db/schema'
import { audited } from './audited'
import type { ServiceContext } from './context'

/** A human review of a stored result; null when the result is not the tenant's. */
export async function createReview({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { tenantId: string; actorKeyId: string; resultId: string; label: ReviewLabel; notes: string | null }
}): Promise<Review | null> {
  const { tenantId, actorKeyId, resultId } = input
  return audited(
    ctx,
    tenantId,
    (repos) => repos.reviews.create(tenantId, { resultId, reviewerKeyId: actorKeyId, label: input.label, notes: input.notes ?? undefined }),
    (v) => (v ? { action: 'review.created', actorKeyId, target: v.id, payload: { result_id: resultId, label: v.label } } : null),
  )
}
