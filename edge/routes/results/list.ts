import { createRoute, z } from '@hono/zod-openapi'
import { DecisaoSchema } from '../../../engine/index'
import { ApiError } from '../../errors'
import { rateLimit } from '../../middleware/rate-limit'
import { type App, errorResponses, jsonContent, security } from '../openapi'
import { ResultSummarySchema, toSummary } from './schemas'

const MAX_PAGE = 100

/** Cursor = base64url of `createdAt|id` of the last item; opaque to clients. */
const encodeCursor = (createdAt: Date, id: string) => btoa(`${createdAt.toISOString()}|${id}`).replace(/=+$/, '')
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = atob(cursor).split('|')
    const createdAt = new Date(at ?? '')
    if (!id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(createdAt.getTime())) throw new Error('bad cursor')
    return { createdAt, id }
  } catch {
    throw ApiError.validation([{ loc: ['query', 'cursor'], msg: 'Invalid cursor', type: 'value_error' }])
  }
}

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
  summary: 'Stored evaluations of the caller’s tenant, newest first',
  security,
  middleware: [rateLimit('read')] as const,
  request: { query: QuerySchema },
  responses: { 200: jsonContent(ListSchema, 'A page of results'), ...errorResponses },
})

export function registerListResults(app: App): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query')
    const items = await c.get('services').store.listResults(c.get('tenant').id, {
      decisao: q.decisao,
      courseId: q.course_id,
      degraded: q.degraded === undefined ? undefined : q.degraded === 'true',
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      cursor: q.cursor ? decodeCursor(q.cursor) : undefined,
      limit: q.limit + 1,
    })
    const page = items.slice(0, q.limit)
    const last = page.at(-1)
    const next = items.length > q.limit && last ? encodeCursor(last.createdAt, last.id) : null
    return c.json({ items: page.map(toSummary), next_cursor: next }, 200)
  })
}
