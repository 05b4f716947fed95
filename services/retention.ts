import { createReviewQueueRepository } from '../db/repositories/review-queue'
import type { ServiceContext } from './context'

const DAY_MS = 86_400_000

/**
 * The input-retention purge: for every tenant with `input_retention_days`, the inputs (course
 * names and syllabi) of results older than that are removed; decisions, responses, hashes and the
 * audit chain stay, and each purge is itself an audit event. Idempotent, cheap when nothing is
 * due; run by the sweeper (every transport's schedule). Returns the rows purged per tenant.
 */
export async function purgeExpiredInputs(ctx: Pick<ServiceContext, 'db' | 'clock'>): Promise<Record<string, number>> {
  const queue = createReviewQueueRepository(ctx.db)
  const now = ctx.clock().getTime()
  const purged: Record<string, number> = {}
  for (const { tenantId, days } of await queue.tenantsWithRetention()) {
    const n = await queue.purgeInputs(tenantId, new Date(now - days * DAY_MS))
    if (n) purged[tenantId] = n
  }
  return purged
}
