import { toHex } from './crypto'

const encoder = new TextEncoder()

/**
 * HMAC-SHA256 (hex) under API_KEY_SALT — the same function as db/api-key-hash.ts `hashApiKey`,
 * with the imported HMAC key kept across calls because it runs on every request.
 */
export function createKeyHasher(salt: string): (plaintext: string) => Promise<string> {
  const key = crypto.subtle.importKey('raw', encoder.encode(salt), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return async (plaintext) => toHex(await crypto.subtle.sign('HMAC', await key, encoder.encode(plaintext)))
}
