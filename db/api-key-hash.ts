/**
 * API keys are stored as hex HMAC-SHA256(key, API_KEY_SALT), as the replaced service did. Web Crypto
 * only, so the same code runs on Workers, Deno and Node.
 */
export async function hashApiKey(key: string, salt: string): Promise<string> {
  const encoder = new TextEncoder()
  const hmacKey = await crypto.subtle.importKey(
    'raw',
    encoder.encode(salt),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = await crypto.subtle.sign('HMAC', hmacKey, encoder.encode(key))
  return toHex(mac)
}

/** A new API key: `ee_` + 32 random bytes in base64url (256 bits of entropy). */
export function generateApiKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  return `ee_${btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')}`
}

/** What listings show of a key: enough to tell keys apart, far too little to use. */
export function displayPrefix(key: string): string {
  return key.slice(0, 10)
}

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('')
}
