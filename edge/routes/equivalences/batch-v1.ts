import { createRoute } from '@hono/zod-openapi'
import { findUnsafeText } from '../../../engine/safe-text'
import { callbackUrlProblem } from '../../../jobs/callbacks/target'
import { evaluateItemMessage, type BatchItemPayload } from '../../../jobs/messages'
import type { BatchServices } from '../../context'
import { ApiError } from '../../errors'
import { requireRole } from '../../middleware/auth'
import { rateLimit } from '../../middleware/rate-limit'
import { parseV1EvaluateRequest, renderV1BatchCreated } from '../../wire/v1'
import { V1BatchCreatedSchema, V1BatchRequestSchema } from '../../wire/v1/schemas'
import { type App, errorResponses, jsonContent, security } from '../openapi'
import { DEFAULT_MAX_BATCH_ITEMS } from './batch'

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
  const maxItems = batch.maxItems ?? DEFAULT_MAX_BATCH_ITEMS
  app.openapi(route, async (c) => {
    const services = c.get('services')
    const body = c.req.valid('json')
    const tenant = c.get('tenant')
    const apiKey = c.get('apiKey')
    if (body.items.length > maxItems) {
      throw ApiError.validation([{ loc: ['body', 'items'], msg: `List should have at most ${maxItems} items`, type: 'too_long' }])
    }
    const problem = body.callback_url === undefined ? null : callbackUrlProblem(body.callback_url, { allowPrivateNetworks: services.config.CALLBACK_ALLOW_PRIVATE_NETWORKS })
    if (problem !== null) throw ApiError.validation([{ loc: ['body', 'callback_url'], msg: `callback_url ${problem}`, type: 'value_error' }])

    const payloads: BatchItemPayload[] = body.items.map((item, i) => {
      const parsed = parseV1EvaluateRequest(item, ['body', 'items', i])
      if (parsed.ok) return { request: parsed.value.request, role: apiKey.role, labels: 'lenient', wire: { labels: parsed.value.labels } }
      // Stored as sent, with the reason: the item handler fails it at once, never retried.
      // An item with NUL or an unpaired surrogate cannot be stored as sent (jsonb refuses it): its
      // reason is kept, its text is not.
      const storable = isObject(item) && findUnsafeText(item) === null
      return { request: storable ? item : {}, role: apiKey.role, invalid: parsed.issues.map((i) => `${i.loc.join('.')}: ${i.msg}`).join('; ') }
    })
    const { job, itemIds } = await c.get('ctx').repos.jobs.create(tenant.id, { payloads, callbackUrl: body.callback_url ?? null, createdByKeyId: apiKey.id })
    // The tenant now has batches whose items may answer a /v1 request_id (services/evaluation.ts).
    c.get('ctx').versions.invalidate(tenant.id)
    try {
      await batch.dispatcher.dispatch(itemIds.map((id) => evaluateItemMessage(id)))
    } catch (err) {
      services.logger.error('batch dispatch failed; the sweeper will pick the items up', {
        request_id: c.get('requestId'),
        job_id: job.id,
        error: err instanceof Error ? err.message : String(err),
      })
    }
    return c.json(renderV1BatchCreated(job), 200)
  })
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
