import { createRoute, z } from '@hono/zod-openapi'
import { ApiError, type ValidationIssue } from '../../errors'
import type { CourseBinding } from '../../store'
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

const toWire = (b: CourseBinding): z.infer<typeof BindingSchema> => ({
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
  responses: { 201: jsonContent(BindingSchema, 'Created'), ...errorResponses },
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
    const { store } = c.get('services')
    const tenantId = c.get('tenant').id
    const body = c.req.valid('json')
    const [policy, taxonomy] = await Promise.all([
      store.getPolicy(tenantId, body.policy_version),
      body.taxonomy_version ? store.getTaxonomy(tenantId, body.taxonomy_version) : null,
    ])
    const issues: ValidationIssue[] = []
    if (!policy) issues.push({ loc: ['body', 'policy_version'], msg: `Unknown policy_version '${body.policy_version}'`, type: 'value_error' })
    if (body.taxonomy_version && (!taxonomy || taxonomy.status !== 'active')) {
      const why = taxonomy ? `is ${taxonomy.status}, not active` : 'is unknown'
      issues.push({ loc: ['body', 'taxonomy_version'], msg: `taxonomy_version '${body.taxonomy_version}' ${why}`, type: 'value_error' })
    }
    if (issues.length) throw ApiError.validation(issues)
    const created = await store.createBinding(
      tenantId,
      {
        courseId: body.course_id,
        policyVersion: body.policy_version,
        taxonomyVersion: body.taxonomy_version ?? null,
        activeFrom: body.active_from ?? c.get('services').clock().toISOString().slice(0, 10),
      },
      c.get('apiKey').id,
    )
    return c.json(toWire(created), 201)
  })
  app.openapi(list, async (c) => {
    const items = await c.get('services').store.listBindings(c.get('tenant').id)
    return c.json({ items: items.map(toWire) }, 200)
  })
}
