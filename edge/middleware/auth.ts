import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../context'
import { ApiError } from '../errors'
import { runInBackground } from '../lib/background'
import { findKeyForAuth } from '../../db/repositories/api-keys'
import { constantTimeEqual } from '../../services/crypto'
import type { Role } from '../context'

/** `last_used_at` is written at most this often per key and instance, off the hot path. */
const TOUCH_INTERVAL_MS = 60_000
const lastTouched = new WeakMap<object, Map<string, number>>()

/**
 * `X-API-Key` authentication: HMAC the key, find the record by hash (cached briefly), compare in
 * constant time, and reject revoked or expired keys as 401 `Invalid API key` (a caller learns
 * nothing about which check failed); a valid key of a disabled tenant is 403.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const plaintext = c.req.header('x-api-key')
  if (!plaintext) throw ApiError.missingKey()
  if (plaintext.length > 256) throw ApiError.invalidKey()
  const { keyCache, hashApiKey, clock } = c.get('services')
  const hash = await hashApiKey(plaintext)
  let record = keyCache.get(hash)
  if (record === undefined) {
    record = await findKeyForAuth(c.get('ctx').db, hash)
    keyCache.set(hash, record)
  }
  const now = clock()
  if (
    !record ||
    !constantTimeEqual(record.keyHash, hash) ||
    record.key.status !== 'active' ||
    (record.key.expiresAt && record.key.expiresAt <= now)
  ) {
    throw ApiError.invalidKey()
  }
  // The key is genuine, so saying why is safe: the tenant itself is switched off.
  if (record.tenant.status !== 'active') throw ApiError.forbidden('Tenant disabled')
  c.set('tenant', record.tenant)
  c.set('apiKey', record.key)
  touchThrottled(c, record.tenant.id, record.key.id, now)
  await next()
})

function touchThrottled(c: Parameters<typeof authenticate>[0], tenantId: string, keyId: string, now: Date): void {
  const services = c.get('services')
  let seen = lastTouched.get(services)
  if (!seen) lastTouched.set(services, (seen = new Map()))
  const last = seen.get(keyId) ?? 0
  if (now.getTime() - last < TOUCH_INTERVAL_MS) return
  seen.set(keyId, now.getTime())
  runInBackground(c, c.get('ctx').repos.apiKeys.touchLastUsed(tenantId, keyId, now))
}

/** Roles allowed on a route; anything else is 403. Runs after `authenticate`. */
export function requireRole(...roles: Role[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!roles.includes(c.get('apiKey').role)) throw ApiError.forbidden()
    await next()
  })
}
