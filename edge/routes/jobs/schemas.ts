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
    /**
     * What went wrong, when something did: the first dead items (index order, at most
     * `MAX_JOB_ERRORS`) with their last error — a delivery error such as "delivery failed after 4
     * attempts: the worker did not answer (workers down or unreachable)", or the item's own (an
     * unknown version). All of them: GET /admin/jobs/dead-letters?job_id=…, or the job's results.
     */
    errors: z.array(z.object({ index: z.number().int(), item_id: z.uuid(), error: z.string().nullable() })),
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

/** Dead items a job status lists. */
export const MAX_JOB_ERRORS = 10

export type JobError = z.infer<typeof JobSchema>['errors'][number]

/** The job's first dead items with their errors (none asked for when nothing failed). */
export async function jobErrors(
  jobItems: { listDead(tenantId: string, filter: { jobId?: string; limit: number }): Promise<Array<{ id: string; idx: number; lastError: string | null }>> },
  job: Pick<Job, 'id' | 'tenantId' | 'failed'>,
): Promise<JobError[]> {
  if (job.failed === 0) return []
  // listDead pages by id; a job has few dead items as a rule, so read a bounded set and order it.
  const dead = await jobItems.listDead(job.tenantId, { jobId: job.id, limit: 500 })
  return dead
    .sort((a, b) => a.idx - b.idx)
    .slice(0, MAX_JOB_ERRORS)
    .map((item) => ({ index: item.idx, item_id: item.id, error: item.lastError }))
}

export function toJob(job: Job, errors: JobError[] = []): z.infer<typeof JobSchema> {
  return {
    job_id: job.id,
    status: jobStatus(job),
    progress: { done: job.done, failed: job.failed, total: job.total },
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    completed_at: job.completedAt?.toISOString() ?? null,
    callback_url: job.callbackUrl,
    errors,
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
