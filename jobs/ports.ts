import type { JobsRepository } from '../db/repositories/jobs'

/**
 * What the job handlers use of Postgres (DESIGN §6): a `Pick<>` of the jobs repository, not a
 * restatement, so its documentation and types are the repository's. Postgres is the source of
 * truth: an item moves queued → running (claimed under a lease) → done | failed (an attempt failed;
 * it will be retried) → dead (retries exhausted). `attempts` is bumped by every claim and doubles
 * as a fencing token: only the holder of the latest claim may settle the item.
 */
export type JobStore = Pick<
  JobsRepository,
  | 'claim'
  | 'claimMany'
  | 'complete'
  | 'completeMany'
  | 'recordFailure'
  | 'markDead'
  | 'sweepStale'
  | 'completeSettledJobs'
  | 'pendingCallbacks'
  | 'markCallbackSent'
  | 'markCallbackFailed'
  | 'getById'
  | 'queueDepth'
>

export type { ClaimedItem, FinishedJobRef } from '../db/repositories/jobs'
export type { NewResult } from '../db/repositories/results'
