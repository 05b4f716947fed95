import { createInProcessDispatcher, type InProcessDispatcherOptions, type InProcessDispatcher } from './dispatchers/in-process'
import { evaluateItemMessage } from './messages'
import { createJobRuntime, type JobRuntime, type JobRuntimeOptions } from './runtime'
import type { JobHandlers } from './types'

export interface EmbeddedJobsOptions extends Omit<JobRuntimeOptions, 'dispatcher'> {
  /** In-process deliveries at once. @default 4 */
  concurrency?: number
  /** Evaluate-item messages one delivery takes together (one claim, one commit). @default 25 */
  batchSize?: InProcessDispatcherOptions['batchSize']
  retries?: InProcessDispatcherOptions['retries']
  retryDelayMs?: InProcessDispatcherOptions['retryDelayMs']
  /** How often the sweeper runs; null = never on its own (tests and benchmarks call it). @default 30000 */
  sweepEveryMs?: number | null
  /** Hand out, at start, every item a previous run of this process left unsettled. @default true */
  recoverAtStart?: boolean
}

export interface EmbeddedJobs {
  dispatcher: InProcessDispatcher
  runtime: JobRuntime
  /** Resolves when no message is queued, running or waiting to retry, and no callback is in flight. */
  idle(): Promise<void>
  /** Stops the sweeper timer and waits for the work in hand. */
  stop(): Promise<void>
}

/**
 * The job handlers behind the in-process dispatcher: the embedded default of the Node entry
 * (no QStash, no worker containers), and the one wiring the tests and bench/batch.ts use. A timer
 * plays the sweeper's schedule; its first tick, at start, picks up items a previous run left.
 */
export function createEmbeddedJobs(options: EmbeddedJobsOptions): EmbeddedJobs {
  const log = options.log ?? (() => undefined)
  const late: { handlers?: JobHandlers } = {}
  const dispatcher = createInProcessDispatcher({
    handlers: () => late.handlers!,
    concurrency: options.concurrency ?? 4,
    batchSize: options.batchSize,
    retries: options.retries,
    retryDelayMs: options.retryDelayMs,
    onUnhandled: (error) => log('job failure hook failed', { error: String(error) }),
  })
  const runtime = createJobRuntime({ ...options, dispatcher })
  late.handlers = runtime.handlers

  const sweep = () =>
    void runtime.handlers.sweep({}, { retried: 0, messageId: 'embedded-sweep' }).catch((err: unknown) =>
      log('sweep failed', { error: err instanceof Error ? err.message : String(err) }),
    )
  if (options.recoverAtStart ?? true) {
    // In-process messages die with the process: at start, every unsettled item of a previous run is
    // orphaned, so hand them all out again now instead of after the usual "lost message" delay.
    void (async () => {
      const { redispatch } = await options.services.repos.jobItems.sweepStale({ staleMs: 0, maxAttempts: 5, limit: 100_000 })
      const now = Date.now()
      await dispatcher.dispatch(redispatch.map((item) => evaluateItemMessage(item.id, now)))
    })()
      .catch((err: unknown) => log('start-up re-dispatch failed', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        if (options.sweepEveryMs !== null) sweep()
      })
  }
  const sweepEveryMs = options.sweepEveryMs === undefined ? 30_000 : options.sweepEveryMs
  const timer = sweepEveryMs === null ? undefined : setInterval(sweep, sweepEveryMs)
  timer?.unref()

  const idle = async () => {
    await dispatcher.idle()
    await runtime.notifier.idle()
  }
  return {
    dispatcher,
    runtime,
    idle,
    async stop() {
      if (timer) clearInterval(timer)
      await idle()
    },
  }
}
