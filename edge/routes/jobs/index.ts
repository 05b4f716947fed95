import type { App } from '../openapi'
import { registerGetJob } from './get'
import { registerJobResults } from './results'

/** GET /v1/jobs/{id} and its results (the batch submission is under equivalences/, dead letters under admin/). */
export function registerJobRoutes(app: App): void {
  registerGetJob(app)
  registerJobResults(app)
}
