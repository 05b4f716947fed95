import type { Context } from 'hono'

/**
 * A body sent without Content-Type is read as JSON, as the FastAPI service this replaces did;
 * its older clients omit the header. A body declared as anything else still gets a 422.
 */
export function defaultToJson(c: Context): void {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !c.req.header('content-type')) {
    try {
      c.req.raw.headers.set('content-type', 'application/json')
    } catch {
      // Immutable headers (some runtimes): the request keeps its missing type and fails validation.
    }
  }
}
