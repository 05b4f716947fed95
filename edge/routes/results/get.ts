import { createRoute, type z } from '@hono/zod-openapi'
import { createPrecedentsRepository } from '../../../db/repositories/precedents'
import { listReviews } from '../../../services/reviews'
import { ApiError } from '../../errors'
import { rateLimit } from '../../middleware/rate-limit'
import { type App, errorResponses, jsonContent, notFoundResponse, security } from '../openapi'
import { IdParam, ResultSchema, ResultV2Schema, reviewStateOf, toReviewV2, toSummary } from './schemas'

export type GetResultResponse = z.infer<typeof ResultSchema>

const route = createRoute({
  method: 'get',
  path: '/v1/results/{id}',
  tags: ['results'],
  summary: 'One stored evaluation with its full response',
  security,
  middleware: [rateLimit('read')] as const,
  request: { params: IdParam },
  responses: { 200: jsonContent(ResultSchema, 'The result'), ...errorResponses, ...notFoundResponse },
})

const routeV2 = createRoute({
  method: 'get',
  path: '/v2/results/{id}',
  tags: ['results'],
  summary: 'One stored evaluation with its inputs, review state, reviews and precedents',
  security,
  middleware: [rateLimit('read')] as const,
  request: { params: IdParam },
  responses: { 200: jsonContent(ResultV2Schema, 'The result'), ...errorResponses, ...notFoundResponse },
})

export function registerGetResult(app: App): void {
  app.openapi(route, async (c) => {
    const result = await c.get('ctx').repos.results.get(c.get('tenant').id, c.req.valid('param').id)
    if (!result) throw ApiError.notFound('Result not found')
    return c.json({ ...toSummary(result), response: result.response as GetResultResponse['response'] }, 200)
  })
}

/** `/v2/results/{id}`: the `/v1` result with the inputs it was evaluated on, its review state, reviews and precedents. */
export function registerGetResultV2(app: App): void {
  app.openapi(routeV2, async (c) => {
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
        ...toSummary(result),
        input_hash: result.inputHash,
        inputs: result.inputs ?? null,
        inputs_purged_at: result.inputsPurgedAt?.toISOString() ?? null,
        review_state: reviewStateOf(result.decisao, reviews.length > 0),
        reviews: reviews.map(toReviewV2),
        precedentes: rules.map((p) => ({ id: p.id, status: p.status, decisao: p.decisao })),
        response: result.response as z.infer<typeof ResultV2Schema>['response'],
      },
      200,
    )
  })
}
