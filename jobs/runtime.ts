import { createEmbeddingCacheRepository } from '../db/repositories/embedding-cache'
import type { ServiceContext } from '../services/context'
import { cachedTaxonomy } from '../services/resolve-versions'
import type { ResolveHost } from './callbacks/delivery'
import { createCallbackNotifier, type CallbackNotifier } from './callbacks/notifier'
import { deriveCallbackSecret } from './callbacks/signature'
import { batchCompletions } from './completion-batcher'
import { createLexicalEmbedder } from './embeddings/lexical'
import type { Embedder } from './embeddings/types'
import { createJobHandlers, type JobHandlerDeps } from './handlers/index'
import { createJobMetrics, type JobMetrics } from './metrics'
import type { JobStore } from './ports'
import type { JobDispatcher, JobHandlers } from './types'

export interface JobRuntimeOptions {
  /** Repositories, the version cache, mapper: the same service context evaluate runs under. */
  services: ServiceContext
  dispatcher: JobDispatcher
  /** Server secret the per-tenant callback secrets derive from (API_KEY_SALT). */
  callbackSigningSecret: string
  /** @default the offline lexical embedder */
  embedder?: Embedder
  leaseMs?: number
  sweep?: JobHandlerDeps['sweep']
  callbackRetryDelaysMs?: readonly number[]
  /** Deliver job callbacks to loopback, private and link-local addresses too. @default false */
  callbackAllowPrivateNetworks?: boolean
  /** How callback hosts are resolved. @default the system resolver */
  callbackResolveHost?: ResolveHost
  metrics?: JobMetrics
  log?: (message: string, fields: Record<string, unknown>) => void
  /** Fault injection for tests: wraps the Postgres job store. */
  wrapJobStore?: (store: JobStore) => JobStore
}

export interface JobRuntime {
  handlers: JobHandlers
  notifier: CallbackNotifier
  metrics: JobMetrics
}

/** Wires the job handlers to Postgres, the evaluation service and a dispatcher; used by worker/main.ts and jobs/embedded.ts. */
export function createJobRuntime(options: JobRuntimeOptions): JobRuntime {
  const { services } = options
  // Both repositories over one handle: the handlers' view of them is the JobStore port.
  const repository: JobStore = { ...services.repos.jobItems, ...services.repos.jobs }
  const items = services.repos.jobItems
  // Concurrent deliveries share commits (one counter update per job and flush), see completion-batcher.ts.
  const jobs: JobStore = batchCompletions(options.wrapJobStore ? options.wrapJobStore(repository) : repository)
  const metrics =
    options.metrics ??
    createJobMetrics({ queueDepth: () => items.queueDepth(), oldestWaitingSeconds: () => items.oldestWaitingSeconds() })
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
    services,
    taxonomyIndex: {
      loadTaxonomy: (tenantId, version) => cachedTaxonomy(services, tenantId, version),
      embedder: options.embedder ?? createLexicalEmbedder(),
      embeddings: createEmbeddingCacheRepository(services.db),
    },
    leaseMs: options.leaseMs,
    sweep: options.sweep,
    metrics,
    log: options.log,
  })
  return { handlers, notifier, metrics }
}
