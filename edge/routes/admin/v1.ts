import { createRoute, z } from '@hono/zod-openapi'
import { buildTaxonomyIndexMessage, evaluateItemMessage } from '../../../jobs/messages'
import { createPolicy } from '../../../services/policies'
import { createTaxonomy, setTaxonomyStatus } from '../../../services/taxonomies'
import { PolicySchema, TaxonomyNodeSchema } from '../../../engine/index'
import type { BatchServices } from '../../context'
import { ApiError } from '../../errors'
import {
  parseV1PolicyVersion,
  parseV1TaxonomyVersion,
  renderV1PolicyVersion,
  renderV1Requeued,
  renderV1TaxonomyVersion,
  REQUEUE_NOT_FOUND,
  requeueWrongState,
  v1ItemState,
} from '../../wire/v1/index'
import { V1PolicyVersionSchema, V1TaxonomyVersionSchema } from '../../wire/v1/admin'
import { V1PolicyCreatedSchema, V1RequeuedSchema, V1TaxonomyCreatedSchema } from '../../wire/v1/schemas'
import { type App, conflictResponse, errorResponses, jsonContent, notFoundResponse, security } from '../openapi'

/**
 * The replaced service's admin calls (`app/admin_routes.py`, `app/admin_dlq_routes.py`), each over
 * the same service as its native route under /admin/taxonomies, /admin/policies and
 * /admin/dead-letters (`POST /admin/bindings` is one route for both: bindings.ts). Admins only (admin/index.ts). A taxonomy version is active at once, as
 * it was there, and its index build is queued when a batch tier is present.
 */
const tags = ['v1: admin']
const body = <T extends z.ZodType>(schema: T) => ({ required: true, content: { 'application/json': { schema } } })

const taxonomyRoute = createRoute({
  method: 'post',
  path: '/admin/taxonomy_versions',
  tags,
  summary: 'Create and activate a taxonomy version (the original’s body: integer node ids)',
  security,
  request: { body: body(V1TaxonomyVersionSchema) },
  responses: { 200: jsonContent(V1TaxonomyCreatedSchema, 'Created, active'), ...errorResponses, ...conflictResponse },
})
const policyRoute = createRoute({
  method: 'post',
  path: '/admin/policy_versions',
  tags,
  summary: 'Create a policy version from the original’s PolicyInput keys',
  security,
  request: { body: body(V1PolicyVersionSchema) },
  responses: { 200: jsonContent(V1PolicyCreatedSchema, 'Created'), ...errorResponses, ...conflictResponse },
})
const requeueRoute = createRoute({
  method: 'post',
  path: '/admin/dlq/requeue/{item_id}',
  tags,
  summary: 'Requeue one failed (dead) batch item',
  security,
  request: { params: z.object({ item_id: z.string().openapi({ param: { name: 'item_id', in: 'path' } }) }) },
  responses: {
    200: jsonContent(V1RequeuedSchema, 'Requeued'),
    400: jsonContent(z.object({ detail: z.string() }), 'The item is not failed'),
    ...errorResponses,
    ...notFoundResponse,
  },
})

export function registerAdminV1Routes(app: App, options: { batch?: BatchServices } = {}): void {
  app.openapi(taxonomyRoute, async (c) => {
    const parsed = parseV1TaxonomyVersion(c.req.valid('json'))
    if (!parsed.ok) throw ApiError.validation(parsed.issues)
    const ctx = c.get('ctx')
    const tenantId = c.get('tenant').id
    const actorKeyId = c.get('apiKey').id
    const nodes = parsed.value.nodes.map((n) => TaxonomyNodeSchema.parse(n))
    const created = await createTaxonomy({ ctx, input: { tenantId, actorKeyId, version: parsed.value.version, nodes } })
    await setTaxonomyStatus({ ctx, input: { tenantId, actorKeyId, version: created.version, status: 'active' } })
    const batch = options.batch
    if (batch) {
      await batch.dispatcher.dispatch([buildTaxonomyIndexMessage(tenantId, created.version)]).catch((err: unknown) =>
        c.get('services').logger.warn('taxonomy index build not queued', { tenant_id: tenantId, taxonomy_version: created.version, error: String(err) }),
      )
    }
    return c.json(renderV1TaxonomyVersion({ ...created, tenantId }), 200)
  })

  app.openapi(policyRoute, async (c) => {
    const parsed = parseV1PolicyVersion(c.req.valid('json'))
    if (!parsed.ok) throw ApiError.validation(parsed.issues)
    const tenantId = c.get('tenant').id
    const created = await createPolicy({
      ctx: c.get('ctx'),
      input: { tenantId, actorKeyId: c.get('apiKey').id, version: parsed.value.version, config: PolicySchema.parse(parsed.value.config), isDefault: false },
    })
    return c.json(renderV1PolicyVersion({ ...created, tenantId }), 200)
  })

  app.openapi(requeueRoute, async (c) => {
    const ctx = c.get('ctx')
    const tenantId = c.get('tenant').id
    const item = await ctx.repos.jobItems.getItem(tenantId, c.req.valid('param').item_id)
    if (!item) throw ApiError.notFound(REQUEUE_NOT_FOUND)
    if (item.status !== 'dead') throw new ApiError('BAD_REQUEST', requeueWrongState(v1ItemState(item.status)))
    const ids = await ctx.repos.jobItems.requeueDead(tenantId, { jobId: item.jobId, itemId: item.id }, c.get('apiKey').id)
    if (ids.length && options.batch) await options.batch.dispatcher.dispatch(ids.map((id) => evaluateItemMessage(id, Date.now(), tenantId)))
    return c.json(renderV1Requeued({ itemId: item.id, jobId: item.jobId }), 200)
  })
}
