import { z } from 'zod'
import type { Role } from '../services/resolve-versions'
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
export function evaluateItemMessage(itemId: string, redispatchedAt?: number, tenantId?: string): JobMessage {
  return {
    route: 'evaluate-item',
    body: { item_id: itemId },
    deduplicationId: redispatchedAt === undefined ? itemId : `${itemId}.${redispatchedAt}`,
    ...(tenantId === undefined ? {} : { tenantId }),
  }
}

export function buildTaxonomyIndexMessage(tenantId: string, taxonomyVersion: string): JobMessage {
  return { route: 'build-taxonomy-index', body: { tenant_id: tenantId, taxonomy_version: taxonomyVersion }, tenantId }
}

/** A calibration to compute (services/calibrations.ts `runCalibration`): ids only, like every message. */
export const CalibrateBody = z.object({ tenant_id: z.uuid(), calibration_id: z.uuid() })

/** Deduplicated by the calibration id; a re-dispatch by the sweeper names its moment (as items do). */
export function calibrateMessage(tenantId: string, calibrationId: string, redispatchedAt?: number): JobMessage {
  return {
    route: 'calibrate',
    body: { tenant_id: tenantId, calibration_id: calibrationId },
    deduplicationId: redispatchedAt === undefined ? `calibration.${calibrationId}` : `calibration.${calibrationId}.${redispatchedAt}`,
  }
}

/**
 * What a job item stores: the evaluate request exactly as submitted (validated by the batch route)
 * and the role of the key that submitted it, which decides whether an inline policy may count
 * (DESIGN §4: only an admin's, and only as a simulation).
 */
export const BatchItemPayloadSchema = z.object({
  request: z.record(z.string(), z.unknown()),
  role: z.enum(['admin', 'auditor', 'api-client']),
  /** `lenient`: version names are labels (a /v1 batch). @default 'strict' */
  labels: z.enum(['strict', 'lenient']).optional(),
  /** What the submitting wire needs to render the item again (the /v1 labels as sent). */
  wire: z.record(z.string(), z.unknown()).optional(),
  /** Why the item could not be parsed (a /v1 batch takes it all the same): it fails at once, with this error. */
  invalid: z.string().optional(),
})
export type BatchItemPayload = {
  request: Record<string, unknown>
  role: Role
  labels?: 'strict' | 'lenient'
  wire?: Record<string, unknown>
  invalid?: string
}

/** Request id of an item's result: unique per tenant, so a second insert for an item cannot happen. */
export const batchResultRequestId = (jobId: string, idx: number) => `batch:${jobId}:${idx}`
