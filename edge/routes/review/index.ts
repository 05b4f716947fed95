import type { App } from '../openapi'
import { registerJobCsv } from './job-csv'
import { registerPrecedentRoutes } from './precedents'

/**
 * The human loop's /v2 routes (issue 15): precedents (admin) and a job's CSV; results with their
 * inputs, review state and reviews are in ../results/. Authentication comes from the app's
 * `/v2/*` middleware.
 */
export function registerReviewRoutes(app: App, options: { jobs: boolean }): void {
  registerPrecedentRoutes(app)
  if (options.jobs) registerJobCsv(app)
}
