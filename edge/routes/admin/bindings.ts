import { createRoute, z } from '@hono/zod-openapi'
import { createBinding, listBindings, type BindingView } from '../../../services/bindings'
import { type App, errorResponses, jsonContent, security } from '../openapi'

const CreateBindingSchema = z
  .object({
    course_id: z.string().trim().min(1).max(200),
    policy_version: z.string().trim().min(1).max(100),
    /** Omit for "no taxonomy": concepts come from the target syllabus's topics. */
    taxonomy_version: z.string().trim().min(1).max(100).nullish(),
    /** Reference dates on or after this day use the binding. @default today */
    active_from: z.iso.date().optional(),
  })
  .openapi('CreateBinding')
const BindingSchema = z
  .object({
    id: z.string(),
    course_id: z.string(),
    policy_version: z.string(),
    taxonomy_version: z.string().nullable(),
    active_from: z.string(),
    created_at: z.string(),
  })
  .openapi('CourseBinding')

export type CreateBindingRequest = z.input<typeof CreateBindingSchema>

const toWire = (b: BindingView): z.infer<typeof BindingSchema> => ({
  id: b.id,
  course_id: b.courseId,
  policy_version: b.policyVersion,
  taxonomy_version: b.taxonomyVersion,
  active_from: b.activeFrom,
  created_at: b.createdAt.toISOString(),
})

const tags = ['admin: bindings']
const create = createRoute({
  method: 'post',
  path: '/admin/bindings',
  tags,
  summary: 'Bind a course to a policy (and optionally a taxonomy) version from a date on',
  security,
  request: { body: { required: true, content: { 'application/json': { schema: CreateBindingSchema } } } },
  // 200 and `binding_id` / `tenant_id` as the replaced service answered (its clients read them).
  responses: { 200: jsonContent(BindingSchema.extend({ binding_id: z.string(), tenant_id: z.string() }), 'Created'), ...errorResponses },
})
const list = createRoute({
  method: 'get',
  path: '/admin/bindings',
  tags,
  summary: 'List course bindings',
  security,
  responses: { 200: jsonContent(z.object({ items: z.array(BindingSchema) }), 'Bindings'), ...errorResponses },
})

export function registerBindingRoutes(app: App): void {
  app.openapi(create, async (c) => {
    const body = c.req.valid('json')
    const created = await createBinding({
      ctx: c.get('ctx'),
      input: {
        tenantId: c.get('tenant').id,
        actorKeyId: c.get('apiKey').id,
        courseId: body.course_id,
        policyVersion: body.policy_version,
        taxonomyVersion: body.taxonomy_version ?? null,
        activeFrom: body.active_from ?? c.get('services').clock().toISOString().slice(0, 10),
      },
    })
    return c.json({ ...toWire(created), binding_id: created.id, tenant_id: c.get('tenant').id }, 200)
  })
  app.openapi(list, async (c) => {
    const items = await listBindings({ ctx: c.get('ctx'), input: { tenantId: c.get('tenant').id } })
    return c.json({ items: items.map(toWire) }, 200)
  })
}
