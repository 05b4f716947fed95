const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Ids arrive from URLs. A malformed one cannot name any row, and passing it to a uuid column would
 * make Postgres raise an error (a 500); repositories ask this first and answer "not found".
 */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value)
}
