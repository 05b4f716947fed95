import type { App } from '../openapi'
import { registerGetJob } from './get'
import { registerQStashFailureRoute } from './qstash-failure'
import { registerJobResults } from './results'
import { registerJobRoutesV1 } from './v1'

/**
 * GET /{v1,v2}/jobs/{id} and its results (the batch submission is under equivalences/, dead letters
 * under admin/), and QStash's failure callback `POST /jobs/failure/{tenant_id}` (answers only with
 * API_URL and the signing keys set).
 */
export function registerJobRoutes(app: App): void {
  registerJobRoutesV1(app)
  registerGetJob(app)
  registerJobResults(app)
  registerQStashFailureRoute(app)
}
