import { SignatureError } from '@upstash/qstash'
import type { Receiver } from '@upstash/qstash'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { parseFailureCallback } from '../jobs/dispatchers/qstash-failure'
import type { JobMetrics } from '../jobs/metrics'
import { JOB_ROUTES, type JobHandlers, type JobOutcome, type JobRoute } from '../jobs/types'
import type { Logger } from '../services/logger'

export interface WorkerAppDeps {
  handlers: JobHandlers
  /** The official QStash Receiver, holding the current and the next signing key. */
  receiver: Pick<Receiver, 'verify'>
  /** Public base URL QStash delivers to (WORKER_URL): the signature's `sub` must name it. */
  publicUrl: string
  metrics: JobMetrics
  logger?: Logger
  /**
   * Largest job request read, signed or not: checked before the signature, so an unsigned body of
   * any size costs nothing. Our messages are item ids and QStash's failure callback wraps one of
   * them with our short error answer: a few KiB. @default 256 KiB
   */
  maxBodyBytes?: number
}

export const DEFAULT_MAX_JOB_BODY_BYTES = 256 * 1024

/** QStash does not retry a 489 (not a standard status, hence the cast for Hono's types). */
const NON_RETRYABLE = 489 as ContentfulStatusCode

/**
 * The containerized worker: QStash delivers job messages here. The worker URL is public, so every
 * job route first verifies `Upstash-Signature` with the official Receiver over the RAW body (JWT
 * signed with the current or next signing key; `sub` = this route's public URL; `body` = SHA-256 of
 * the bytes received). Anything that does not verify is a 401 before a single byte is parsed, and
 * a body over `maxBodyBytes` is a 413 before it is even read whole.
 */
export function createWorkerApp(deps: WorkerAppDeps): Hono {
  const app = new Hono()
  const base = deps.publicUrl.replace(/\/+$/, '')
  const logger = deps.logger

  app.use('*', deps.metrics.registerMetrics)
  app.get('/health', (c) => c.json({ status: 'alive' }))
  app.get('/metrics', deps.metrics.printMetrics)

  // Before anything reads the body: a declared Content-Length over the bound is refused unread, a
  // chunked body is cut off (hono/body-limit's counting reader) as soon as it passes it.
  const maxSize = deps.maxBodyBytes ?? DEFAULT_MAX_JOB_BODY_BYTES
  app.use(
    '/jobs/*',
    bodyLimit({
      maxSize,
      onError: (c) => c.json({ error: `body larger than ${maxSize} bytes` }, 413),
    }),
  )

  app.post('/jobs/:route', async (c) => {
    const route = c.req.param('route')
    if (route !== 'failure' && !(JOB_ROUTES as readonly string[]).includes(route)) return c.json({ error: 'unknown job route' }, 404)

    const raw = await c.req.text()
    const signature = c.req.header('Upstash-Signature')
    try {
      if (!signature) throw new SignatureError('missing Upstash-Signature')
      await deps.receiver.verify({ signature, body: raw, url: `${base}/jobs/${route}` })
    } catch (err) {
      if (!(err instanceof SignatureError)) throw err
      deps.metrics.rejectedSignatures.inc()
      logger?.warn('rejected a job request with a bad signature', { route, reason: err.message })
      return c.json({ error: 'invalid signature' }, 401)
    }

    let body: unknown
    try {
      body = JSON.parse(raw)
    } catch {
      return c.json({ error: 'body is not JSON' }, NON_RETRYABLE, { 'Upstash-NonRetryable-Error': 'true' })
    }

    if (route === 'failure') return handleFailureCallback(body)

    const retried = Number(c.req.header('Upstash-Retried') ?? 0) || 0
    if (retried > 0) deps.metrics.retries.inc({ route })
    const outcome: JobOutcome = await deps.handlers[route as JobRoute](body, {
      retried,
      messageId: c.req.header('Upstash-Message-Id') ?? '',
    })
    switch (outcome.status) {
      case 'ok':
        return c.json({ ok: true, ...outcome.detail }, 200)
      case 'retry':
        deps.metrics.failures.inc({ route, kind: 'retry' })
        return c.json({ error: outcome.error }, 500)
      case 'give-up':
        deps.metrics.failures.inc({ route, kind: 'give-up' })
        return c.json({ error: outcome.error }, NON_RETRYABLE, { 'Upstash-NonRetryable-Error': 'true' })
    }
  })

  /** QStash gave up on a message: hand its original body and last error to the dead-letter hook. */
  async function handleFailureCallback(body: unknown): Promise<Response> {
    const parsed = parseFailureCallback(body)
    if (parsed.kind === 'invalid') return Response.json({ error: parsed.reason }, { status: NON_RETRYABLE })
    if (parsed.kind === 'ignored') return Response.json({ ok: true, ignored: parsed.url })
    await deps.handlers.failure({ route: parsed.route, body: parsed.body, error: parsed.error })
    return Response.json({ ok: true })
  }

  app.onError((err, c) => {
    // Unknown errors (database down, bugs) are worth a retry; the message text stays in our logs.
    logger?.error('job route failed', { path: c.req.path, error: err instanceof Error ? err.message : String(err) })
    return c.json({ error: 'internal error' }, 500)
  })
  return app
}
