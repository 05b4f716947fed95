import { createRoute, z } from '@hono/zod-openapi'
import { EvaluateRequestSchema, EvaluateResponseSchema } from '../../../engine/index'
import { describeError } from '../../errors'
import { requireRole } from '../../middleware/auth'
import { rateLimit } from '../../middleware/rate-limit'
import { evaluateAndStore } from '../../../services/evaluation'
import { evaluateRequestExample, evaluateResponseExample } from '../examples'
import { type App, conflictResponse, errorResponses, jsonContent, security } from '../openapi'

export type EvaluateRequest = z.input<typeof EvaluateRequestSchema>
export type EvaluateResponse = z.infer<typeof EvaluateResponseSchema>

/** Marks an answer that replays a stored result instead of evaluating again. */
export const REPLAY_HEADER = 'Idempotent-Replayed'

const route = createRoute({
  method: 'post',
  path: '/v2/equivalences/evaluate',
  tags: ['equivalences'],
  summary: 'Evaluate whether a taken course (origem) can be credited as a target course (destino)',
  description:
    'Versions are resolved server-side from policy_version + taxonomy_version, or the course_id binding, ' +
    'else the tenant default policy with the target syllabus topics as concepts. Idempotent on ' +
    '`Idempotency-Key` or `request_id`: a repeat answers the stored result with `Idempotent-Replayed: true`; ' +
    'a repeat with a different body is 409. An inline `policy` is a what-if simulation for admins and is ' +
    'ignored (and said so in `meta.avisos`) for other roles.',
  security,
  // Every role evaluates a single pair (an auditor checks pairs while reviewing, as in the console's
  // try-it); batches are for admins and api-clients. README, Roles.
  middleware: [requireRole('admin', 'auditor', 'api-client'), rateLimit('evaluate')] as const,
  request: {
    headers: z.object({ 'idempotency-key': z.string().trim().min(1).max(200).optional() }),
    body: { required: true, content: { 'application/json': { schema: EvaluateRequestSchema, example: evaluateRequestExample } } },
  },
  responses: {
    200: jsonContent(EvaluateResponseSchema, 'The decision, persisted with its audit event', evaluateResponseExample),
    ...errorResponses,
    ...conflictResponse,
  },
})

export function registerEvaluate(app: App): void {
  app.openapi(route, async (c) => {
    const services = c.get('services')
    const request = c.req.valid('json')
    const idempotencyKey = c.req.valid('header')['idempotency-key'] ?? request.request_id
    const tenant = c.get('tenant')
    const apiKey = c.get('apiKey')
    const { result, replay } = await evaluateAndStore({
      ctx: c.get('ctx'),
      input: {
        tenantId: tenant.id,
        role: apiKey.role,
        actorKeyId: apiKey.id,
        request,
        idempotencyKey,
        onEngineFailure: (err) =>
          services.logger.error('engine failed; answered in degraded mode', {
            request_id: c.get('requestId'),
            ...describeError(err),
          }),
      },
    })
    if (!replay) {
      services.metrics.decisions.inc({ tenant: tenant.id, decisao: result.decisao })
      if (result.degraded) services.metrics.degraded.inc({ tenant: tenant.id })
    }
    c.set('logFields', { decision: result.decisao, degraded: result.degraded, replay })
    return c.json(result.response as EvaluateResponse, 200, replay ? { [REPLAY_HEADER]: 'true' } : {})
  })
}
