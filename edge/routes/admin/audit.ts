import { createRoute, z } from '@hono/zod-openapi'
import { type App, errorResponses, jsonContent, security } from '../openapi'

const VerificationSchema = z
  .object({
    ok: z.boolean(),
    checked: z.number().int(),
    broken_at: z.number().int().nullable(),
    reason: z.enum(['missing_row', 'prev_hash_mismatch', 'hash_mismatch']).nullable(),
  })
  .openapi('AuditVerification')

const route = createRoute({
  method: 'get',
  path: '/admin/audit/verify',
  tags: ['admin: audit'],
  summary: 'Recompute the tenant’s audit hash chain and report the first broken link',
  security,
  responses: { 200: jsonContent(VerificationSchema, 'Verification result'), ...errorResponses },
})

export function registerAuditRoutes(app: App): void {
  app.openapi(route, async (c) => {
    const v = await c.get('ctx').repos.audit.verifyChain(c.get('tenant').id)
    return c.json(
      v.ok
        ? { ok: true, checked: v.checked, broken_at: null, reason: null }
        : { ok: false, checked: v.checked, broken_at: v.brokenAt, reason: v.reason },
      200,
    )
  })
}
