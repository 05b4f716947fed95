import { toHex } from './crypto'

const encoder = new TextEncoder()
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** HMAC-SHA256 (hex) under API_KEY_SALT; the imported key is reused across calls. */
export function createKeyHasher(salt: string): (plaintext: string) => Promise<string> {
  const key = crypto.subtle.importKey('raw', encoder.encode(salt), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return async (plaintext) => toHex(await crypto.subtle.sign('HMAC', await key, encoder.encode(plaintext)))
}

/**
 * A new API key: `ee_` + 40 base62 characters (~238 bits). The first 11 characters are the
 * display prefix stored beside the hash so people can tell keys apart in listings.
 */
export function generateApiKey(): { plaintext: string; prefix: string } {
  // Bytes ≥ 248 (4 × 62) are skipped so every character is equally likely.
  let body = ''
  while (body.length < 40) {
    for (const b of crypto.getRandomValues(new Uint8Array(48))) {
      if (b < 248 && body.length < 40) body += ALPHABET[b % 62]
    }
  }
  const plaintext = `ee_${body}`
  return { plaintext, prefix: plaintext.slice(0, 11) }
}
