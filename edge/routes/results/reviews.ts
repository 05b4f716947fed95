import { createRoute, z } from '@hono/zod-openapi'
import { ApiError } from '../../errors'
import { requireRole } from '../../middleware/auth'
import { rateLimit } from '../../middleware/rate-limit'
import { type App, errorResponses, jsonContent, notFoundResponse, security } from '../openapi'
import { IdParam, ReviewV2Schema, toReviewV2 } from './schemas'
import { createReview, listReviews } from '../../../services/reviews'
import { observeReview } from '../calibrations/metrics'

const ReviewRequestSchema = z
  .object({
    /** The reviewer's final decision. */
    label: z.enum(['DEFERIDO', 'INDEFERIDO']),
    notes: z.string().trim().max(5000).optional(),
  })
  .openapi('ReviewRequest')
const ReviewSchema = z
  .object({ id: z.string(), result_id: z.string(), label: z.string(), notes: z.string().nullable(), created_at: z.string() })
  .openapi('Review')

export type CreateReviewRequest = z.input<typeof ReviewRequestSchema>
export type CreateReviewResponse = z.infer<typeof ReviewSchema>

const route = createRoute({
  method: 'post',
  path: '/v1/results/{id}/reviews',
  tags: ['results'],
  summary: 'Record a human review (label + notes) of a result',
  security,
  middleware: [requireRole('admin', 'auditor'), rateLimit('read')] as const,
  request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: ReviewRequestSchema } } } },
  responses: { 201: jsonContent(ReviewSchema, 'Review recorded'), ...errorResponses, ...notFoundResponse },
})

export function registerCreateReview(app: App): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json')
    const review = await createReview({
      ctx: c.get('ctx'),
      input: { tenantId: c.get('tenant').id, actorKeyId: c.get('apiKey').id, resultId: c.req.valid('param').id, label: body.label, notes: body.notes ?? null },
    })
    if (!review) throw ApiError.notFound('Result not found')
    await observeReview(c.get('ctx'), c.get('services'), { tenantId: c.get('tenant').id, resultId: review.resultId, label: review.label })
    return c.json(
      { id: review.id, result_id: review.resultId, label: review.label, notes: review.notes || null, created_at: review.createdAt.toISOString() },
      201,
    )
  })
}

const listRoute = createRoute({
  method: 'get',
  path: '/v2/results/{id}/reviews',
  tags: ['results'],
  summary: 'The reviews of a result, oldest first',
  security,
  middleware: [rateLimit('read')] as const,
  request: { params: IdParam },
  responses: { 200: jsonContent(z.object({ items: z.array(ReviewV2Schema) }), 'Its reviews'), ...errorResponses, ...notFoundResponse },
})

export function registerListReviewsV2(app: App): void {
  app.openapi(listRoute, async (c) => {
    const tenantId = c.get('tenant').id
    const ctx = c.get('ctx')
    const id = c.req.valid('param').id
    // Another tenant's result is not found, rather than an empty list that would confirm nothing.
    if (!(await ctx.repos.results.get(tenantId, id))) throw ApiError.notFound('Result not found')
    return c.json({ items: (await listReviews({ ctx, input: { tenantId, resultId: id } })).map(toReviewV2) }, 200)
  })
}
