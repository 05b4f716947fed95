import { createMiddleware } from 'hono/factory'
import { findUnsafeText, isSafeText, UNSAFE_TEXT_MESSAGE, UNSAFE_TEXT_TYPE } from '../../engine/safe-text'
import type { AppEnv } from '../context'
import { ApiError, type ValidationIssue } from '../errors'

/**
 * Every string a request carries — query values and names, path segments, every string and key of
 * a JSON body — is checked before any route sees it: NUL or an unpaired surrogate is a 422 naming
 * the field (`loc: ["body", "itens", 3, "origem", "ementa"]`), instead of a Postgres error (500)
 * after validation or text stored other than sent (engine/safe-text.ts says why). Runs after the
 * body limit, so it reads at most what the route would. A body that is not JSON is left to the
 * route's validator.
 *
 * Hono caches the body's text, not its parse (`c.req.json()` parses the cached text each time it
 * is called), so the body is parsed and walked here only when its text holds a `\u` escape: JSON
 * cannot carry NUL or an unpaired surrogate any other way (a raw control character is not JSON,
 * and text decoded from UTF-8 holds no unpaired surrogate). Every other body costs one substring
 * search instead of a second JSON.parse and a walk of every string.
 */
export interface SafeTextOptions {
  /**
   * Routes whose items fail one by one (the /v1 batch: an invalid item is stored and fails alone,
   * the job goes on): the strings of `body[field][i]` are left to the route, which must check them
   * itself (`findUnsafeText` per item) and never store an unsafe one.
   */
  itemsFailAlone?: { path: string; field: string }[]
}

export const refuseUnsafeText = (options: SafeTextOptions = {}) => createMiddleware<AppEnv>(async (c, next) => {
  const issues: ValidationIssue[] = []
  const issue = (loc: (string | number)[]) => ({ loc, msg: UNSAFE_TEXT_MESSAGE, type: UNSAFE_TEXT_TYPE })

  // A URL can only carry NUL or an unpaired surrogate percent-encoded: a URL parser escapes both,
  // and an HTTP request line cannot hold them raw. Without a '%' there is nothing to decode.
  if (c.req.url.includes('%')) {
    const url = new URL(c.req.url)
    for (const [name, value] of url.searchParams) {
      if (!isSafeText(name) || !isSafeText(value)) issues.push(issue(['query', name]))
    }
    for (const segment of url.pathname.split('/')) {
      let decoded: string
      try {
        decoded = decodeURIComponent(segment)
      } catch {
        continue // a malformed escape is the router's to refuse
      }
      if (!isSafeText(decoded)) {
        issues.push(issue(['path']))
        break
      }
    }
  }
  if (issues.length === 0 && c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    if (/json/i.test(c.req.header('content-type') ?? '') && mayHoldUnsafeText(await c.req.text())) {
      let body: unknown
      let parsed = true
      try {
        body = await c.req.json()
      } catch (err) {
        // Not JSON: the route's validator says so. Anything else (a body over the limit) propagates.
        if (!(err instanceof SyntaxError)) throw err
        parsed = false
      }
      const perItem = options.itemsFailAlone?.find((r) => r.path === c.req.path)
      if (perItem && parsed && isObject(body) && Array.isArray(body[perItem.field])) {
        const { [perItem.field]: _items, ...rest } = body
        body = rest
      }
      const path = parsed ? findUnsafeText(body) : null
      if (path) issues.push(issue(['body', ...path]))
    }
  }
  if (issues.length > 0) throw ApiError.validation(issues)
  await next()
})

/**
 * False when JSON text cannot parse to a string holding NUL or an unpaired surrogate: it has no
 * `\u` escape, the only way JSON writes either (an escaped backslash before a `u` also takes the
 * exact check). Raw, neither gets here: NUL is not valid JSON (the route's validator refuses it) and
 * a body decoded from UTF-8 holds no unpaired surrogate.
 */
export function mayHoldUnsafeText(jsonText: string): boolean {
  return jsonText.includes('\\u')
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
