import type { JobDispatcher } from '../dispatch/types'

/** Job states as stored (DESIGN §6). */
export type JobState = 'queued' | 'running' | 'completed'
export type ItemState = 'queued' | 'running' | 'done' | 'failed' | 'dead'

export type JobRecord = {
  id: string
  tenantId: string
  status: JobState
  total: number
  done: number
  failed: number
  callbackUrl: string | null
  createdAt: Date
  updatedAt: Date
  completedAt: Date | null
}

export type ItemRecord = {
  id: string
  idx: number
  status: ItemState
  attempts: number
  lastError: string | null
  updatedAt: Date
  /** The stored EvaluateResponse once the item is done. */
  response: Record<string, unknown> | null
}

export type DeadItemRecord = {
  id: string
  jobId: string
  idx: number
  attempts: number
  lastError: string | null
  updatedAt: Date
}

/** What the batch and job routes need from persistence (db/repositories/jobs.ts implements it). */
export interface BatchJobs {
  create(
    tenantId: string,
    input: { payloads: readonly Record<string, unknown>[]; callbackUrl: string | null; createdByKeyId: string | null },
  ): Promise<{ job: JobRecord; itemIds: string[] }>
  get(tenantId: string, jobId: string): Promise<JobRecord | null>
  listItems(tenantId: string, jobId: string, page?: { afterIdx?: number; limit?: number }): Promise<ItemRecord[]>
  listDead(tenantId: string, filter: { jobId?: string; afterId?: string; limit: number }): Promise<DeadItemRecord[]>
  requeueDead(tenantId: string, target: { jobId: string; itemId?: string }, actorKeyId?: string | null): Promise<string[]>
}

/** Everything the batch, job and dead-letter routes use; handed to `registerBatchRoutes`. */
export interface BatchServices {
  jobs: BatchJobs
  dispatcher: JobDispatcher
  /** The tenant's job-callback signing secret (callback-signature.ts). */
  callbackSecret: (tenantId: string) => Promise<string>
  /** Largest batch accepted. @default 10000 */
  maxItems?: number
}
