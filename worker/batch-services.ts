import { Client } from '@upstash/qstash'
import type { Database } from '../db/client'
import { createJobsRepository } from '../db/repositories/jobs'
import type { Logger } from '../edge/lib/logger'
import { deriveCallbackSecret } from '../edge/services/batch/callback-signature'
import type { BatchServices } from '../edge/services/batch/types'
import { createInProcessDispatcher } from '../edge/services/dispatch/in-process'
import { evaluateItemMessage } from '../edge/services/dispatch/messages'
import { createQStashDispatcher } from '../edge/services/dispatch/qstash'
import type { JobHandlers } from '../edge/services/dispatch/types'
import type { Store } from '../edge/store'
import { createWorkerRuntime } from './runtime'

export interface BatchServicesOptions {
  db: Database
  store: Store
  /** API_KEY_SALT: the per-tenant callback secrets derive from it, on the API and the workers alike. */
  salt: string
  logger: Logger
  /** QStash publishing (QSTASH_TOKEN + WORKER_URL set): the API only publishes; worker containers run the jobs. */
  qstash?: { url?: string; token: string; workerUrl: string }
  /** In-process deliveries at once. @default 4 */
  concurrency?: number
  /** How often the embedded sweeper runs. @default 30000 */
  sweepEveryMs?: number
  /** CALLBACK_ALLOW_PRIVATE_NETWORKS: job callbacks may go to private addresses. @default false */
  allowPrivateCallbacks?: boolean
}

/**
 * The batch routes' services for a Node process (edge/entries/node.ts). With QStash configured the
 * API publishes to the worker containers; otherwise — the embedded default — the worker's handlers
 * run in this process behind the in-process dispatcher, and a timer plays the sweeper's schedule
 * (its first tick, at start, picks up items a previous run left behind).
 */
export function createNodeBatchServices(options: BatchServicesOptions): { batch: BatchServices; stop(): Promise<void> } {
  const jobs = createJobsRepository(options.db)
  const callbackSecret = (tenantId: string) => deriveCallbackSecret(options.salt, tenantId)

  if (options.qstash) {
    const client = new Client({ baseUrl: options.qstash.url, token: options.qstash.token })
    const dispatcher = createQStashDispatcher({ client, workerUrl: options.qstash.workerUrl })
    return { batch: { jobs, dispatcher, callbackSecret }, stop: async () => undefined }
  }

  const late: { handlers?: JobHandlers } = {}
  const dispatcher = createInProcessDispatcher({
    handlers: () => late.handlers!,
    concurrency: options.concurrency ?? 4,
    onUnhandled: (error) => options.logger.error('job failure hook failed', { error: String(error) }),
  })
  const runtime = createWorkerRuntime({
    db: options.db,
    store: options.store,
    dispatcher,
    callbackSigningSecret: options.salt,
    callbackAllowPrivateNetworks: options.allowPrivateCallbacks,
    log: (message, fields) => options.logger.warn(message, fields),
  })
  late.handlers = runtime.handlers
  const sweep = () =>
    void runtime.handlers.sweep({}, { retried: 0, messageId: 'embedded-sweep' }).catch((err: unknown) =>
      options.logger.warn('sweep failed', { error: err instanceof Error ? err.message : String(err) }),
    )
  // In-process messages die with the process: at start, every unsettled item of a previous run is
  // orphaned, so hand them all out again now instead of after the usual "lost message" delay.
  void (async () => {
    const { redispatch } = await jobs.sweepStale({ staleMs: 0, maxAttempts: 5, limit: 100_000 })
    const now = Date.now()
    await dispatcher.dispatch(redispatch.map((item) => evaluateItemMessage(item.id, now)))
  })()
    .catch((err: unknown) => options.logger.warn('start-up re-dispatch failed', { error: err instanceof Error ? err.message : String(err) }))
    .finally(sweep)
  const timer = setInterval(sweep, options.sweepEveryMs ?? 30_000)
  timer.unref()
  return {
    batch: { jobs, dispatcher, callbackSecret },
    async stop() {
      clearInterval(timer)
      await dispatcher.idle()
      await runtime.notifier.idle()
    },
  }
}
