import { createRoute, z } from '@hono/zod-openapi'
import type { Repositories } from '../../../db/repositories/index'
import { ApiError } from '../../errors'
import { CALLBACK_SIGNATURE_HEADER } from '../../../jobs/callbacks/signature'
import { buildTaxonomyIndexMessage, evaluateItemMessage } from '../../../jobs/messages'
import type { BatchServices } from '../../context'
import { type App, errorResponses, jsonContent, notFoundResponse, security } from '../openapi'

const DeadItemSchema = z
  .object({
    item_id: z.uuid(),
    job_id: z.uuid(),
    index: z.number().int(),
    attempts: z.number().int(),
    error: z.string().nullable(),
    died_at: z.string(),
  })
  .openapi('DeadJobItem')

const ListQuery = z.object({
  job_id: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** The last item id of the previous page. */
  cursor: z.uuid().optional(),
})
const ListSchema = z.object({ items: z.array(DeadItemSchema), next_cursor: z.string().nullable() })
const RequeuedSchema = z.object({ job_id: z.uuid(), requeued: z.number().int(), item_ids: z.array(z.uuid()) })
const CallbackSecretSchema = z.object({ secret: z.string(), header: z.string(), scheme: z.string() })

const listRoute = createRoute({
  method: 'get',
  path: '/admin/jobs/dead-letters',
  tags: ['admin'],
  summary: 'Job items that failed for good, with their last error',
  security,
  request: { query: ListQuery },
  responses: { 200: jsonContent(ListSchema, 'A page of dead items'), ...errorResponses },
})

const requeueJobRoute = createRoute({
  method: 'post',
  path: '/admin/jobs/{id}/requeue',
  tags: ['admin'],
  summary: 'Requeue every dead item of a job (fresh attempts; the job runs again)',
  security,
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: jsonContent(RequeuedSchema, 'What was requeued (possibly nothing)'), ...errorResponses, ...notFoundResponse },
})

const requeueItemRoute = createRoute({
  method: 'post',
  path: '/admin/jobs/{id}/items/{item_id}/requeue',
  tags: ['admin'],
  summary: 'Requeue one dead item',
  security,
  request: { params: z.object({ id: z.string(), item_id: z.string() }) },
  responses: { 200: jsonContent(RequeuedSchema, 'The item was requeued'), ...errorResponses, ...notFoundResponse },
})

const callbackSecretRoute = createRoute({
  method: 'get',
  path: '/admin/jobs/callback-secret',
  tags: ['admin'],
  summary: 'The secret that signs this tenant’s job callbacks, and how to verify them',
  security,
  responses: { 200: jsonContent(CallbackSecretSchema, 'Signing secret and scheme'), ...errorResponses },
})

const taxonomyIndexRoute = createRoute({
  method: 'post',
  path: '/admin/jobs/taxonomy-index',
  tags: ['admin'],
  summary: 'Build the embedding index of a taxonomy version (a worker job; re-running skips cached nodes)',
  security,
  request: {
    body: { required: true, content: { 'application/json': { schema: z.object({ taxonomy_version: z.string().trim().min(1).max(100) }) } } },
  },
  responses: {
    202: jsonContent(z.object({ taxonomy_version: z.string(), status: z.literal('QUEUED') }), 'Queued'),
    ...errorResponses,
    ...notFoundResponse,
  },
})

/** The batch tier's admin routes (registered by admin/index.ts, under its role check and rate limit). */
export function registerDeadLetterRoutes(app: App, batch: BatchServices): void {
  app.openapi(taxonomyIndexRoute, async (c) => {
    const { taxonomy_version } = c.req.valid('json')
    const tenantId = c.get('tenant').id
    if (!(await c.get('ctx').repos.taxonomies.getByVersion(tenantId, taxonomy_version))) throw ApiError.notFound('Taxonomy version not found')
    await batch.dispatcher.dispatch([buildTaxonomyIndexMessage(tenantId, taxonomy_version)])
    return c.json({ taxonomy_version, status: 'QUEUED' as const }, 202)
  })

  app.openapi(listRoute, async (c) => {
    const q = c.req.valid('query')
    const rows = await c.get('ctx').repos.jobItems.listDead(c.get('tenant').id, { jobId: q.job_id, afterId: q.cursor, limit: q.limit + 1 })
    const page = rows.slice(0, q.limit)
    return c.json(
      {
        items: page.map((r) => ({
          item_id: r.id,
          job_id: r.jobId,
          index: r.idx,
          attempts: r.attempts,
          error: r.lastError,
          died_at: r.updatedAt.toISOString(),
        })),
        next_cursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
      },
      200,
    )
  })

  /** Requeues, then hands the items to the dispatcher again (a fresh deduplication id each time). */
  async function requeue(repos: Repositories, tenantId: string, actorKeyId: string, jobId: string, itemId?: string) {
    const job = await repos.jobs.get(tenantId, jobId)
    if (!job) throw ApiError.notFound('Job not found')
    const ids = await repos.jobItems.requeueDead(tenantId, { jobId: job.id, itemId }, actorKeyId)
    if (itemId && ids.length === 0) throw ApiError.notFound('No dead item with that id in this job')
    const now = Date.now()
    await batch.dispatcher.dispatch(ids.map((id) => evaluateItemMessage(id, now, tenantId)))
    return { job_id: job.id, requeued: ids.length, item_ids: ids }
  }

  app.openapi(requeueJobRoute, async (c) => {
    return c.json(await requeue(c.get('ctx').repos, c.get('tenant').id, c.get('apiKey').id, c.req.valid('param').id), 200)
  })

  app.openapi(requeueItemRoute, async (c) => {
    const { id, item_id } = c.req.valid('param')
    return c.json(await requeue(c.get('ctx').repos, c.get('tenant').id, c.get('apiKey').id, id, item_id), 200)
  })

  app.openapi(callbackSecretRoute, async (c) => {
    c.header('Cache-Control', 'no-store') // a secret: no cache, shared or private, may keep it
    return c.json(
      {
        secret: await batch.callbackSecret(c.get('tenant').id),
        header: CALLBACK_SIGNATURE_HEADER,
        scheme: 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>; reject if |now - t| > 300 s',
      },
      200,
    )
  })
}
