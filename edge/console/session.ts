import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import { sign, verify } from 'hono/jwt'
import { constantTimeEqual, hmacSha256Hex } from '../../services/crypto'
import type { ApiKeyRecord, AppEnv, Tenant } from '../context'

/**
 * Console sessions. Signing in with an admin or auditor API key gives an HS256-signed cookie
 * (hono/jwt) carrying only the key id, the tenant id, a random session id and the expiry: HttpOnly,
 * SameSite=Strict, Path=/console, Secure when the request came over HTTPS. Every request re-reads
 * the key, so a revoked or expired key (or a disabled tenant) ends its sessions on the next click,
 * on every instance. Forms carry a CSRF token derived from the session id; the login form, before
 * any session exists, a double-submit token in its own cookie.
 */

export const SESSION_COOKIE = 'ee_console'
export const LOGIN_CSRF_COOKIE = 'ee_console_login'
/** Eight hours: a working day. */
export const SESSION_SECONDS = 8 * 3600
export const CONSOLE_ROLES = ['admin', 'auditor'] as const

export type ConsoleSession = { keyId: string; tenantId: string; sid: string; exp: number }
export type ConsoleEnv = AppEnv & {
  Variables: AppEnv['Variables'] & { session: ConsoleSession; csrf: string }
}

/** Keys derived from API_KEY_SALT, so nothing new has to be configured or rotated. */
const secretOf = (salt: string) => hmacSha256Hex(salt, 'ee-console-session-v1')
export const csrfTokenOf = (salt: string, sid: string) => hmacSha256Hex(secretOf(salt), `csrf:${sid}`)

export function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https'
}

const cookieOptions = (c: Context, maxAge: number, path = '/console') =>
  ({ httpOnly: true, sameSite: 'Strict', secure: isHttps(c), path, maxAge }) as const

export async function startSession(c: Context<ConsoleEnv>, key: ApiKeyRecord): Promise<void> {
  const { config, clock } = c.get('services')
  const now = Math.floor(clock().getTime() / 1000)
  // The session never outlives the key.
  const keyExp = key.expiresAt ? Math.floor(key.expiresAt.getTime() / 1000) : Infinity
  const exp = Math.min(now + SESSION_SECONDS, keyExp)
  const token = await sign(
    { sub: key.id, tid: key.tenantId, sid: crypto.randomUUID(), iat: now, exp },
    secretOf(config.API_KEY_SALT!),
    'HS256',
  )
  setCookie(c, SESSION_COOKIE, token, cookieOptions(c, exp - now))
}

export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/console', secure: isHttps(c) })
}

/** The login form's double-submit token: set on GET, compared on POST. */
export function loginCsrf(c: Context<ConsoleEnv>): string {
  const existing = getCookie(c, LOGIN_CSRF_COOKIE)
  if (existing && /^[0-9a-f-]{36}$/.test(existing)) return existing
  const token = crypto.randomUUID()
  setCookie(c, LOGIN_CSRF_COOKIE, token, cookieOptions(c, 3600, '/console/login'))
  return token
}

export function checkLoginCsrf(c: Context<ConsoleEnv>, sent: unknown): boolean {
  const expected = getCookie(c, LOGIN_CSRF_COOKIE)
  return typeof sent === 'string' && !!expected && constantTimeEqual(sent, expected)
}

/** Why a request has no usable session; the login page says it in words. */
export type SessionProblem = 'missing' | 'expired' | 'revoked'

/** Reads and re-validates the session; null (and the cookie cleared) when there is none. */
export async function readSession(
  c: Context<ConsoleEnv>,
): Promise<{ session: ConsoleSession; key: ApiKeyRecord; tenant: Tenant } | SessionProblem> {
  const token = getCookie(c, SESSION_COOKIE)
  if (!token) return 'missing'
  const { config, clock } = c.get('services')
  let payload: Record<string, unknown>
  try {
    payload = (await verify(token, secretOf(config.API_KEY_SALT!), 'HS256')) as Record<string, unknown>
  } catch {
    endSession(c)
    return 'expired'
  }
  const { sub, tid, sid, exp } = payload
  if (typeof sub !== 'string' || typeof tid !== 'string' || typeof sid !== 'string' || typeof exp !== 'number') {
    endSession(c)
    return 'expired'
  }
  // One query by primary keys, past every cache (API keys', versions'): a revoked key, an expired
  // one or a disabled tenant ends the session at its next request whichever instance revoked it.
  const found = await c.get('ctx').repos.apiKeys.getWithTenant(tid, sub)
  const now = clock()
  if (!found) {
    endSession(c)
    return 'revoked'
  }
  const { key, tenant } = found
  if (
    key.status !== 'active' ||
    (key.expiresAt && key.expiresAt <= now) ||
    tenant.status !== 'active' ||
    !(CONSOLE_ROLES as readonly string[]).includes(key.role)
  ) {
    endSession(c)
    return 'revoked'
  }
  return {
    session: { keyId: sub, tenantId: tid, sid, exp },
    key,
    tenant: { id: tenant.id, name: tenant.name, status: tenant.status, rateLimits: tenant.rateLimits },
  }
}

/**
 * Every console page and form behind it. A page without a session leads to the login form (and
 * back after it); a form post without one, or with a missing or wrong CSRF token, is 403 and
 * nothing is written.
 */
export const requireSession = createMiddleware<ConsoleEnv>(async (c, next) => {
  const found = await readSession(c)
  if (typeof found === 'string') {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') {
      const back = new URL(c.req.url)
      const params = new URLSearchParams({ motivo: found, voltar: back.pathname + back.search })
      return c.redirect(`/console/login?${params}`, 303)
    }
    return c.text('Sessão necessária', 403)
  }
  c.set('session', found.session)
  c.set('apiKey', found.key)
  c.set('tenant', found.tenant)
  c.set('csrf', csrfTokenOf(c.get('services').config.API_KEY_SALT!, found.session.sid))
  c.header('Cache-Control', 'no-store')
  if (c.req.method === 'POST') {
    const body = await c.req.parseBody()
    const sent = body._csrf
    if (typeof sent !== 'string' || !constantTimeEqual(sent, c.get('csrf'))) return c.text('Token CSRF ausente ou inválido', 403)
  }
  await next()
})

/** Admin-only pages: an auditor gets 403. */
export const requireAdmin = createMiddleware<ConsoleEnv>(async (c, next) => {
  if (c.get('apiKey').role !== 'admin') return c.text('Apenas administradores', 403)
  await next()
})
