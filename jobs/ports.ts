import type { ClaimedItem } from '../db/repositories/jobs'
import type { EvaluateResponse } from '../engine/index'

/**
 * What the job handlers need from persistence (DESIGN §6). Postgres is the source of truth: an item
 * moves queued → running (claimed under a lease) → done | failed (an attempt failed; it will be
 * retried) → dead (retries exhausted). `attempts` is bumped by every claim and doubles as a fencing
 * token: only the holder of the latest claim may settle the item.
 */

/** A claimed item; `attempts` is the claim's fencing token. Defined once, by the jobs repository. */
export type { ClaimedItem }

export type ClaimOutcome =
  | { claimed: ClaimedItem }
  /** Nothing to do: unknown item, already settled, or another worker holds a live lease. */
  | { skipped: 'missing' | 'done' | 'dead' | 'leased' }

export interface ItemResult {
  requestId: string
  /** Hash of the canonical request, as equivalence_results.input_hash. */
  inputHash: string
  courseId: string | null
  response: EvaluateResponse
  simulation: boolean
  /** The request as evaluated (without request_id), stored with the result. */
  inputs?: Record<string, unknown> | null
}

/** A job whose last item just settled (or that the sweeper found settled). */
export interface FinishedJob {
  id: string
  tenantId: string
  callbackUrl: string | null
}

export interface JobStore {
  claim(itemId: string, leaseMs: number): Promise<ClaimOutcome>
  /** Bulk claim; ids not returned were not claimable (settled, unknown, or leased by someone else). */
  claimMany(itemIds: readonly string[], leaseMs: number): Promise<ClaimedItem[]>
  /**
   * In ONE transaction: insert the result, mark the item done, bump the job's `done` counter (and
   * complete the job when nothing is left). `settled: false` when the claim was lost meanwhile
   * (lease expired and someone else claimed it): nothing is written.
   */
  complete(item: ClaimedItem, result: ItemResult): Promise<{ settled: boolean; finishedJob: FinishedJob | null }>
  /** `complete` for many items in one transaction; `settledIds` are the items whose claim still held. */
  completeMany(entries: ReadonlyArray<{ item: ClaimedItem; result: ItemResult }>): Promise<{ settledIds: Set<string>; finishedJobs: FinishedJob[] }>
  /** The attempt failed; the item is released (`failed`) for the next delivery. */
  recordFailure(item: ClaimedItem, error: string): Promise<void>
  /** Retries exhausted: the item goes dead and counts in the job's `failed`; no-op if already settled. */
  markDead(itemId: string, error: string): Promise<{ dead: boolean; finishedJob: FinishedJob | null }>
  /**
   * Items to hand out again: running with an expired lease, or queued/failed and untouched for
   * `staleMs` (their message was lost). Items that used up `maxAttempts` go dead instead.
   */
  sweepStale(options: { staleMs: number; maxAttempts: number; limit: number }): Promise<{
    redispatch: Array<{ id: string; attempts: number }>
    dead: number
  }>
  /** Jobs whose items have all settled but are not marked completed yet: completes them. */
  completeSettledJobs(): Promise<FinishedJob[]>
  /** Completed jobs with a callback URL that has not been delivered yet and is due (soonest first). */
  pendingCallbacks(limit: number): Promise<FinishedJob[]>
  markCallbackSent(jobId: string): Promise<void>
  /** A delivery run ended without a 2xx: back off before the sweeper tries again. */
  markCallbackFailed(jobId: string): Promise<void>
  /** A job by id (any tenant's: the worker got the id from one of its items). */
  getById(jobId: string): Promise<{ id: string; status: string; total: number; done: number; failed: number; completedAt: Date | null } | null>
  /** Items by state, for the queue-depth gauge. */
  queueDepth(): Promise<Record<'queued' | 'running' | 'failed', number>>
}
