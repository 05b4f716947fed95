import pLimit from 'p-limit'
import type { JobDispatcher, JobHandlers, JobMessage, JobOutcome } from './types'

export interface InProcessDispatcherOptions {
  /** Resolved on first delivery: the handlers need a dispatcher (the sweeper re-dispatches) and vice versa. */
  handlers: () => JobHandlers
  /** Deliveries running at once. @default 4 */
  concurrency?: number
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

/**
 * The embedded default's dispatcher: the same handlers the worker's HTTP routes call, run in this
 * process with QStash's semantics (bounded concurrency, retries with back-off, deduplication, the
 * failure hook after the last attempt). Messages live in memory only; Postgres still holds every
 * item, so after a restart the sweeper re-dispatches whatever was lost.
 */
export function createInProcessDispatcher(options: InProcessDispatcherOptions): InProcessDispatcher {
  const retries = options.retries ?? 3
  const retryDelayMs = options.retryDelayMs ?? ((n: number) => 250 * 2 ** (n - 1))
  const windowMs = options.deduplicationWindowMs ?? 10 * 60_000
  const limit = pLimit(options.concurrency ?? 4)
  const seen = new Map<string, number>()
  let sequence = 0
  let pending = 0
  let waiters: Array<() => void> = []

  const settle = () => {
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

  async function deliver(message: JobMessage, messageId: string): Promise<void> {
    const handlers = options.handlers()
    for (let retried = 0; ; retried++) {
      const outcome: JobOutcome = await limit(() => handlers[message.route](message.body, { retried, messageId })).catch(
        (error: unknown) => ({ status: 'retry', error: error instanceof Error ? error.message : String(error) }) as const,
      )
      if (outcome.status === 'ok') return
      if (outcome.status === 'give-up' || retried >= retries) {
        await handlers.failure({ route: message.route, body: message.body, error: outcome.error })
        return
      }
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(retried + 1)))
    }
  }

  return {
    kind: 'in-process',
    async dispatch(messages) {
      const now = Date.now()
      forgetExpired(now)
      for (const message of messages) {
        if (isDuplicate(message.deduplicationId, now)) continue
        pending++
        const messageId = `local_${++sequence}`
        deliver(message, messageId)
          .catch((error: unknown) => options.onUnhandled?.(error, message))
          .finally(settle)
      }
    },
    idle() {
      if (pending === 0) return Promise.resolve()
      return new Promise<void>((resolve) => waiters.push(resolve))
    },
  }
}
