import { constantTimeEqual, hmacSha256Hex } from '../../services/crypto'

/**
 * Job callbacks (`callback_url`) are signed so the tenant can tell them from forgeries:
 * `X-Equivalence-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The timestamp is inside the MAC, so a captured callback cannot be replayed later than the
 * receiver's tolerance. Each tenant has its own secret, derived from the server's signing secret
 * (nothing to store; rotating the server secret rotates every tenant's).
 */
export const CALLBACK_SIGNATURE_HEADER = 'X-Equivalence-Signature'

/** The tenant's callback secret. @example deriveCallbackSecret(env.CALLBACK_SIGNING_SECRET, tenant.id) */
export async function deriveCallbackSecret(serverSecret: string, tenantId: string): Promise<string> {
  return `whsec_${hmacSha256Hex(serverSecret, `job-callback:${tenantId}`)}`
}

export async function signCallback(secret: string, body: string, unixSeconds: number): Promise<string> {
  return `t=${unixSeconds},v1=${hmacSha256Hex(secret, `${unixSeconds}.${body}`)}`
}

/** What a receiver does; exported for our tests and as the reference for tenants. */
export async function verifyCallback(
  secret: string,
  header: string | null | undefined,
  body: string,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): Promise<boolean> {
  const parts = Object.fromEntries((header ?? '').split(',').map((kv) => kv.trim().split('=', 2) as [string, string]))
  const t = Number(parts.t)
  if (!Number.isInteger(t) || !parts.v1) return false
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000)
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false
  return constantTimeEqual(parts.v1, hmacSha256Hex(secret, `${t}.${body}`))
}
