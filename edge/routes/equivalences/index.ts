import type { BatchServices } from '../../context'
import type { App } from '../openapi'
import { registerBatch } from './batch'
import { registerEvaluate } from './evaluate'

/** POST /v1/equivalences/evaluate, and /batch when a batch tier is configured. */
export function registerEquivalenceRoutes(app: App, batch: BatchServices | undefined): void {
  registerEvaluate(app)
  if (batch) registerBatch(app, batch)
}
