import type { Context } from 'hono'
import { describeError } from '../errors'

/**
 * Work that must not delay the response: on Workers it goes to `waitUntil` so the isolate
 * keeps it alive; elsewhere it runs detached and its failure is logged, never thrown.
 */
export function runInBackground(c: Context, promise: Promise<unknown>): void {
  const guarded = promise.catch((err: unknown) => {
    c.get('logger')?.warn('background task failed', {
      request_id: c.get('requestId'),
      error: describeError(err).error,
    })
  })
  let executionCtx: { waitUntil(p: Promise<unknown>): void } | undefined
  try {
    executionCtx = c.executionCtx // throws outside Workers
  } catch {
    executionCtx = undefined
  }
  if (executionCtx) executionCtx.waitUntil(guarded)
  else void guarded
}
