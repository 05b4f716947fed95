import type { App } from '../openapi'
import { registerJobCsv } from './job-csv'
import { registerPrecedentRoutes } from './precedents'
import { registerReviewResultRoutes } from './results'

/**
 * The human loop's /v2 routes (issue 15): results with inputs and review state, reviews,
 * precedents (admin), a job's CSV. Authentication comes from the app's `/v2/*` middleware.
 */
export function registerReviewRoutes(app: App, options: { jobs: boolean }): void {
  registerReviewResultRoutes(app)
  registerPrecedentRoutes(app)
  if (options.jobs) registerJobCsv(app)
}
