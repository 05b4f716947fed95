import { createRoute, z } from '@hono/zod-openapi'
import { TaxonomyNodeSchema } from '../../../engine/index'
import { ApiError } from '../../errors'
import { createTaxonomy, setTaxonomyStatus, type TaxonomySummary } from '../../../services/taxonomies'
import { type App, conflictResponse, errorResponses, jsonContent, notFoundResponse, security } from '../openapi'

const VersionName = z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, dot, dash, underscore')
/** Node ids are what bindings and evidence refer to: keep them plain. */
const NodeSchema = TaxonomyNodeSchema.extend({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/, 'letters, digits and . _ : / -'),
  palavras_chave: z.array(z.string().trim().min(2).max(200)).max(100).default([]),
})

const CreateTaxonomySchema = z
  .object({ version: VersionName, nodes: z.array(NodeSchema).min(1).max(5000) })
  .superRefine((t, ctx) => {
    const seen = new Set<string>()
    t.nodes.forEach((n, i) => {
      if (seen.has(n.id)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'id'], message: `duplicate node id '${n.id}'` })
      seen.add(n.id)
      const keywords = new Set<string>()
      n.palavras_chave.forEach((k, j) => {
        const folded = k.toLowerCase()
        if (keywords.has(folded)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'palavras_chave', j], message: `duplicate keyword '${k}'` })
        keywords.add(folded)
      })
    })
  })
  .openapi('CreateTaxonomy')
const TaxonomySchema = z
  .object({ id: z.string(), version: z.string(), status: z.enum(['draft', 'active', 'deprecated']), node_count: z.number(), created_at: z.string() })
  .openapi('TaxonomyVersion')
const TaxonomyWithNodesSchema = TaxonomySchema.extend({ nodes: z.array(TaxonomyNodeSchema) }).openapi('TaxonomyWithNodes')
const VersionParam = z.object({ version: VersionName.openapi({ param: { name: 'version', in: 'path' } }) })

export type CreateTaxonomyRequest = z.input<typeof CreateTaxonomySchema>

const toWire = (t: TaxonomySummary): z.infer<typeof TaxonomySchema> => ({
  id: t.id,
  version: t.version,
  status: t.status,
  node_count: t.nodeCount,
  created_at: t.createdAt.toISOString(),
})

const tags = ['admin: taxonomies']
const create = createRoute({
  method: 'post',
  path: '/admin/taxonomies',
  tags,
  summary: 'Create a taxonomy version as a draft, with its nodes',
  security,
  request: { body: { required: true, content: { 'application/json': { schema: CreateTaxonomySchema } } } },
  responses: { 201: jsonContent(TaxonomySchema, 'Created (draft)'), ...errorResponses, ...conflictResponse },
})
const get = createRoute({
  method: 'get',
  path: '/admin/taxonomies/{version}',
  tags,
  summary: 'A taxonomy version with its nodes',
  security,
  request: { params: VersionParam },
  responses: { 200: jsonContent(TaxonomyWithNodesSchema, 'The taxonomy'), ...errorResponses, ...notFoundResponse },
})
const transition = (action: 'activate' | 'deprecate') =>
  createRoute({
    method: 'post',
    path: `/admin/taxonomies/{version}/${action}`,
    tags,
    summary: action === 'activate' ? 'Activate a version (evaluations may use it)' : 'Deprecate a version',
    security,
    request: { params: VersionParam },
    responses: { 200: jsonContent(TaxonomySchema, 'Updated'), ...errorResponses, ...notFoundResponse, ...conflictResponse },
  })

export interface TaxonomyRouteOptions {
  /**
   * Called once a version is activated (the batch tier queues its embedding-index build here).
   * Its failure is logged, not answered: the activation is already committed, and the build can
   * be queued by hand (`POST /admin/jobs/taxonomy-index`).
   */
  onActivated?: (tenantId: string, version: string) => Promise<void>
}

export function registerTaxonomyRoutes(app: App, options: TaxonomyRouteOptions = {}): void {
  app.openapi(create, async (c) => {
    const body = c.req.valid('json')
    const created = await createTaxonomy({
      ctx: c.get('ctx'),
      input: { tenantId: c.get('tenant').id, actorKeyId: c.get('apiKey').id, version: body.version, nodes: body.nodes },
    })
    return c.json(toWire(created), 201)
  })
  app.openapi(get, async (c) => {
    const t = await c.get('ctx').repos.taxonomies.getByVersion(c.get('tenant').id, c.req.valid('param').version)
    if (!t) throw ApiError.notFound('Taxonomy version not found')
    return c.json({ ...toWire({ ...t, nodeCount: t.nodes.length }), nodes: t.nodes }, 200)
  })
  for (const action of ['activate', 'deprecate'] as const) {
    app.openapi(transition(action), async (c) => {
      const tenantId = c.get('tenant').id
      const version = c.req.valid('param').version
      const updated = await setTaxonomyStatus({
        ctx: c.get('ctx'),
        input: { tenantId, actorKeyId: c.get('apiKey').id, version, status: action === 'activate' ? 'active' : 'deprecated' },
      })
      if (action === 'activate' && options.onActivated) {
        await options.onActivated(tenantId, version).catch((err: unknown) =>
          c.get('services').logger.warn('taxonomy index build not queued', { tenant_id: tenantId, taxonomy_version: version, error: String(err) }),
        )
      }
      return c.json(toWire(updated), 200)
    })
  }
}
