import { createRoute } from '@hono/zod-openapi'
import { findUnsafeText } from '../../../engine/safe-text'
import type { BatchItemPayload } from '../../../jobs/messages'
import type { BatchServices } from '../../context'
import { requireRole } from '../../middleware/auth'
import { rateLimit } from '../../middleware/rate-limit'
import { parseV1EvaluateRequest, renderV1BatchCreated } from '../../wire/v1/index'
import { V1BatchCreatedSchema, V1BatchRequestSchema } from '../../wire/v1/schemas'
import { type App, errorResponses, jsonContent, security } from '../openapi'
import { acceptBatch, mapInChunks } from './batch-accept'

/**
 * `POST /v1/equivalences/batch` as the replaced service took it: every item is accepted and
 * queued; an item that does not parse fails on its own, with its validation message as the item's
 * `error`, and the job goes on. Version names are labels, as in evaluate.
 */
const route = createRoute({
  method: 'post',
  path: '/v1/equivalences/batch',
  tags: ['v1: equivalences'],
  summary: 'Queue evaluations in the replaced service’s contract; poll GET /v1/jobs/{job_id}',
  security,
  middleware: [requireRole('admin', 'api-client'), rateLimit('batch')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: V1BatchRequestSchema } } } },
  responses: { 200: jsonContent(V1BatchCreatedSchema, 'Accepted: the job and its items are stored'), ...errorResponses },
})

export function registerBatchV1(app: App, batch: BatchServices): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json')
    const role = c.get('apiKey').role
    const job = await acceptBatch(c, batch, {
      count: body.items.length,
      callbackUrl: body.callback_url,
      payloads: () =>
        mapInChunks(body.items, (item, i): BatchItemPayload => {
          const parsed = parseV1EvaluateRequest(item, ['body', 'items', i])
          if (parsed.ok) return { request: parsed.value.request, role, labels: 'lenient', wire: { labels: parsed.value.labels } }
          // Stored as sent, with the reason: the item handler fails it at once, never retried.
          // An item with NUL or an unpaired surrogate cannot be stored as sent (jsonb refuses it): its
          // reason is kept, its text is not.
          const storable = isObject(item) && findUnsafeText(item) === null
          return { request: storable ? item : {}, role, invalid: parsed.issues.map((x) => `${x.loc.join('.')}: ${x.msg}`).join('; ') }
        }),
    })
    return c.json(renderV1BatchCreated(job), 200)
  })
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
