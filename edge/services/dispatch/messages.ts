import { z } from 'zod'
import type { JobMessage } from './types'

/**
 * Bodies of the job messages: ids only. Postgres holds the work itself, so a message that is
 * replayed, duplicated or read by someone else carries nothing of value.
 */
export const EvaluateItemBody = z.object({ item_id: z.uuid() })
export const BuildTaxonomyIndexBody = z.object({ tenant_id: z.uuid(), taxonomy_version: z.string().min(1).max(100) })

/**
 * The first dispatch of an item is deduplicated by the item id itself (a retried publish is
 * swallowed). A re-dispatch (sweeper, admin requeue) must not be swallowed as a duplicate of it, so
 * it names its moment; two re-dispatches racing are harmless, since a claim admits one holder.
 */
export function evaluateItemMessage(itemId: string, redispatchedAt?: number): JobMessage {
  return {
    route: 'evaluate-item',
    body: { item_id: itemId },
    deduplicationId: redispatchedAt === undefined ? itemId : `${itemId}.${redispatchedAt}`,
  }
}

export function buildTaxonomyIndexMessage(tenantId: string, taxonomyVersion: string): JobMessage {
  return { route: 'build-taxonomy-index', body: { tenant_id: tenantId, taxonomy_version: taxonomyVersion } }
}
