import { requireRole } from '../../middleware/auth'
import { rateLimit } from '../../middleware/rate-limit'
import type { BatchServices } from '../../context'
import type { App } from '../openapi'
import { registerApiKeyRoutes } from './api-keys'
import { registerAuditRoutes } from './audit'
import { registerBindingRoutes } from './bindings'
import { registerDeadLetterRoutes } from './dead-letters'
import { registerPolicyRoutes } from './policies'
import { registerTaxonomyRoutes, type TaxonomyRouteOptions } from './taxonomies'
import { registerAdminV1Routes } from './v1'

/**
 * Every /admin route: admin role only, in the tight `admin` rate-limit group, applied here once
 * (so one admin call takes one admin token). The dead-letter routes exist with a batch tier only.
 */
export function registerAdminRoutes(app: App, options: { taxonomies?: TaxonomyRouteOptions; batch?: BatchServices } = {}): void {
  app.use('/admin/*', requireRole('admin'), rateLimit('admin'))
  registerApiKeyRoutes(app)
  registerPolicyRoutes(app)
  registerTaxonomyRoutes(app, options.taxonomies)
  registerBindingRoutes(app)
  registerAuditRoutes(app)
  if (options.batch) registerDeadLetterRoutes(app, options.batch)
  registerAdminV1Routes(app, { batch: options.batch })
}
