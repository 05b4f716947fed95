import type { ConceptMapper } from '../engine/index'
import type { Database } from '../db/client'
import { createJobsRepository } from '../db/repositories/jobs'
import { createEmbeddingCacheRepository } from '../db/repositories/embedding-cache'
import { deriveCallbackSecret } from '../edge/services/batch/callback-signature'
import type { JobDispatcher, JobHandlers } from '../edge/services/dispatch/types'
import type { Store } from '../edge/store'
import type { ResolveHost } from './callback-delivery'
import { createCallbackNotifier, type CallbackNotifier } from './callbacks'
import { createLexicalEmbedder } from './embeddings/lexical'
import type { Embedder } from './embeddings/types'
import { batchCompletions } from './jobs/completion-batcher'
import { createJobHandlers, type JobHandlerDeps } from './jobs/index'
import type { JobStore } from './jobs/store'
import { createWorkerMetrics, type WorkerMetrics } from './metrics'
import { createCachedResolver } from './resolve'

export interface WorkerRuntimeOptions {
  db: Database
  /** The edge's Store (edge/store-db.ts): version resolution and taxonomies, exactly as evaluate sees them. */
  store: Store
  dispatcher: JobDispatcher
  /** Server secret the per-tenant callback secrets derive from. */
  callbackSigningSecret: string
  /** @default the offline lexical embedder */
  embedder?: Embedder
  mapper?: ConceptMapper
  leaseMs?: number
  sweep?: JobHandlerDeps['sweep']
  callbackRetryDelaysMs?: readonly number[]
  /** Deliver job callbacks to loopback, private and link-local addresses too. @default false */
  callbackAllowPrivateNetworks?: boolean
  /** How callback hosts are resolved. @default the system resolver */
  callbackResolveHost?: ResolveHost
  metrics?: WorkerMetrics
  log?: (message: string, fields: Record<string, unknown>) => void
  /** Fault injection for tests: wraps the Postgres job store. */
  wrapJobStore?: (store: JobStore) => JobStore
}

export interface WorkerRuntime {
  handlers: JobHandlers
  notifier: CallbackNotifier
  metrics: WorkerMetrics
}

/** Wires the job handlers to Postgres, the engine and a dispatcher; shared by worker/entry.ts and the embedded default. */
export function createWorkerRuntime(options: WorkerRuntimeOptions): WorkerRuntime {
  const repository = createJobsRepository(options.db)
  // Concurrent deliveries share commits (one counter update per job and flush), see completion-batcher.ts.
  const jobs: JobStore = batchCompletions(options.wrapJobStore ? options.wrapJobStore(repository) : repository)
  const metrics =
    options.metrics ??
    createWorkerMetrics({ queueDepth: () => repository.queueDepth(), oldestWaitingSeconds: () => repository.oldestWaitingSeconds() })
  const notifier = createCallbackNotifier({
    store: jobs,
    secretFor: (tenantId) => deriveCallbackSecret(options.callbackSigningSecret, tenantId),
    retryDelaysMs: options.callbackRetryDelaysMs,
    allowPrivateNetworks: options.callbackAllowPrivateNetworks,
    resolveHost: options.callbackResolveHost,
    log: options.log,
  })
  const handlers = createJobHandlers({
    store: jobs,
    dispatcher: options.dispatcher,
    notifier,
    resolve: createCachedResolver(options.store),
    mapper: options.mapper,
    taxonomyIndex: {
      loadTaxonomy: (tenantId, version) => options.store.getTaxonomy(tenantId, version),
      embedder: options.embedder ?? createLexicalEmbedder(),
      embeddings: createEmbeddingCacheRepository(options.db),
    },
    leaseMs: options.leaseMs,
    sweep: options.sweep,
    metrics,
    log: options.log,
  })
  return { handlers, notifier, metrics }
}
