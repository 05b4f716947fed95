import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { cachedTaxonomy } from '../../../services/resolve-versions'
import { evaluateAndStore, inputHashOf } from '../../../services/evaluation'
import { ServiceError } from '../../../services/errors'
import type { AppEnv } from '../../context'
import { ApiError, describeError } from '../../errors'
import { requireRole } from '../../middleware/auth'
import { rateLimit } from '../../middleware/rate-limit'
import { renderV1Evaluate, toV1Evaluate, V1EvaluateRequestSchema } from '../../wire/v1/index'
import { V1EvaluateResponseSchema } from '../../wire/v1/schemas'
import { type App, errorResponses, jsonContent, security } from '../openapi'
import { REPLAY_HEADER } from './evaluate'

/**
 * `POST /v1/equivalences/evaluate` in the replaced service's contract (edge/wire/v1). The same
 * evaluation as `/v2`; what differs is the wire: lax parsing, version names as labels (an unknown
 * one does not fail), the body's `request_id` before `Idempotency-Key`, a stored answer given
 * again with `"cached": true` (also one a batch item stored for the same id and body), and a reused `request_id` with another body evaluated and stored
 * anew — never over the first — with a warning, where `/v2` answers 409.
 */
const route = createRoute({
  method: 'post',
  path: '/v1/equivalences/evaluate',
  tags: ['v1: equivalences'],
  summary: 'Evaluate a pair in the replaced service’s contract',
  description:
    'Accepts what the Python service accepted (pydantic-style coercion, unknown fields ignored, an inline ' +
    '`PolicyInput`: ignored for api-clients and auditors, a what-if simulation for admins) and answers its `EvaluateResponse` ' +
    'plus additive fields. When the course has a binding, the binding decides for non-admins.',
  security,
  // As /v2: every role evaluates a single pair; batches are for admins and api-clients (README, Roles).
  middleware: [requireRole('admin', 'auditor', 'api-client'), rateLimit('evaluate')] as const,
  request: {
    headers: z.object({ 'idempotency-key': z.string().trim().min(1).max(200).optional() }),
    body: { required: true, content: { 'application/json': { schema: V1EvaluateRequestSchema } } },
  },
  responses: { 200: jsonContent(V1EvaluateResponseSchema, 'The decision, persisted with its audit event'), ...errorResponses },
})

const REUSED_ID_NOTE = (id: string) =>
  `request_id '${id}' já usado com outro corpo: avaliado e guardado como um novo resultado; o primeiro não foi alterado.`

export function registerEvaluateV1(app: App): void {
  app.openapi(route, async (c) => {
    const parsed = toV1Evaluate(c.req.valid('json'))
    if (!parsed.ok) throw ApiError.validation(parsed.issues)
    const { request, labels, returnEvidence } = parsed.value
    const services = c.get('services')
    const tenant = c.get('tenant')
    const apiKey = c.get('apiKey')
    const clientId = request.request_id ?? c.req.valid('header')['idempotency-key']
    const run = (idempotencyKey: string | undefined, batchAnswers = false) =>
      evaluateAndStore({
        ctx: c.get('ctx'),
        input: {
          tenantId: tenant.id,
          role: apiKey.role,
          actorKeyId: apiKey.id,
          request,
          idempotencyKey,
          batchAnswers,
          labels: 'lenient',
          onEngineFailure: (err) =>
            services.logger.error('engine failed; answered in degraded mode', { request_id: c.get('requestId'), ...describeError(err) }),
        },
      })
    let outcome
    let reused = false
    try {
      // The original stored batch items under the client's request_id: an id a batch answered replays it.
      outcome = await run(clientId, true)
    } catch (err) {
      if (!(err instanceof ServiceError && err.code === 'CONFLICT' && clientId)) throw err
      // Stored under an id of its own, derived from the body: the same body again replays it.
      reused = true
      outcome = await run(`${clientId}~${inputHashOf(request).slice(0, 16)}`)
    }
    const { result, replay } = outcome
    if (!replay) {
      services.metrics.decisions.inc({ tenant: tenant.id, decisao: result.decisao })
      if (result.degraded) services.metrics.degraded.inc({ tenant: tenant.id })
    }
    c.set('logFields', { decision: result.decisao, degraded: result.degraded, replay })
    const response = result.response as Parameters<typeof renderV1Evaluate>[0]['response']
    const body = renderV1Evaluate({
      response,
      requestId: clientId ?? result.requestId,
      labels,
      returnEvidence,
      cached: replay,
      nodes: await taxonomyNodes(c, tenant.id, response),
    })
    if (reused) body.meta.avisos = [...((body.meta.avisos as string[] | undefined) ?? []), REUSED_ID_NOTE(clientId!)]
    return c.json(body, 200, replay ? { [REPLAY_HEADER]: 'true' } : {})
  })
}

/** The taxonomy that decided (cached look-up), to report its concepts by node id; none in topics mode. */
async function taxonomyNodes(c: Context<AppEnv>, tenantId: string, response: { taxonomy_version: string | null; faltantes: string[]; evidence: unknown[] }) {
  if (!response.taxonomy_version || (response.faltantes.length === 0 && response.evidence.length === 0)) return undefined
  const taxonomy = await cachedTaxonomy(c.get('ctx'), tenantId, response.taxonomy_version).catch(() => null)
  return taxonomy?.nodes
}
