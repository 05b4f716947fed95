import { createRoute, z } from '@hono/zod-openapi'
import { createPrecedentsRepository, type Precedent } from '../../../db/repositories/precedents'
import { expirePrecedent, revokePrecedent } from '../../../services/precedents'
import { ApiError } from '../../errors'
import { requireRole } from '../../middleware/auth'
import { rateLimit } from '../../middleware/rate-limit'
import { type App, errorResponses, jsonContent, notFoundResponse, security } from '../openapi'

/** /v2/admin/precedents: admins list rules, end their validity and revoke them (each change audited). */

const PrecedentSchema = z
  .object({
    id: z.string(),
    origem: z.string(),
    destino: z.string(),
    origin_key: z.string(),
    target_key: z.string(),
    decisao: z.enum(['DEFERIDO', 'INDEFERIDO']),
    motivo: z.string(),
    status: z.enum(['active', 'revoked', 'superseded']),
    valid_from: z.string(),
    valid_until: z.string().nullable(),
    result_id: z.string(),
    review_id: z.string(),
    reviewer_key_id: z.string().nullable(),
    policy_version: z.string(),
    taxonomy_version: z.string().nullable(),
    model_version: z.string(),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .openapi('Precedent')

const toWire = (p: Precedent): z.infer<typeof PrecedentSchema> => ({
  id: p.id,
  origem: p.originLabel,
  destino: p.targetLabel,
  origin_key: p.originKey,
  target_key: p.targetKey,
  decisao: p.decisao,
  motivo: p.motivo,
  status: p.status,
  valid_from: p.validFrom,
  valid_until: p.validUntil,
  result_id: p.resultId,
  review_id: p.reviewId,
  reviewer_key_id: p.reviewerKeyId,
  policy_version: p.policyVersion,
  taxonomy_version: p.taxonomyVersion,
  model_version: p.modelVersion,
  created_at: p.createdAt.toISOString(),
  revoked_at: p.revokedAt?.toISOString() ?? null,
})

const IdParam = z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) })

const listRoute = createRoute({
  method: 'get',
  path: '/v2/admin/precedents',
  tags: ['admin'],
  summary: 'Precedent rules, newest first',
  security,
  middleware: [requireRole('admin'), rateLimit('admin')] as const,
  request: {
    query: z.object({
      status: z.enum(['active', 'revoked', 'superseded']).optional(),
      valid_on: z.iso.date().optional(),
      cursor: z.string().max(200).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: { 200: jsonContent(z.object({ items: z.array(PrecedentSchema), next_cursor: z.string().nullable() }), 'A page of rules'), ...errorResponses },
})

const expireRoute = createRoute({
  method: 'post',
  path: '/v2/admin/precedents/{id}/expire',
  tags: ['admin'],
  summary: 'End a rule’s validity on a date (inclusive)',
  security,
  middleware: [requireRole('admin'), rateLimit('admin')] as const,
  request: {
    params: IdParam,
    body: { required: true, content: { 'application/json': { schema: z.object({ valid_until: z.iso.date() }) } } },
  },
  responses: { 200: jsonContent(PrecedentSchema, 'The rule'), ...errorResponses, ...notFoundResponse },
})

const revokeRoute = createRoute({
  method: 'post',
  path: '/v2/admin/precedents/{id}/revoke',
  tags: ['admin'],
  summary: 'Withdraw a rule at once',
  security,
  middleware: [requireRole('admin'), rateLimit('admin')] as const,
  request: { params: IdParam },
  responses: { 200: jsonContent(PrecedentSchema, 'The rule'), ...errorResponses, ...notFoundResponse },
})

export function registerPrecedentRoutes(app: App): void {
  app.openapi(listRoute, async (c) => {
    const q = c.req.valid('query')
    const page = await createPrecedentsRepository(c.get('ctx').db).list(c.get('tenant').id, { status: q.status, validOn: q.valid_on }, { cursor: q.cursor, limit: q.limit })
    return c.json({ items: page.items.map(toWire), next_cursor: page.nextCursor }, 200)
  })
  app.openapi(expireRoute, async (c) => {
    const p = await expirePrecedent({
      ctx: c.get('ctx'),
      input: { tenantId: c.get('tenant').id, actorKeyId: c.get('apiKey').id, id: c.req.valid('param').id, validUntil: c.req.valid('json').valid_until },
    })
    if (!p) throw ApiError.notFound('Active precedent not found')
    return c.json(toWire(p), 200)
  })
  app.openapi(revokeRoute, async (c) => {
    const p = await revokePrecedent({ ctx: c.get('ctx'), input: { tenantId: c.get('tenant').id, actorKeyId: c.get('apiKey').id, id: c.req.valid('param').id } })
    if (!p) throw ApiError.notFound('Active precedent not found')
    return c.json(toWire(p), 200)
  })
}
