import { createRoute, type z } from '@hono/zod-openapi'
import { ApiError } from '../../errors'
import { rateLimit } from '../../middleware/rate-limit'
import { type App, errorResponses, jsonContent, notFoundResponse, security } from '../openapi'
import { IdParam, ResultSchema, toSummary } from './schemas'

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

export function registerGetResult(app: App): void {
  app.openapi(route, async (c) => {
    const result = await c.get('ctx').repos.results.get(c.get('tenant').id, c.req.valid('param').id)
    if (!result) throw ApiError.notFound('Result not found')
    return c.json({ ...toSummary(result), response: result.response as GetResultResponse['response'] }, 200)
  })
}
