import { createMiddleware } from 'hono/factory'
import type { AppEnv, Services } from '../context'

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * The first middleware: request and trace ids (a caller's are kept when well formed, else new
 * ones), the services for handlers, and the canonical access-log line, written in `finally` so
 * errors are logged too. The line carries ids, route, status and decision — never bodies or keys.
 */
export function requestContext(services: Services) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now()
    // As the replaced service did, the Idempotency-Key is the correlation id when one is sent.
    const given = c.req.header('idempotency-key') ?? c.req.header('x-request-id')
    const requestId = given && SAFE_ID.test(given) ? given : crypto.randomUUID()
    const givenTrace = c.req.header('x-trace-id')
    const traceId = givenTrace && SAFE_ID.test(givenTrace) ? givenTrace : requestId
    c.set('requestId', requestId)
    c.set('traceId', traceId)
    c.set('services', services)
    c.set('logger', services.logger)
    c.set('logFields', {})
    try {
      await next()
    } finally {
      c.res.headers.set('X-Request-Id', requestId)
      c.res.headers.set('X-Trace-Id', traceId)
      c.res.headers.set('X-Response-Time-ms', String(Math.round(performance.now() - started)))
      const errorKind = c.get('errorKind')
      if (errorKind) services.metrics.errors.inc({ kind: errorKind })
      const fields = c.get('logFields')
      // Hono's routePath getter builds an array of every matched handler's path on each read: read it once.
      const route = c.req.routePath
      services.logger.info('request', {
        request_id: requestId,
        trace_id: traceId,
        tenant_id: c.get('tenant')?.id ?? null,
        method: c.req.method,
        route: route === '/*' || route === '*' ? 'unmatched' : route,
        status: c.res.status,
        duration_ms: Math.round((performance.now() - started) * 100) / 100,
        decision: fields.decision ?? null,
        degraded: fields.degraded ?? null,
        ...(fields.replay ? { replay: true } : {}),
        ...(errorKind ? { error_kind: errorKind } : {}),
      })
    }
  })
}
