import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ZodError } from 'zod'
import { toValidationIssues } from '../engine/index'
import { DataError, isConnectionError } from '../db/errors'
import { ServiceError, type ValidationIssue } from '../services/errors'
import { describeError } from '../services/logger'
import type { AppEnv } from './context'

export type { ValidationIssue }

export type ErrorCode =
  | 'MISSING_API_KEY'
  | 'INVALID_API_KEY'
  | 'BAD_REQUEST'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'VALIDATION'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL'

/** The only place that knows which HTTP status a domain code becomes (statuses follow the Python original). */
const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  MISSING_API_KEY: 401,
  INVALID_API_KEY: 401,
  BAD_REQUEST: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  VALIDATION: 422,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
}

/** Thrown by middleware and handlers; rendered by `handleError` as `{"detail": ...}`. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string | ValidationIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === 'string' ? detail : `${code}: ${detail.length} issue(s)`)
    this.name = 'ApiError'
  }
  get status(): ContentfulStatusCode {
    return STATUS[this.code]
  }

  static missingKey = () => new ApiError('MISSING_API_KEY', 'Missing X-API-Key')
  static invalidKey = () => new ApiError('INVALID_API_KEY', 'Invalid API key')
  /** The replaced service's text (`app/deps.py`); clients match on it. */
  static forbidden = (what = 'Forbidden') => new ApiError('FORBIDDEN', what)
  static notFound = (what = 'Not found') => new ApiError('NOT_FOUND', what)
  static conflict = (what: string) => new ApiError('CONFLICT', what)
  static validation = (issues: ValidationIssue[]) => new ApiError('VALIDATION', issues)
  static unavailable = (what: string, retryAfterSeconds = 5) =>
    new ApiError('UNAVAILABLE', what, { 'Retry-After': String(retryAfterSeconds) })
}

/** The one error handler: domain code → HTTP, FastAPI-shaped body, generic message for the unknown. */
export function handleError(err: unknown, c: Context<AppEnv>): Response {
  const apiError = toApiError(err)
  c.set('errorKind', apiError.code)
  if (apiError.code === 'INTERNAL' || apiError.code === 'UNAVAILABLE') {
    c.get('logger')?.error('request failed', {
      request_id: c.get('requestId'),
      kind: apiError.code,
      ...describeError(err),
    })
  }
  // The replaced service's 429 also said when to retry in the body (`app/middlewares_rate.py`).
  const retryAfter = apiError.code === 'RATE_LIMITED' ? Number(apiError.headers['Retry-After']) : NaN
  const body = Number.isFinite(retryAfter) ? { detail: apiError.detail, retry_after_seconds: retryAfter } : { detail: apiError.detail }
  return c.json(body, apiError.status, apiError.headers)
}

/** What a log may say about an unexpected error: services/logger.ts, the one redaction path. */
export { describeError }

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  if (err instanceof ServiceError) return new ApiError(err.code, err.detail)
  if (err instanceof DataError) {
    if (err.code === 'INVALID_CURSOR') return ApiError.validation([{ loc: ['query', 'cursor'], msg: err.message, type: 'value_error' }])
    return ApiError.conflict(err.message)
  }
  // A repository re-validating its input: the edge validated first, so this names the body.
  if (err instanceof ZodError) return ApiError.validation(toValidationIssues(err))
  if (err instanceof HTTPException) {
    // Hono's validator answers 400 for a body that is not JSON; FastAPI answers 422.
    if (err.status === 400 && /json/i.test(err.message)) {
      return ApiError.validation([{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }])
    }
    if (err.status === 413) return new ApiError('PAYLOAD_TOO_LARGE', 'Request body too large')
    if (err.status === 415) {
      return ApiError.validation([{ loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', type: 'model_attributes_type' }])
    }
    if (err.status === 401) return ApiError.invalidKey()
    if (err.status === 404) return ApiError.notFound()
    if (err.status >= 400 && err.status < 500) return new ApiError('VALIDATION', [{ loc: ['request'], msg: err.message, type: 'value_error' }])
  }
  // The one place a lost or refused database connection becomes a 503 rather than a 500.
  if (isConnectionError(err)) return ApiError.unavailable('Service temporarily unavailable: database')
  return new ApiError('INTERNAL', 'Internal server error')
}
