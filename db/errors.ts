/**
 * Errors the data layer raises on purpose. Each carries a code the edge maps to an HTTP status in
 * one place (CONFLICT → 409, INVALID_CURSOR → 422, INVALID_STATE → 409, INTEGRITY — a stored row
 * that no longer matches its audit event, refused rather than served — → 409). "Not found" is not an
 * error here: repositories return null, and another tenant's row is simply not found.
 */
export type DataErrorCode = 'CONFLICT' | 'INVALID_CURSOR' | 'INVALID_STATE' | 'INTEGRITY'

export class DataError extends Error {
  override readonly name = 'DataError'
  constructor(
    readonly code: DataErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/**
 * The SQLSTATE of a database error, whichever driver raised it. drizzle wraps driver errors in
 * DrizzleQueryError (the original is its `cause`), so the chain is walked.
 */
export function pgErrorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code
  }
  return undefined
}

/**
 * Connection-level failures rather than query errors: the database is unreachable (refused, reset,
 * timed out, terminated, shut down, out of connections), or a client was left unusable by such a
 * failure — drizzle's ROLLBACK on a dead client reports only "not queryable", hiding the original.
 * The edge answers these with 503 + Retry-After; the job runner retries the item.
 */
export function isConnectionError(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && CONNECTION_CODES.test(code)) return true
    const message = (e as { message?: unknown }).message
    if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true
  }
  return false
}

const CONNECTION_CODES =
  /^(ECONNREFUSED|ECONNRESET|ECONNABORTED|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|57P0[1-3]|08\d{3}|53300)$/
const CONNECTION_MESSAGES =
  /connection terminated|connection (refused|closed|ended|error)|not queryable|timeout exceeded when trying to connect|fetch failed|error connecting to database|websocket|PGlite is closed|\b(ECONNREFUSED|ECONNRESET|ECONNABORTED|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)\b/i

export const UNIQUE_VIOLATION = '23505'
export const FOREIGN_KEY_VIOLATION = '23503'

/** Runs `fn`, turning a unique-constraint violation into a CONFLICT with `message`. */
export async function conflictAs<T>(message: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (pgErrorCode(err) === UNIQUE_VIOLATION) throw new DataError('CONFLICT', message)
    throw err
  }
}
