import { createRoute, z } from '@hono/zod-openapi'
import { ApiError } from '../../errors'
import type { ApiKey } from '../../../db/repositories/api-keys'
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey } from '../../../services/api-keys'
import { type App, errorResponses, jsonContent, notFoundResponse, security } from '../openapi'

const KeySchema = z
  .object({
    id: z.string(),
    prefix: z.string(),
    name: z.string().nullable(),
    role: z.enum(['admin', 'auditor', 'api-client']),
    status: z.enum(['active', 'revoked']),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('ApiKey')
const CreatedKeySchema = KeySchema.extend({ key: z.string().describe('The plaintext key: shown once, never again') }).openapi('CreatedApiKey')
const CreateKeySchema = z
  .object({
    role: z.enum(['admin', 'auditor', 'api-client']),
    name: z.string().trim().min(1).max(200).optional(),
    expires_at: z.iso.datetime({ offset: true }).optional(),
  })
  .openapi('CreateApiKey')
const IdParam = z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) })

export type CreateApiKeyRequest = z.input<typeof CreateKeySchema>
export type CreatedApiKey = z.infer<typeof CreatedKeySchema>

const toWire = (k: ApiKey): z.infer<typeof KeySchema> => ({
  id: k.id,
  prefix: k.prefix,
  name: k.name || null,
  role: k.role,
  status: k.status,
  expires_at: k.expiresAt?.toISOString() ?? null,
  last_used_at: k.lastUsedAt?.toISOString() ?? null,
  created_at: k.createdAt.toISOString(),
})

const tags = ['admin: api keys']
const create = createRoute({
  method: 'post',
  path: '/admin/api-keys',
  tags,
  summary: 'Create a key; the plaintext is in this answer only',
  security,
  request: { body: { required: true, content: { 'application/json': { schema: CreateKeySchema } } } },
  responses: { 201: jsonContent(CreatedKeySchema, 'Created'), ...errorResponses },
})
const list = createRoute({
  method: 'get',
  path: '/admin/api-keys',
  tags,
  summary: 'List keys with prefix, role and last use',
  security,
  responses: { 200: jsonContent(z.object({ items: z.array(KeySchema) }), 'Keys'), ...errorResponses },
})
const revoke = createRoute({
  method: 'post',
  path: '/admin/api-keys/{id}/revoke',
  tags,
  summary: 'Revoke a key (effective at once on this instance)',
  security,
  request: { params: IdParam },
  responses: { 200: jsonContent(KeySchema, 'Revoked'), ...errorResponses, ...notFoundResponse },
})
const rotate = createRoute({
  method: 'post',
  path: '/admin/api-keys/{id}/rotate',
  tags,
  summary: 'Issue a new key with the same role and name, and revoke the old one',
  security,
  request: { params: IdParam },
  responses: { 201: jsonContent(CreatedKeySchema, 'The new key'), ...errorResponses, ...notFoundResponse },
})

export function registerApiKeyRoutes(app: App): void {
  app.openapi(create, async (c) => {
    const body = c.req.valid('json')
    const expiresAt = body.expires_at ? new Date(body.expires_at) : null
    if (expiresAt && expiresAt <= c.get('services').clock()) {
      throw ApiError.validation([{ loc: ['body', 'expires_at'], msg: 'expires_at must be in the future', type: 'value_error' }])
    }
    const { key, plaintext } = await createApiKey({
      ctx: c.get('ctx'),
      input: {
        tenantId: c.get('tenant').id,
        actorKeyId: c.get('apiKey').id,
        role: body.role,
        name: body.name ?? null,
        expiresAt,
      },
    })
    c.header('Cache-Control', 'no-store') // the plaintext key: no cache may keep it
    return c.json({ ...toWire(key), key: plaintext }, 201)
  })

  app.openapi(list, async (c) => {
    const keys = await listApiKeys({ ctx: c.get('ctx'), input: { tenantId: c.get('tenant').id } })
    return c.json({ items: keys.map(toWire) }, 200)
  })

  app.openapi(revoke, async (c) => {
    const { keyCache } = c.get('services')
    const id = c.req.valid('param').id
    const record = await revokeApiKey({ ctx: c.get('ctx'), input: { tenantId: c.get('tenant').id, actorKeyId: c.get('apiKey').id, keyId: id } })
    if (!record) throw ApiError.notFound('API key not found')
    keyCache.invalidateKey(id)
    return c.json(toWire(record), 200)
  })

  app.openapi(rotate, async (c) => {
    const { keyCache } = c.get('services')
    const id = c.req.valid('param').id
    const rotated = await rotateApiKey({ ctx: c.get('ctx'), input: { tenantId: c.get('tenant').id, actorKeyId: c.get('apiKey').id, keyId: id } })
    if (!rotated) throw ApiError.notFound('API key not found')
    keyCache.invalidateKey(id)
    c.header('Cache-Control', 'no-store')
    return c.json({ ...toWire(rotated.key), key: rotated.plaintext }, 201)
  })
}
