import { createRoute, z } from '@hono/zod-openapi'
import { type App, errorResponses, jsonContent, security } from '../openapi'

const VerificationSchema = z
  .object({ ok: z.boolean(), checked: z.number().int(), first_broken_id: z.string().nullable() })
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
    const v = await c.get('services').store.verifyAudit(c.get('tenant').id)
    return c.json({ ok: v.ok, checked: v.checked, first_broken_id: v.firstBrokenId }, 200)
  })
}
