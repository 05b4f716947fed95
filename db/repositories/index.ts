import type { Database } from '../client'
import { createApiKeysRepository } from './api-keys'
import { createAuditRepository } from './audit'
import { createBindingsRepository } from './bindings'
import { createJobItemsRepository } from './job-items'
import { createJobsRepository } from './jobs'
import { createPoliciesRepository } from './policies'
import { createResultsRepository } from './results'
import { createReviewsRepository } from './reviews'
import { createTaxonomiesRepository } from './taxonomies'
import { createTenantsRepository } from './tenants'

/**
 * Every repository over one handle. Build it over a transaction to make several writes atomic:
 * `withTransaction(db, (tx) => { const repos = createRepositories(tx, options); ... })`.
 */
export function createRepositories(db: Database, options: { apiKeySalt: string }) {
  return {
    tenants: createTenantsRepository(db),
    apiKeys: createApiKeysRepository(db, options.apiKeySalt),
    taxonomies: createTaxonomiesRepository(db),
    policies: createPoliciesRepository(db),
    bindings: createBindingsRepository(db),
    results: createResultsRepository(db),
    reviews: createReviewsRepository(db),
    jobs: createJobsRepository(db),
    jobItems: createJobItemsRepository(db),
    audit: createAuditRepository(db),
  }
}

export type Repositories = ReturnType<typeof createRepositories>

export * from './api-keys'
export * from './audit'
export * from './bindings'
export * from './job-items'
export * from './jobs'
export * from './policies'
export * from './results'
export * from './reviews'
export * from './taxonomies'
export * from './tenants'
