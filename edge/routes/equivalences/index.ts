import type { BatchServices } from '../../context'
import type { App } from '../openapi'
import { registerBatch } from './batch'
import { registerBatchV1 } from './batch-v1'
import { registerEvaluate } from './evaluate'
import { registerEvaluateV1 } from './evaluate-v1'

/**
 * POST /{v1,v2}/equivalences/evaluate, and /batch when a batch tier is configured: `/v1` in the
 * replaced service's contract, `/v2` native, over the same services (edge/wire/).
 */
export function registerEquivalenceRoutes(app: App, batch: BatchServices | undefined): void {
  registerEvaluateV1(app)
  registerEvaluate(app)
  if (batch) {
    registerBatchV1(app, batch)
    registerBatch(app, batch)
  }
}
