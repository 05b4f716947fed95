import type { Delivery, JobDispatcher, JobHandlers, JobMessage, JobOutcome } from '../types'
import { describeError } from '../../services/logger'
import { yieldToEventLoop } from '../../services/event-loop'

export interface InProcessDispatcherOptions {
  /** Resolved on first delivery: the handlers need a dispatcher (the sweeper re-dispatches) and vice versa. */
  handlers: () => JobHandlers
  /** Deliveries running at once. @default 4 */
  concurrency?: number
  /**
   * Evaluate-item messages one delivery may take together when the handlers offer the bulk form
   * (one claim and one commit for all of them; outcomes stay per message). @default 25
   */
  batchSize?: number
  /** Attempts after the first, as QStash's Upstash-Retries. @default 3 */
  retries?: number
  /** Wait before retry number `retried` (1-based), in ms. @default (n) => 250 * 2 ** (n - 1) */
  retryDelayMs?: (retried: number) => number
  /** How long a deduplication id is remembered. @default 10 minutes (as QStash) */
  deduplicationWindowMs?: number
  /** A failure handler that itself throws has nowhere left to go: it is reported here. */
  onUnhandled?: (error: unknown, message: JobMessage) => void
}

export type InProcessDispatcher = JobDispatcher & {
  /** Resolves when nothing is queued, running or waiting to retry. */
  idle(): Promise<void>
}

interface Pending {
  message: JobMessage
  delivery: Delivery
}

/**
 * The embedded default's dispatcher: the same handlers the worker's HTTP routes call, run in this
 * process with QStash's semantics (bounded concurrency, retries with back-off, deduplication, the
 * failure hook after the last attempt). Messages live in memory only; Postgres still holds every
 * item, so after a restart the sweeper re-dispatches whatever was lost.
 */
export function createInProcessDispatcher(options: InProcessDispatcherOptions): InProcessDispatcher {
  const concurrency = options.concurrency ?? 4
  const batchSize = options.batchSize ?? 25
  const retries = options.retries ?? 3
  const retryDelayMs = options.retryDelayMs ?? ((n: number) => 250 * 2 ** (n - 1))
  const windowMs = options.deduplicationWindowMs ?? 10 * 60_000
  const seen = new Map<string, number>()
  const queue: Pending[] = []
  let active = 0
  let sequence = 0
  /** Messages accepted and not yet settled (delivered ok, or handed to the failure hook). */
  let pending = 0
  let waiters: Array<() => void> = []

  const settleOne = () => {
    pending--
    if (pending > 0) return
    const wake = waiters
    waiters = []
    for (const resolve of wake) resolve()
  }

  const isDuplicate = (id: string | undefined, now: number): boolean => {
    if (!id) return false
    const at = seen.get(id)
    if (at !== undefined && now - at < windowMs) return true
    seen.set(id, now)
    return false
  }

  const forgetExpired = (now: number) => {
    // Map iteration follows insertion order, so the oldest ids come first.
    for (const [id, at] of seen) {
      if (now - at < windowMs) break
      seen.delete(id)
    }
  }

  /** Takes the next delivery: one message, or a run of evaluate-item messages for the bulk handler. */
  function take(handlers: JobHandlers): Pending[] {
    const first = queue.shift()!
    if (first.message.route !== 'evaluate-item' || !handlers.evaluateItems) return [first]
    const batch = [first]
    while (batch.length < batchSize && queue[0]?.message.route === 'evaluate-item') batch.push(queue.shift()!)
    return batch
  }

  function pump() {
    const handlers = options.handlers()
    while (active < concurrency && queue.length > 0) {
      const batch = take(handlers)
      active++
      void run(handlers, batch).finally(() => {
        active--
        pump()
      })
    }
  }

  async function run(handlers: JobHandlers, batch: Pending[]): Promise<void> {
    // Each delivery starts on a fresh turn of the event loop. Without it a run of deliveries whose
    // database answers through promises alone (PGlite, in this very thread) is one unbroken chain
    // of microtasks: sockets, timers and every other request wait until the whole batch is done.
    await yieldToEventLoop()
    let outcomes: JobOutcome[]
    try {
      outcomes =
        batch.length > 1 && handlers.evaluateItems
          ? await handlers.evaluateItems(
              batch.map((p) => p.message.body),
              batch.map((p) => p.delivery),
            )
          : [await handlers[batch[0]!.message.route](batch[0]!.message.body, batch[0]!.delivery)]
    } catch (error) {
      // A failed query's message is its statement and parameters: the redacted description (which
      // names the driver's own error, e.g. a lost connection) is what travels on.
      const text = describeError(error).error
      outcomes = batch.map(() => ({ status: 'retry', error: text }))
    }
    await Promise.all(batch.map((entry, i) => conclude(handlers, entry, outcomes[i] ?? { status: 'retry', error: 'no outcome' })))
  }

  async function conclude(handlers: JobHandlers, entry: Pending, outcome: JobOutcome): Promise<void> {
    if (outcome.status === 'ok') return settleOne()
    if (outcome.status === 'give-up' || entry.delivery.retried >= retries) {
      try {
        await handlers.failure({ route: entry.message.route, body: entry.message.body, error: outcome.error })
      } catch (error) {
        options.onUnhandled?.(error, entry.message)
      }
      return settleOne()
    }
    const retried = entry.delivery.retried + 1
    setTimeout(() => {
      queue.push({ message: entry.message, delivery: { ...entry.delivery, retried } })
      pump()
    }, retryDelayMs(retried))
  }

  return {
    kind: 'in-process',
    async dispatch(messages) {
      const now = Date.now()
      forgetExpired(now)
      for (const message of messages) {
        if (isDuplicate(message.deduplicationId, now)) continue
        pending++
        queue.push({ message, delivery: { retried: 0, messageId: `local_${++sequence}` } })
      }
      pump()
    },
    idle() {
      if (pending === 0) return Promise.resolve()
      return new Promise<void>((resolve) => waiters.push(resolve))
    },
  }
}
