import { createRoute, z } from '@hono/zod-openapi'
import type { EvaluateResponse } from '../../../engine/index'
import { ApiError } from '../../errors'
import { rateLimit } from '../../middleware/rate-limit'
import { renderV1Job, renderV1JobItem, type NativeItem } from '../../wire/v1/index'
import { V1JobItemsSchema, V1JobSchema } from '../../wire/v1/schemas'
import { type App, errorResponses, jsonContent, notFoundResponse, security } from '../openapi'
import { decodeCursor, encodeCursor, MAX_RESULTS_PAGE } from './results'
import { jobErrors } from './schemas'

/**
 * `GET /v1/jobs/{job_id}` and `/results` in the replaced service's shapes: lowercase states, a
 * bare list of items whose `result` holds the stored result's columns. Another tenant's job, or
 * an unknown one, is 404 (the original answered 500). Pagination is additive: `limit` / `cursor`
 * still answer a bare list, with the next page's cursor in `X-Next-Cursor`.
 */
const JobIdParam = z.object({ job_id: z.string().openapi({ param: { name: 'job_id', in: 'path' } }) })
const QuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_RESULTS_PAGE).optional(),
  cursor: z.string().max(100).optional(),
})
const tags = ['v1: jobs']

const getJob = createRoute({
  method: 'get',
  path: '/v1/jobs/{job_id}',
  tags,
  summary: 'A batch job: status (queued, running, done, failed) and progress',
  security,
  middleware: [rateLimit('read')] as const,
  request: { params: JobIdParam },
  responses: { 200: jsonContent(V1JobSchema, 'The job'), ...errorResponses, ...notFoundResponse },
})

const getResults = createRoute({
  method: 'get',
  path: '/v1/jobs/{job_id}/results',
  tags,
  summary: 'Each item of a job with its status, result id, error and result',
  security,
  middleware: [rateLimit('read')] as const,
  request: { params: JobIdParam, query: QuerySchema },
  responses: { 200: jsonContent(V1JobItemsSchema, 'The items, in submission order'), ...errorResponses, ...notFoundResponse },
})

type Labels = { policy_version: string | null; taxonomy_version: string | null }

export function registerJobRoutesV1(app: App): void {
  app.openapi(getJob, async (c) => {
    const { repos } = c.get('ctx')
    const job = await repos.jobs.get(c.get('tenant').id, c.req.valid('param').job_id)
    if (!job) throw ApiError.notFound('Job not found')
    // Additive: the first dead items with their errors, as on /v2 (the original had no such field).
    return c.json({ ...renderV1Job(job), errors: await jobErrors(repos.jobItems, job) }, 200)
  })

  app.openapi(getResults, async (c) => {
    const tenantId = c.get('tenant').id
    const query = c.req.valid('query')
    const job = await c.get('ctx').repos.jobs.get(tenantId, c.req.valid('param').job_id)
    if (!job) throw ApiError.notFound('Job not found')
    const paged = query.limit !== undefined || query.cursor !== undefined
    const limit = query.limit ?? 100
    const rows = await c.get('ctx').repos.jobItems.listItems(
      tenantId,
      job.id,
      paged ? { afterIdx: query.cursor ? decodeCursor(query.cursor) : undefined, limit: limit + 1 } : {},
    )
    const page = paged ? rows.slice(0, limit) : rows
    const items = page.map((row) => {
      const wire = (row.wire ?? {}) as { labels?: Labels }
      const item: NativeItem = {
        id: row.id,
        idx: row.idx,
        status: row.status,
        attempts: row.attempts,
        lastError: row.lastError,
        resultId: row.resultId,
        requestId: row.clientRequestId,
        labels: wire.labels,
        result:
          row.response && row.resultId && row.resultRequestId && row.resultCreatedAt
            ? { id: row.resultId, requestId: row.resultRequestId, createdAt: row.resultCreatedAt, response: row.response as unknown as EvaluateResponse }
            : null,
      }
      return renderV1JobItem(item)
    })
    const last = page.at(-1)
    const headers: Record<string, string> = paged && rows.length > limit && last ? { 'X-Next-Cursor': encodeCursor(last.idx) } : {}
    return c.json(items, 200, headers)
  })
}
