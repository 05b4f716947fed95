/** SHA-256 hex through Web Crypto (Node, Deno and Workers alike). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * The cache key of a text's vector: the tenant is part of the hashed input, so no cache layer
 * (memory, Redis, Postgres) shares an entry between tenants, and a hit never tells one tenant
 * what another one sent.
 */
export const embeddingKey = (tenantId: string, text: string) => sha256Hex(`${tenantId}\u0000${text}`)
