import { z } from '@hono/zod-openapi'
import { EvaluateResponseSchema } from '../../../engine/index'
import type { ItemView } from '../../../db/repositories/job-items'
import type { Job } from '../../../db/repositories/jobs'

/**
 * Wire shapes of jobs and their items. States are upper case like the rest of the wire contract;
 * a completed job with dead items is `PARTIAL` (requeue them to complete it).
 */
export const JobStatusSchema = z.enum(['QUEUED', 'RUNNING', 'COMPLETED', 'PARTIAL']).openapi('JobStatus')
export const ItemStatusSchema = z.enum(['QUEUED', 'RUNNING', 'DONE', 'FAILED', 'DEAD']).openapi('JobItemStatus')

export const JobSchema = z
  .object({
    job_id: z.uuid(),
    status: JobStatusSchema,
    progress: z.object({ done: z.number().int(), failed: z.number().int(), total: z.number().int() }),
    created_at: z.string(),
    updated_at: z.string(),
    completed_at: z.string().nullable(),
    callback_url: z.string().nullable(),
  })
  .openapi('Job')

export const JobItemSchema = z
  .object({
    index: z.number().int(),
    item_id: z.uuid(),
    status: ItemStatusSchema,
    attempts: z.number().int(),
    /** The decision, once the item is done. */
    result: EvaluateResponseSchema.nullable(),
    /** The last error: of the attempt that failed (FAILED, retried) or of the last one (DEAD). */
    error: z.string().nullable(),
  })
  .openapi('JobItem')

export const JobIdParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) })

export function jobStatus(job: Pick<Job, 'status' | 'failed'>): z.infer<typeof JobStatusSchema> {
  if (job.status === 'completed') return job.failed > 0 ? 'PARTIAL' : 'COMPLETED'
  return job.status === 'running' ? 'RUNNING' : 'QUEUED'
}

export function toJob(job: Job): z.infer<typeof JobSchema> {
  return {
    job_id: job.id,
    status: jobStatus(job),
    progress: { done: job.done, failed: job.failed, total: job.total },
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    completed_at: job.completedAt?.toISOString() ?? null,
    callback_url: job.callbackUrl,
  }
}

export function toJobItem(item: ItemView): z.infer<typeof JobItemSchema> {
  return {
    index: item.idx,
    item_id: item.id,
    status: item.status.toUpperCase() as z.infer<typeof ItemStatusSchema>,
    attempts: item.attempts,
    result: (item.response as z.infer<typeof EvaluateResponseSchema> | null) ?? null,
    error: item.status === 'done' ? null : item.lastError,
  }
}
