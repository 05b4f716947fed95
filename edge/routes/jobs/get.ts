import { createRoute } from '@hono/zod-openapi'
import { ApiError } from '../../errors'
import { rateLimit } from '../../middleware/rate-limit'
import { jobExample } from '../examples'
import { type App, errorResponses, jsonContent, notFoundResponse, security } from '../openapi'
import { JobIdParam, JobSchema, jobErrors, toJob } from './schemas'

const route = createRoute({
  method: 'get',
  path: '/v2/jobs/{id}',
  tags: ['jobs'],
  summary: 'Status and progress of a batch job of the caller’s tenant',
  security,
  middleware: [rateLimit('read')] as const,
  request: { params: JobIdParam },
  responses: { 200: jsonContent(JobSchema, 'The job', jobExample), ...errorResponses, ...notFoundResponse },
})

export function registerGetJob(app: App): void {
  app.openapi(route, async (c) => {
    const { repos } = c.get('ctx')
    const job = await repos.jobs.get(c.get('tenant').id, c.req.valid('param').id)
    if (!job) throw ApiError.notFound('Job not found')
    return c.json(toJob(job, await jobErrors(repos.jobItems, job)), 200)
  })
}
