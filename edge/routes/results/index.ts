import type { App } from '../openapi'
import { registerGetResult } from './get'
import { registerListResults } from './list'
import { registerCreateReview } from './reviews'

export function registerResultRoutes(app: App): void {
  registerListResults(app)
  registerGetResult(app)
  registerCreateReview(app)
}
