import type { JobItemsRepository } from '../db/repositories/job-items'
import type { JobsRepository } from '../db/repositories/jobs'

/**
 * What the job handlers use of Postgres (DESIGN §6): a `Pick<>` of the jobs repository, not a
 * restatement, so its documentation and types are the repositories' (job-items.ts, jobs.ts). Postgres is the source of
 * truth: an item moves queued → running (claimed under a lease) → done | failed (an attempt failed;
 * it will be retried) → dead (retries exhausted). `attempts` is bumped by every claim and doubles
 * as a fencing token: only the holder of the latest claim may settle the item.
 */
export type JobStore = Pick<
  JobItemsRepository,
  'claim' | 'claimMany' | 'complete' | 'completeMany' | 'recordFailure' | 'markDead' | 'sweepStale' | 'queueDepth'
> &
  Pick<JobsRepository, 'completeSettledJobs' | 'pendingCallbacks' | 'markCallbackSent' | 'markCallbackFailed' | 'getById'>

export type { ClaimedItem } from '../db/repositories/job-items'
export type { FinishedJobRef } from '../db/repositories/jobs'
export type { NewResult } from '../db/repositories/results'
