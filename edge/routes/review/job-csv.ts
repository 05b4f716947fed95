import { createRoute, z } from '@hono/zod-openapi'
import { createJobReportsRepository } from '../../../db/repositories/job-reports'
import { CSV_HEADERS, jobResultsCsv } from '../../console/csv'
import { ApiError } from '../../errors'
import { rateLimit } from '../../middleware/rate-limit'
import { type App, errorResponses, notFoundResponse, security } from '../openapi'

const route = createRoute({
  method: 'get',
  path: '/v2/jobs/{id}/results.csv',
  tags: ['jobs'],
  summary: 'A job’s items and decisions as CSV, streamed in index order',
  security,
  middleware: [rateLimit('read')] as const,
  request: { params: z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: {
    200: { description: 'RFC 4180 CSV: idx, status, result_id, decisao, score, degraded_mode, origem, destino, justificativa_curta, erro', content: { 'text/csv': { schema: z.string() } } },
    ...errorResponses,
    ...notFoundResponse,
  },
})

export function registerJobCsv(app: App): void {
  app.openapi(route, async (c) => {
    const reports = createJobReportsRepository(c.get('ctx').db)
    const tenantId = c.get('tenant').id
    const job = await reports.get(tenantId, c.req.valid('param').id)
    if (!job) throw ApiError.notFound('Job not found')
    return new Response(jobResultsCsv(reports, tenantId, job.id), { status: 200, headers: CSV_HEADERS(job.id) }) as never
  })
}
