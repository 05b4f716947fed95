import type { BatchServices } from '../../services/batch/types'
import { registerDeadLetterRoutes } from '../admin/dead-letters'
import { registerBatch } from '../equivalences/batch'
import type { App } from '../openapi'
import { registerGetJob } from './get'
import { registerJobResults } from './results'

/** Batch submission, job status and results, and the admin dead-letter routes. */
export function registerBatchRoutes(app: App, batch: BatchServices): void {
  registerBatch(app, batch)
  registerGetJob(app, batch)
  registerJobResults(app, batch)
  registerDeadLetterRoutes(app, batch)
}
