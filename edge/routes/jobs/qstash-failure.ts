import { Receiver, SignatureError } from '@upstash/qstash'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { FAILURE_CALLBACK_PATH } from '../../../jobs/dispatchers/qstash'
import { parseFailureCallback } from '../../../jobs/dispatchers/qstash-failure'
import { failureHandler } from '../../../jobs/handlers/failure'
import { EvaluateItemBody } from '../../../jobs/messages'
import type { App } from '../openapi'

/** QStash does not retry a 489 (not a standard status, hence the cast for Hono's types). */
const NON_RETRYABLE = 489 as ContentfulStatusCode
const NO_RETRY = { 'Upstash-NonRetryable-Error': 'true' }

/**
 * `POST /jobs/failure/{tenant_id}`: QStash's failure callback for a message of that tenant
 * (jobs/dispatchers/qstash.ts points it here when API_URL is set). It lives on the API, not the
 * workers, so a batch whose workers are all down still ends: after its last retry each item goes
 * dead with the delivery error, the job's counters move once, and the job status and the
 * dead-letter list say what happened.
 *
 * Not under /v1 or /v2 and not in the OpenAPI document: no API key, QStash's signature instead.
 * The body is bounded before it is read (app.ts gives `/jobs/*` the job-body limit), the
 * `Upstash-Signature` JWT is verified with the official Receiver over the raw body and this
 * route's public URL (`sub` names the tenant, so a callback cannot be replayed at another
 * tenant's), and only then is it parsed. An item of another tenant is not found (404, not
 * retried). Redelivery is harmless: a dead (or done) item is not killed twice.
 */
export function registerQStashFailureRoute(app: App): void {
  app.post(`${FAILURE_CALLBACK_PATH}/:tenant_id`, async (c) => {
    const { config } = c.get('services')
    const logger = c.get('logger')
    const apiUrl = config.API_URL?.replace(/\/+$/, '')
    if (!apiUrl || !config.QSTASH_CURRENT_SIGNING_KEY) return c.json({ detail: 'Not Found' }, 404)
    const tenantId = c.req.param('tenant_id')

    const raw = await c.req.text()
    const signature = c.req.header('Upstash-Signature')
    const receiver = new Receiver({
      currentSigningKey: config.QSTASH_CURRENT_SIGNING_KEY,
      nextSigningKey: config.QSTASH_NEXT_SIGNING_KEY ?? config.QSTASH_CURRENT_SIGNING_KEY,
    })
    try {
      if (!signature) throw new SignatureError('missing Upstash-Signature')
      await receiver.verify({ signature, body: raw, url: `${apiUrl}${FAILURE_CALLBACK_PATH}/${encodeURIComponent(tenantId)}` })
    } catch (err) {
      if (!(err instanceof SignatureError)) throw err
      logger.warn('rejected a QStash failure callback with a bad signature', { reason: err.message })
      return c.json({ detail: 'Invalid signature' }, 401)
    }

    let payload: unknown
    try {
      payload = JSON.parse(raw)
    } catch {
      return c.json({ detail: 'Body is not JSON' }, NON_RETRYABLE, NO_RETRY)
    }
    const parsed = parseFailureCallback(payload)
    if (parsed.kind === 'invalid') return c.json({ detail: parsed.reason }, NON_RETRYABLE, NO_RETRY)
    if (parsed.kind === 'ignored') return c.json({ ok: true, ignored: true }, 200)

    const ctx = c.get('ctx')
    const notFound = () => c.json({ detail: 'Not Found' }, 404, NO_RETRY)
    if (parsed.route === 'evaluate-item') {
      const body = EvaluateItemBody.safeParse(parsed.body)
      if (!body.success) return c.json({ detail: 'Not an evaluate-item message' }, NON_RETRYABLE, NO_RETRY)
      if (!(await ctx.repos.jobItems.getItem(tenantId, body.data.item_id))) return notFound()
    } else {
      // Other messages name their tenant in the body (index builds, …): it must be this one.
      const named = (parsed.body as { tenant_id?: unknown } | null)?.tenant_id
      if (named !== undefined && named !== tenantId) return notFound()
    }

    await failureHandler({
      store: ctx.repos.jobItems,
      // A job this finished owes its callback: the workers' sweeper delivers owed callbacks.
      onFinished: (job) => logger.info('job finished by a dead item; its callback is owed to the sweeper', { job_id: job.id }),
      log: (message, fields) => logger.warn(message, { ...fields, request_id: c.get('requestId') }),
    })({ route: parsed.route, body: parsed.body, error: parsed.error })
    return c.json({ ok: true }, 200)
  })
}
