import { and, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm'
import { displayPrefix, generateApiKey, hashApiKey } from '../api-key-hash'
import type { Database } from '../client'
import { cursorAtOf, newestFirstAfter, newestFirstPage, pageSize, type Page } from '../cursor'
import { isUuid } from '../ids'
import { apiKeys, tenants, type ApiKeyRole, type TenantStatus } from '../schema'
import { withTransaction } from '../transaction'

/** A key as listings show it: never the hash. */
export type ApiKey = Omit<typeof apiKeys.$inferSelect, 'keyHash'>

export interface AuthenticatedKey {
  key: ApiKey
  tenant: {
    id: string
    slug: string
    status: TenantStatus
    rateLimits: (typeof tenants.$inferSelect)['rateLimits']
  }
}

export interface CreateApiKeyInput {
  role: ApiKeyRole
  name?: string
  expiresAt?: Date | null
}

const publicColumns = {
  id: apiKeys.id,
  tenantId: apiKeys.tenantId,
  prefix: apiKeys.prefix,
  name: apiKeys.name,
  role: apiKeys.role,
  status: apiKeys.status,
  expiresAt: apiKeys.expiresAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
  createdAt: apiKeys.createdAt,
}

/**
 * API keys. `salt` is API_KEY_SALT: keys are stored only as HMAC-SHA256(key, salt), and the
 * plaintext is returned exactly once, by `create` / `rotate`.
 */
/**
 * The edge's authentication lookup: the key by its hash together with the stored hash (for a
 * constant-time comparison) and its tenant, whatever their status, so the edge can tell a revoked
 * key (401) from a disabled tenant (403) and cache the record as it is.
 */
export async function findKeyForAuth(db: Database, keyHash: string) {
  const [row] = await db
    .select({
      keyHash: apiKeys.keyHash,
      key: publicColumns,
      tenant: { id: tenants.id, name: tenants.name, status: tenants.status, rateLimits: tenants.rateLimits },
    })
    .from(apiKeys)
    .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
    .where(eq(apiKeys.keyHash, keyHash))
  return row ?? null
}

export function createApiKeysRepository(db: Database, salt: string) {
  async function insertKey(tx: Database, tenantId: string, input: CreateApiKeyInput, plaintext: string) {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        tenantId,
        keyHash: await hashApiKey(plaintext, salt),
        prefix: displayPrefix(plaintext),
        name: input.name ?? '',
        role: input.role,
        expiresAt: input.expiresAt ?? null,
      })
      .returning(publicColumns)
    return row!
  }

  /**
   * The authentication lookup, and the only one not scoped by a tenant id: the key is what names
   * the tenant. Revoked or expired keys are not found; the tenant's status comes along so the
   * caller can refuse a disabled tenant with 403 rather than 401.
   */
  async function findActiveByHash(keyHash: string, now = new Date()): Promise<AuthenticatedKey | null> {
    const [row] = await db
      .select({
        key: publicColumns,
        tenant: {
          id: tenants.id,
          slug: tenants.slug,
          status: tenants.status,
          rateLimits: tenants.rateLimits,
        },
      })
      .from(apiKeys)
      .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
      .where(
        and(
          eq(apiKeys.keyHash, keyHash),
          eq(apiKeys.status, 'active'),
          or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
        ),
      )
    return row ?? null
  }

  return {
    findActiveByHash,

    async findActiveByKey(plaintext: string, now = new Date()): Promise<AuthenticatedKey | null> {
      return findActiveByHash(await hashApiKey(plaintext, salt), now)
    },

    /** Creates a key; the plaintext in the answer is never available again. */
    async create(tenantId: string, input: CreateApiKeyInput): Promise<{ key: ApiKey; plaintext: string }> {
      const plaintext = generateApiKey()
      return { key: await insertKey(db, tenantId, input, plaintext), plaintext }
    },

    /** Stores a key whose plaintext the caller chose (seed keys from env). */
    async createWithPlaintext(
      tenantId: string,
      input: CreateApiKeyInput,
      plaintext: string,
    ): Promise<ApiKey> {
      return insertKey(db, tenantId, input, plaintext)
    },

    async get(tenantId: string, keyId: string): Promise<ApiKey | null> {
      if (!isUuid(tenantId) || !isUuid(keyId)) return null
      const [row] = await db
        .select(publicColumns)
        .from(apiKeys)
        .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId)))
      return row ?? null
    },

    /**
     * A key by its id with its tenant, whatever their status, in one query by primary keys and
     * never cached: the console re-checks its session's key with it on every request, so a revoke
     * (or a disabled tenant) ends the session on its next click on every instance.
     */
    async getWithTenant(tenantId: string, keyId: string): Promise<{ key: ApiKey; tenant: typeof tenants.$inferSelect } | null> {
      if (!isUuid(tenantId) || !isUuid(keyId)) return null
      const [row] = await db
        .select({ key: publicColumns, tenant: tenants })
        .from(apiKeys)
        .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
        .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId)))
      return row ?? null
    },

    async revoke(tenantId: string, keyId: string): Promise<ApiKey | null> {
      if (!isUuid(tenantId) || !isUuid(keyId)) return null
      const [row] = await db
        .update(apiKeys)
        .set({ status: 'revoked', revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
        .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId)))
        .returning(publicColumns)
      return row ?? null
    },

    /** Revokes an active key and issues its replacement (same role, name and expiry) atomically. */
    async rotate(
      tenantId: string,
      keyId: string,
    ): Promise<{ revoked: ApiKey; key: ApiKey; plaintext: string } | null> {
      if (!isUuid(tenantId) || !isUuid(keyId)) return null
      return withTransaction(db, async (tx) => {
        const [revoked] = await tx
          .update(apiKeys)
          .set({ status: 'revoked', revokedAt: new Date() })
          .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId), eq(apiKeys.status, 'active')))
          .returning(publicColumns)
        if (!revoked) return null
        const plaintext = generateApiKey()
        const key = await insertKey(tx, tenantId, revoked, plaintext)
        return { revoked, key, plaintext }
      })
    },

    /** Newest first, with cursor pagination. */
    async list(tenantId: string, options: { cursor?: string; limit?: number } = {}): Promise<Page<ApiKey>> {
      if (!isUuid(tenantId)) return { items: [], nextCursor: null }
      const limit = pageSize(options.limit)
      const rows = await db
        .select({ ...publicColumns, cursorAt: cursorAtOf(apiKeys.createdAt) })
        .from(apiKeys)
        .where(
          and(
            eq(apiKeys.tenantId, tenantId),
            newestFirstAfter(apiKeys.createdAt, apiKeys.id, options.cursor),
          ),
        )
        .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
        .limit(limit + 1)
      return newestFirstPage(rows, limit)
    },

    /** Records a use. Writes at most once a minute per key, so hot keys do not turn reads into writes. */
    async touchLastUsed(tenantId: string, keyId: string, at = new Date()): Promise<void> {
      if (!isUuid(tenantId) || !isUuid(keyId)) return
      await db
        .update(apiKeys)
        .set({ lastUsedAt: at })
        .where(
          and(
            eq(apiKeys.tenantId, tenantId),
            eq(apiKeys.id, keyId),
            or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(at.getTime() - 60_000))),
          ),
        )
    },
  }
}

export type ApiKeysRepository = ReturnType<typeof createApiKeysRepository>
