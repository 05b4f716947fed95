import { z } from 'zod'
import { JOB_ROUTES, type JobRoute } from '../types'

/**
 * QStash's failure callback: after the last retry of a message, QStash POSTs (signed, like any
 * delivery, with `sub` = the callback URL) a JSON body describing it — `status` and base64 `body`
 * of the last answer, `retried`, `maxRetries`, `sourceMessageId`, `url` (the original destination),
 * base64 `sourceBody`, `dlqId`, … (https://upstash.com/docs/qstash/features/callbacks). Read by the
 * workers' `/jobs/failure` and the API's `/jobs/failure/{tenant}` alike; runs on Workers too.
 */
const FailureCallbackPayload = z.object({
  status: z.number().optional(),
  body: z.string().optional(),
  url: z.string(),
  sourceBody: z.string().optional(),
  retried: z.number().optional(),
  maxRetries: z.number().optional(),
  sourceMessageId: z.string().optional(),
  dlqId: z.string().optional(),
})

/**
 * Largest failure callback read, signed or not (checked before the signature): our messages are
 * item ids and our answers short errors, so a callback is a few KiB. The worker's bound is the same.
 */
export const MAX_FAILURE_CALLBACK_BYTES = 256 * 1024

export type ParsedFailureCallback =
  | { kind: 'failure'; route: JobRoute; body: unknown; error: string; sourceMessageId?: string }
  /** A message of no job route of ours (nothing to do, answered 2xx so QStash stops). */
  | { kind: 'ignored'; url: string }
  /** Not a failure callback at all (answered 489: QStash does not retry it). */
  | { kind: 'invalid'; reason: string }

export function parseFailureCallback(payload: unknown): ParsedFailureCallback {
  const parsed = FailureCallbackPayload.safeParse(payload)
  if (!parsed.success) return { kind: 'invalid', reason: 'not a QStash failure callback' }
  const { url, sourceBody, body, status, retried } = parsed.data
  let route: string | undefined
  try {
    route = new URL(url).pathname.split('/').at(-1)
  } catch {
    return { kind: 'invalid', reason: 'failure callback with a bad url' }
  }
  if (!route || !(JOB_ROUTES as readonly string[]).includes(route)) return { kind: 'ignored', url }
  let source: unknown
  try {
    source = JSON.parse(decodeBase64(sourceBody ?? ''))
  } catch {
    return { kind: 'invalid', reason: 'failure callback without a JSON source body' }
  }
  return {
    kind: 'failure',
    route: route as JobRoute,
    body: source,
    error: deliveryError(body, status, retried),
    sourceMessageId: parsed.data.sourceMessageId,
  }
}

function decodeBase64(value: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0)))
}

/**
 * The item's `error`, shown to the tenant. Our worker answers errors as `{"error": ...}` (already
 * redacted, say "Unknown policy_version 'x'"): that text. Anything else is the network or a proxy
 * answering for a worker that is not there: said in our own words, never the raw answer (an HTML
 * error page, a resolver message) — and in words that do not read as a database outage, so the
 * item is not left for the sweeper as one would be.
 */
export function deliveryError(responseBodyBase64: string | undefined, status: number | undefined, retried: number | undefined): string {
  let text: string
  try {
    text = responseBodyBase64 ? decodeBase64(responseBodyBase64) : ''
  } catch {
    text = ''
  }
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error
    if (typeof error === 'string' && error) return error.slice(0, 500)
  } catch {
    // not JSON: fall through
  }
  const attempts = retried === undefined ? '' : ` after ${retried + 1} attempt${retried === 0 ? '' : 's'}`
  if (!status) return `delivery failed${attempts}: the worker did not answer (workers down or unreachable)`
  return `delivery failed${attempts}: the worker answered HTTP ${status}`
}
