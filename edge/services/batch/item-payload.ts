import { z } from 'zod'
import type { Role } from '../../store'

/**
 * What a job item stores: the evaluate request exactly as submitted (validated by the batch route)
 * and the role of the key that submitted it, which decides whether an inline policy may count
 * (DESIGN §4: only an admin's, and only as a simulation).
 */
export const BatchItemPayloadSchema = z.object({
  request: z.record(z.string(), z.unknown()),
  role: z.enum(['admin', 'auditor', 'api-client']),
})
export type BatchItemPayload = { request: Record<string, unknown>; role: Role }

/** Request id of an item's result: unique per tenant, so a second insert for an item cannot happen. */
export const batchResultRequestId = (jobId: string, idx: number) => `batch:${jobId}:${idx}`
