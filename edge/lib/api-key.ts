import { hmacSha256Hex } from '../../services/crypto'

/** HMAC-SHA256 (hex) under API_KEY_SALT: the same function as db/api-key-hash.ts `hashApiKey`. */
export function createKeyHasher(salt: string): (plaintext: string) => Promise<string> {
  return async (plaintext) => hmacSha256Hex(salt, plaintext)
}
