import { createRoute, z } from '@hono/zod-openapi'
import { createReviewQueueRepository } from '../../../db/repositories/review-queue'
import { DecisaoSchema } from '../../../engine/index'
import { rateLimit } from '../../middleware/rate-limit'
import { type App, errorResponses, jsonContent, security } from '../openapi'
import { ResultSummarySchema, ResultSummaryV2Schema, resultFieldsOf, reviewStateOf, toSummary } from './schemas'

const MAX_PAGE = 100

const QuerySchema = z.object({
  decisao: DecisaoSchema.optional(),
  course_id: z.string().min(1).max(200).optional(),
  degraded: z.enum(['true', 'false']).optional(),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
})

export type ListResultsQuery = z.input<typeof QuerySchema>
const ListSchema = z.object({ items: z.array(ResultSummarySchema), next_cursor: z.string().nullable() })
export type ListResultsResponse = z.infer<typeof ListSchema>

const route = createRoute({
  method: 'get',
  path: '/v1/results',
  tags: ['results'],
  summary: 'Stored evaluations of the caller’s tenant, newest first (`from` inclusive, `to` exclusive)',
  security,
  middleware: [rateLimit('read')] as const,
  request: { query: QuerySchema },
  responses: { 200: jsonContent(ListSchema, 'A page of results'), ...errorResponses },
})

export function registerListResults(app: App): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query')
    const page = await c.get('ctx').repos.results.list(
      c.get('tenant').id,
      {
        decisao: q.decisao,
        courseId: q.course_id,
        degraded: q.degraded === undefined ? undefined : q.degraded === 'true',
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      },
      { cursor: q.cursor, limit: q.limit },
    )
    return c.json({ items: page.items.map(toSummary), next_cursor: page.nextCursor }, 200)
  })
}

const QueryV2Schema = z.object({
  decisao: DecisaoSchema.optional(),
  review_state: z.enum(['pendente', 'revisado', 'todos']).default('todos'),
  course: z.string().trim().min(1).max(200).optional(),
  origem_instituicao: z.string().trim().min(1).max(200).optional(),
  degraded: z.enum(['true', 'false']).optional(),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  assigned_key_id: z.string().uuid().optional(),
  order: z.enum(['newest', 'oldest']).default('newest'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
})

const routeV2 = createRoute({
  method: 'get',
  path: '/v2/results',
  tags: ['results'],
  summary: 'Stored evaluations with course names and review state (`from` inclusive, `to` exclusive)',
  security,
  middleware: [rateLimit('read')] as const,
  request: { query: QueryV2Schema },
  responses: {
    200: jsonContent(z.object({ items: z.array(ResultSummaryV2Schema), next_cursor: z.string().nullable() }), 'A page of results'),
    ...errorResponses,
  },
})

/** `/v2/results`: the review queue's read (course names, origin institution, review state, assignment). */
export function registerListResultsV2(app: App): void {
  app.openapi(routeV2, async (c) => {
    const q = c.req.valid('query')
    const page = await createReviewQueueRepository(c.get('ctx').db).list(
      c.get('tenant').id,
      {
        decisao: q.decisao ?? null,
        state: q.review_state,
        course: q.course,
        originInstitution: q.origem_instituicao,
        degraded: q.degraded === undefined ? undefined : q.degraded === 'true',
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        reviewerKeyId: q.assigned_key_id,
      },
      { cursor: q.cursor, limit: q.limit, order: q.order },
    )
    return c.json(
      {
        items: page.items.map((r) => ({
          ...resultFieldsOf(r),
          created_at: r.createdAt.toISOString(),
          origem_nome: r.originName,
          origem_instituicao: r.originInstitution,
          destino_nome: r.targetName,
          review_state: reviewStateOf(r.decisao, r.reviewed),
          assigned_key_id: r.assignedKeyId,
        })),
        next_cursor: page.nextCursor,
      },
      200,
    )
  })
}
