import type { App } from '../openapi'
import { registerGetResult, registerGetResultV2 } from './get'
import { registerListResults, registerListResultsV2 } from './list'
import { registerCreateReview, registerListReviewsV2 } from './reviews'

/**
 * Stored results, both versions: `/v1/results` (list, one, a review) in the replaced service's
 * shapes, `/v2/results` (list with course names and review state, one with inputs, reviews and
 * precedents, its reviews). Shapes in schemas.ts.
 */
export function registerResultRoutes(app: App): void {
  registerListResults(app)
  registerGetResult(app)
  registerCreateReview(app)
  registerGetResultV2(app)
  registerListReviewsV2(app)
  registerListResultsV2(app)
}
