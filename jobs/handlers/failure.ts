import { isConnectionError } from '../../db/errors'
import { redactErrorText } from '../../services/logger'
import { EvaluateItemBody } from '../messages'
import type { JobHandlers } from '../types'
import type { FinishedJobRef, JobStore } from '../ports'

export interface FailureDeps {
  store: Pick<JobStore, 'markDead'>
  onFinished: (job: FinishedJobRef) => void
  onDead?: (route: string) => void
  log: (message: string, fields: Record<string, unknown>) => void
}

/**
 * The dead-letter hook: QStash's failure callback (or the in-process dispatcher after its last
 * retry). An item goes dead with the last error (redacted: it is shown to the tenant) and counts
 * in its job's `failed` — unless the error was the database going away; other messages
 * (sweeps, index builds) are only logged — the next schedule tick runs them again.
 */
export function failureHandler(deps: FailureDeps): JobHandlers['failure'] {
  return async ({ route, body, error }) => {
    deps.onDead?.(route)
    if (route !== 'evaluate-item') {
      deps.log('job message failed for good', { route, error })
      return
    }
    const parsed = EvaluateItemBody.safeParse(body)
    if (!parsed.success) {
      deps.log('failure callback for a malformed evaluate-item message', { error })
      return
    }
    // Retries used up on a database outage say nothing against the item: it stays as it is
    // (queued, or running until its lease runs out) and the sweeper hands it out again, instead
    // of going dead for an operator to requeue.
    if (isConnectionError(new Error(error))) {
      deps.log('evaluate-item gave up during a database outage; the sweeper will retry it', { item_id: parsed.data.item_id, error })
      return
    }
    const { finishedJob } = await deps.store.markDead(parsed.data.item_id, redactErrorText(error))
    if (finishedJob) deps.onFinished(finishedJob)
  }
}
