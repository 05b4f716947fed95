import { createRoute, z } from '@hono/zod-openapi'
import { PolicySchema } from '../../../engine/index'
import { ApiError } from '../../errors'
import type { PolicyVersion } from '../../../db/repositories/policies'
import { createPolicy } from '../../../services/policies'
import { type App, conflictResponse, errorResponses, jsonContent, notFoundResponse, security } from '../openapi'

const VersionName = z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, dot, dash, underscore')
const CreatePolicySchema = z
  .object({ version: VersionName, config: PolicySchema, is_default: z.boolean().default(false) })
  .openapi('CreatePolicy')
const PolicyVersionSchema = z
  .object({ id: z.string(), version: z.string(), config: PolicySchema, is_default: z.boolean(), created_at: z.string() })
  .openapi('PolicyVersion')
const VersionParam = z.object({ version: VersionName.openapi({ param: { name: 'version', in: 'path' } }) })

export type CreatePolicyRequest = z.input<typeof CreatePolicySchema>

const toWire = (p: PolicyVersion): z.infer<typeof PolicyVersionSchema> => ({
  id: p.id,
  version: p.version,
  config: p.config,
  is_default: p.isDefault,
  created_at: p.createdAt.toISOString(),
})

const tags = ['admin: policies']
const create = createRoute({
  method: 'post',
  path: '/admin/policies',
  tags,
  summary: 'Create a policy version (validated by the policy schema; defaults filled in)',
  security,
  request: { body: { required: true, content: { 'application/json': { schema: CreatePolicySchema } } } },
  responses: { 201: jsonContent(PolicyVersionSchema, 'Created'), ...errorResponses, ...conflictResponse },
})
const list = createRoute({
  method: 'get',
  path: '/admin/policies',
  tags,
  summary: 'List policy versions',
  security,
  responses: { 200: jsonContent(z.object({ items: z.array(PolicyVersionSchema) }), 'Policies'), ...errorResponses },
})
const get = createRoute({
  method: 'get',
  path: '/admin/policies/{version}',
  tags,
  summary: 'One policy version',
  security,
  request: { params: VersionParam },
  responses: { 200: jsonContent(PolicyVersionSchema, 'The policy'), ...errorResponses, ...notFoundResponse },
})

export function registerPolicyRoutes(app: App): void {
  app.openapi(create, async (c) => {
    const body = c.req.valid('json')
    const created = await createPolicy({
      ctx: c.get('ctx'),
      input: { tenantId: c.get('tenant').id, actorKeyId: c.get('apiKey').id, version: body.version, config: body.config, isDefault: body.is_default },
    })
    return c.json(toWire(created), 201)
  })
  app.openapi(list, async (c) => {
    const items = await c.get('ctx').repos.policies.list(c.get('tenant').id)
    return c.json({ items: items.map(toWire) }, 200)
  })
  app.openapi(get, async (c) => {
    const policy = await c.get('ctx').repos.policies.getByVersion(c.get('tenant').id, c.req.valid('param').version)
    if (!policy) throw ApiError.notFound('Policy version not found')
    return c.json(toWire(policy), 200)
  })
}
