import type { Database } from '../db/client'
import { createRepositories, type Repositories } from '../db/repositories/index'
import type { ConceptMapper, MappingCache } from '../engine/index'
import type { SemanticServices } from './ai/index'
import type { VersionCache } from './resolve-versions'

/**
 * What every service verb gets as `ctx`: the repositories over one database handle (built once per
 * app, or per request where a connection may not outlive it, as on Workers), the one version cache
 * and the evaluation's shared state. No wrapper sits between a service and its repositories.
 */
export type ServiceContext = {
  /** The handle the repositories run on; audited writes open their transaction on it. */
  db: Database
  repos: Repositories
  /** Version look-ups (policies, taxonomies, bindings) for a few seconds; writes invalidate it. */
  versions: VersionCache
  /** API_KEY_SALT: api-key repositories built inside a transaction need it. */
  apiKeySalt: string
  /** Concept mapper shared by all evaluations; the engine's lexical default when absent. */
  mapper?: ConceptMapper
  /** Mapping results by (text hash, mapper version, taxonomy version), shared across evaluations. */
  mappingCache?: MappingCache
  /** Embeddings (and an LLM) when the deployment configures a provider; lexical without. */
  semantic?: SemanticServices | null
  clock: () => Date
}

export type ServiceContextOptions = Omit<ServiceContext, 'db' | 'repos' | 'clock'> & { clock?: () => Date }

export function createServiceContext(db: Database, options: ServiceContextOptions): ServiceContext {
  return {
    ...options,
    db,
    repos: createRepositories(db, { apiKeySalt: options.apiKeySalt }),
    clock: options.clock ?? (() => new Date()),
  }
}
