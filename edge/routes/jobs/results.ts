import { createRoute, z } from '@hono/zod-openapi'
import { ApiError } from '../../errors'
import { rateLimit } from '../../middleware/rate-limit'
import { jobItemsExample } from '../examples'
import { type App, errorResponses, jsonContent, notFoundResponse, security } from '../openapi'
import { JobIdParam, JobItemSchema, toJobItem } from './schemas'

export const MAX_RESULTS_PAGE = 1000
const DEFAULT_RESULTS_PAGE = 100

const QuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_RESULTS_PAGE).optional(),
  /** Opaque; from the previous page's `next_cursor`. */
  cursor: z.string().max(100).optional(),
})
const PageSchema = z.object({ items: z.array(JobItemSchema), next_cursor: z.string().nullable() })

export type JobResultsPage = z.infer<typeof PageSchema>
export type JobResultsList = z.infer<typeof JobItemSchema>[]

const route = createRoute({
  method: 'get',
  path: '/v2/jobs/{id}/results',
  tags: ['jobs'],
  summary: 'Each item of a job with its status, result or error, in submission order',
  description:
    'Without parameters: a plain JSON list of every item, as the replaced service answered. With ' +
    '`limit` (≤ 1000) and/or `cursor`: a page `{items, next_cursor}`.',
  security,
  middleware: [rateLimit('read')] as const,
  request: { params: JobIdParam, query: QuerySchema },
  responses: {
    200: jsonContent(z.union([z.array(JobItemSchema), PageSchema]), 'All items, or a page of them', jobItemsExample),
    ...errorResponses,
    ...notFoundResponse,
  },
})

/** Opaque cursors: base64url of the last index a page returned. */
export const encodeCursor = (idx: number) => btoa(JSON.stringify({ after: idx })).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

export function decodeCursor(cursor: string): number {
  try {
    const { after } = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))) as { after: unknown }
    if (Number.isInteger(after) && (after as number) >= 0) return after as number
  } catch {
    // fall through to the 422
  }
  throw ApiError.validation([{ loc: ['query', 'cursor'], msg: 'cursor is not one this API returned', type: 'value_error' }])
}

export function registerJobResults(app: App): void {
  app.openapi(route, async (c) => {
    const tenantId = c.get('tenant').id
    const { id } = c.req.valid('param')
    const query = c.req.valid('query')
    const job = await c.get('ctx').repos.jobs.get(tenantId, id)
    if (!job) throw ApiError.notFound('Job not found')

    if (query.limit === undefined && query.cursor === undefined) {
      const items = await c.get('ctx').repos.jobItems.listItems(tenantId, job.id)
      return c.json(items.map(toJobItem), 200)
    }
    const limit = query.limit ?? DEFAULT_RESULTS_PAGE
    const afterIdx = query.cursor ? decodeCursor(query.cursor) : undefined
    const rows = await c.get('ctx').repos.jobItems.listItems(tenantId, job.id, { afterIdx, limit: limit + 1 })
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return c.json({ items: page.map(toJobItem), next_cursor: rows.length > limit && last ? encodeCursor(last.idx) : null }, 200)
  })
}
