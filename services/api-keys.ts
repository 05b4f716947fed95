import type { ApiKey } from '../db/repositories/api-keys'
import type { ApiKeyRole } from '../db/schema'
import { audited } from './audited'
import type { ServiceContext } from './context'

type Actor = { tenantId: string; actorKeyId: string }

export async function createApiKey({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: Actor & { role: ApiKeyRole; name: string | null; expiresAt: Date | null }
}): Promise<{ key: ApiKey; plaintext: string }> {
  return audited(
    ctx,
    input.tenantId,
    (repos) => repos.apiKeys.create(input.tenantId, { role: input.role, name: input.name ?? undefined, expiresAt: input.expiresAt }),
    (v) => ({ action: 'api_key.created', actorKeyId: input.actorKeyId, target: v.key.id, payload: { role: v.key.role, prefix: v.key.prefix } }),
  )
}

/** Every key of the tenant, newest first. */
export async function listApiKeys({ ctx, input }: { ctx: ServiceContext; input: { tenantId: string } }): Promise<ApiKey[]> {
  const items: ApiKey[] = []
  let cursor: string | undefined
  do {
    const page = await ctx.repos.apiKeys.list(input.tenantId, { cursor, limit: 500 })
    items.push(...page.items)
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return items
}

/** Null: not one of the tenant's keys. */
export async function revokeApiKey({ ctx, input }: { ctx: ServiceContext; input: Actor & { keyId: string } }): Promise<ApiKey | null> {
  return audited(
    ctx,
    input.tenantId,
    (repos) => repos.apiKeys.revoke(input.tenantId, input.keyId),
    (v) => (v ? { action: 'api_key.revoked', actorKeyId: input.actorKeyId, target: v.id } : null),
  )
}

/** Revokes an active key and issues its replacement (same role, name, expiry) atomically; null: not found. */
export async function rotateApiKey({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: Actor & { keyId: string }
}): Promise<{ key: ApiKey; plaintext: string } | null> {
  const rotated = await audited(
    ctx,
    input.tenantId,
    (repos) => repos.apiKeys.rotate(input.tenantId, input.keyId),
    (v) => (v ? { action: 'api_key.rotated', actorKeyId: input.actorKeyId, target: v.revoked.id, payload: { new_key_id: v.key.id } } : null),
  )
  return rotated ? { key: rotated.key, plaintext: rotated.plaintext } : null
}
