import { evaluateItemMessage } from '../messages'
import type { JobDispatcher, JobHandler } from '../types'
import type { FinishedJobRef, JobStore } from '../ports'

export interface SweepDeps {
  store: JobStore
  dispatcher: JobDispatcher
  onFinished: (job: FinishedJobRef) => void
  /** Queued or failed items untouched this long lost their message: dispatch them again. @default 15 min */
  lostAfterMs?: number
  /** Claims an item may use up (crashes and timeouts included) before it goes dead. @default 5 */
  maxAttempts?: number
  /** Items handled per sweep; the next tick takes the rest. @default 1000 */
  batchLimit?: number
  /** The tenants' input-retention purge (services/retention.ts), run on every sweep. */
  purgeInputs?: () => Promise<Record<string, number>>
}

/**
 * `POST /jobs/sweep` (a QStash schedule, the Workers cron trigger, or a timer in the embedded
 * default): re-dispatches items whose lease expired (their worker died) or whose message was lost,
 * completes jobs whose items have all settled, and retries job callbacks that were not delivered.
 */
export function sweepHandler(deps: SweepDeps): JobHandler {
  return async () => {
    const { redispatch, dead } = await deps.store.sweepStale({
      staleMs: deps.lostAfterMs ?? 15 * 60_000,
      maxAttempts: deps.maxAttempts ?? 5,
      limit: deps.batchLimit ?? 1000,
    })
    const now = Date.now()
    await deps.dispatcher.dispatch(redispatch.map((item) => evaluateItemMessage(item.id, now, item.tenant_id)))
    const finished = await deps.store.completeSettledJobs()
    for (const job of [...finished, ...(await deps.store.pendingCallbacks(100))]) deps.onFinished(job)
    const purged = deps.purgeInputs ? Object.values(await deps.purgeInputs()).reduce((n, k) => n + k, 0) : 0
    return { status: 'ok', detail: { redispatched: redispatch.length, dead, finished: finished.length, inputs_purged: purged } }
  }
}
