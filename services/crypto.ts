import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Hashing on the hot path. node:crypto is synchronous and several times cheaper per call than
 * Web Crypto's promise round trip; Node, Deno and workerd (with `nodejs_compat`) all provide it.
 */

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

export function hmacSha256Hex(key: string, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex')
}

/** Compares in time that depends only on the length, so a hash is not guessed byte by byte. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
