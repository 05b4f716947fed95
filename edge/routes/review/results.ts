import { createRoute, z } from '@hono/zod-openapi'
import { createPrecedentsRepository } from '../../../db/repositories/precedents'
import { createReviewQueueRepository } from '../../../db/repositories/review-queue'
import { DecisaoSchema, EvaluateResponseSchema } from '../../../engine/index'
import { listReviews } from '../../../services/reviews'
import { ApiError } from '../../errors'
import { rateLimit } from '../../middleware/rate-limit'
import { type App, errorResponses, jsonContent, notFoundResponse, security } from '../openapi'

/**
 * /v2 reads of the human loop: a result with the inputs it was evaluated on and its review state,
 * its reviews, and the result list with course names and review state.
 */

const IdParam = z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) })

const ReviewSchema = z
  .object({
    id: z.string(),
    result_id: z.string(),
    label: z.enum(['DEFERIDO', 'INDEFERIDO']),
    motivo: z.string(),
    notes: z.string().nullable(),
    reviewer_key_id: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('ReviewV2')

const ResultV2Schema = z
  .object({
    id: z.string().uuid(),
    request_id: z.string(),
    course_id: z.string().nullable(),
    decisao: DecisaoSchema,
    score: z.number(),
    degraded_mode: z.boolean(),
    simulation: z.boolean(),
    created_at: z.string(),
    input_hash: z.string(),
    /** The request as evaluated (without request_id); null once the tenant's retention removed it. */
    inputs: z.record(z.string(), z.unknown()).nullable(),
    inputs_purged_at: z.string().nullable(),
    review_state: z.enum(['pendente', 'revisado', 'nao_requer']),
    reviews: z.array(ReviewSchema),
    /** Precedents made from this result's reviews. */
    precedentes: z.array(z.object({ id: z.string(), status: z.string(), decisao: z.string() })),
    response: EvaluateResponseSchema,
  })
  .openapi('ResultV2')

const SummaryV2Schema = z
  .object({
    id: z.string().uuid(),
    request_id: z.string(),
    course_id: z.string().nullable(),
    decisao: DecisaoSchema,
    score: z.number(),
    degraded_mode: z.boolean(),
    created_at: z.string(),
    origem_nome: z.string().nullable(),
    origem_instituicao: z.string().nullable(),
    destino_nome: z.string().nullable(),
    review_state: z.enum(['pendente', 'revisado', 'nao_requer']),
    assigned_key_id: z.string().nullable(),
  })
  .openapi('ResultSummaryV2')

type Review = Awaited<ReturnType<typeof listReviews>>[number]
const toReview = (r: Review) => ({
  id: r.id,
  result_id: r.resultId,
  label: r.label,
  motivo: r.motivo,
  notes: r.notes || null,
  reviewer_key_id: r.reviewerKeyId,
  created_at: r.createdAt.toISOString(),
})

const stateOf = (decisao: string, reviewed: boolean) => (reviewed ? 'revisado' : decisao === 'ANALISE_HUMANA' ? 'pendente' : 'nao_requer') as 'pendente' | 'revisado' | 'nao_requer'

const getRoute = createRoute({
  method: 'get',
  path: '/v2/results/{id}',
  tags: ['results'],
  summary: 'One stored evaluation with its inputs, review state, reviews and precedents',
  security,
  middleware: [rateLimit('read')] as const,
  request: { params: IdParam },
  responses: { 200: jsonContent(ResultV2Schema, 'The result'), ...errorResponses, ...notFoundResponse },
})

const reviewsRoute = createRoute({
  method: 'get',
  path: '/v2/results/{id}/reviews',
  tags: ['results'],
  summary: 'The reviews of a result, oldest first',
  security,
  middleware: [rateLimit('read')] as const,
  request: { params: IdParam },
  responses: { 200: jsonContent(z.object({ items: z.array(ReviewSchema) }), 'Its reviews'), ...errorResponses, ...notFoundResponse },
})

const ListQuery = z.object({
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
  limit: z.coerce.number().int().min(1).max(100).default(50),
})

const listRoute = createRoute({
  method: 'get',
  path: '/v2/results',
  tags: ['results'],
  summary: 'Stored evaluations with course names and review state (`from` inclusive, `to` exclusive)',
  security,
  middleware: [rateLimit('read')] as const,
  request: { query: ListQuery },
  responses: {
    200: jsonContent(z.object({ items: z.array(SummaryV2Schema), next_cursor: z.string().nullable() }), 'A page of results'),
    ...errorResponses,
  },
})

export function registerReviewResultRoutes(app: App): void {
  app.openapi(getRoute, async (c) => {
    const tenantId = c.get('tenant').id
    const ctx = c.get('ctx')
    const id = c.req.valid('param').id
    const result = await ctx.repos.results.get(tenantId, id)
    if (!result) throw ApiError.notFound('Result not found')
    const [reviews, rules] = await Promise.all([
      listReviews({ ctx, input: { tenantId, resultId: id } }),
      createPrecedentsRepository(ctx.db).listByResult(tenantId, id),
    ])
    return c.json(
      {
        id: result.id,
        request_id: result.requestId,
        course_id: result.courseId,
        decisao: result.decisao,
        score: result.score,
        degraded_mode: result.degraded,
        simulation: result.simulation,
        created_at: result.createdAt.toISOString(),
        input_hash: result.inputHash,
        inputs: result.inputs ?? null,
        inputs_purged_at: result.inputsPurgedAt?.toISOString() ?? null,
        review_state: stateOf(result.decisao, reviews.length > 0),
        reviews: reviews.map(toReview),
        precedentes: rules.map((p) => ({ id: p.id, status: p.status, decisao: p.decisao })),
        response: result.response as z.infer<typeof EvaluateResponseSchema>,
      },
      200,
    )
  })

  app.openapi(reviewsRoute, async (c) => {
    const tenantId = c.get('tenant').id
    const ctx = c.get('ctx')
    const id = c.req.valid('param').id
    // Another tenant's result is not found, rather than an empty list that would confirm nothing.
    if (!(await ctx.repos.results.get(tenantId, id))) throw ApiError.notFound('Result not found')
    return c.json({ items: (await listReviews({ ctx, input: { tenantId, resultId: id } })).map(toReview) }, 200)
  })

  app.openapi(listRoute, async (c) => {
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
          id: r.id,
          request_id: r.requestId,
          course_id: r.courseId,
          decisao: r.decisao,
          score: r.score,
          degraded_mode: r.degraded,
          created_at: r.createdAt.toISOString(),
          origem_nome: r.originName,
          origem_instituicao: r.originInstitution,
          destino_nome: r.targetName,
          review_state: stateOf(r.decisao, r.reviewed),
          assigned_key_id: r.assignedKeyId,
        })),
        next_cursor: page.nextCursor,
      },
      200,
    )
  })
}
