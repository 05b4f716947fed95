import { eq } from 'drizzle-orm'
import type { Database } from '../client'
import { apiKeys, tenants } from '../schema'

/**
 * The edge's authentication lookup (added by the edge API): the key by its hash with the stored
 * hash itself, for a constant-time comparison, and whatever its status, so the edge can tell a
 * revoked key (401) from a disabled tenant (403) and cache the record as it is.
 */
export async function findKeyForAuth(db: Database, keyHash: string) {
  const [row] = await db
    .select({
      keyHash: apiKeys.keyHash,
      key: {
        id: apiKeys.id,
        tenantId: apiKeys.tenantId,
        prefix: apiKeys.prefix,
        name: apiKeys.name,
        role: apiKeys.role,
        status: apiKeys.status,
        expiresAt: apiKeys.expiresAt,
        lastUsedAt: apiKeys.lastUsedAt,
        createdAt: apiKeys.createdAt,
      },
      tenant: { id: tenants.id, name: tenants.name, status: tenants.status, rateLimits: tenants.rateLimits },
    })
    .from(apiKeys)
    .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
    .where(eq(apiKeys.keyHash, keyHash))
  return row ?? null
}
