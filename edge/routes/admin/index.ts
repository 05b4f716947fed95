import { requireRole } from '../../middleware/auth'
import { rateLimit } from '../../middleware/rate-limit'
import type { App } from '../openapi'
import { registerApiKeyRoutes } from './api-keys'
import { registerAuditRoutes } from './audit'
import { registerBindingRoutes } from './bindings'
import { registerPolicyRoutes } from './policies'
import { registerTaxonomyRoutes, type TaxonomyRouteOptions } from './taxonomies'

/** Every /admin route: admin role only, in the tight `admin` rate-limit group. */
export function registerAdminRoutes(app: App, options: { taxonomies?: TaxonomyRouteOptions } = {}): void {
  app.use('/admin/*', requireRole('admin'), rateLimit('admin'))
  registerApiKeyRoutes(app)
  registerPolicyRoutes(app)
  registerTaxonomyRoutes(app, options.taxonomies)
  registerBindingRoutes(app)
  registerAuditRoutes(app)
}
