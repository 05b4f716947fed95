import { eq } from 'drizzle-orm'
import type { Database } from '../client'
import { conflictAs } from '../errors'
import { isUuid } from '../ids'
import { tenants, type RateLimitOverrides, type TenantStatus } from '../schema'

export type Tenant = typeof tenants.$inferSelect

/**
 * Tenants themselves. Reads and updates take the tenant's own id, so a caller can only ever reach
 * the tenant it authenticated as; `create` and `getBySlug` are for provisioning (seed, admin CLI).
 */
export function createTenantsRepository(db: Database) {
  return {
    async create(input: { slug: string; name: string; rateLimits?: RateLimitOverrides }): Promise<Tenant> {
      const [row] = await conflictAs(`tenant ${input.slug} already exists`, () =>
        db.insert(tenants).values(input).returning(),
      )
      return row!
    },

    async get(tenantId: string): Promise<Tenant | null> {
      if (!isUuid(tenantId)) return null
      const [row] = await db.select().from(tenants).where(eq(tenants.id, tenantId))
      return row ?? null
    },

    async getBySlug(slug: string): Promise<Tenant | null> {
      const [row] = await db.select().from(tenants).where(eq(tenants.slug, slug))
      return row ?? null
    },

    async setStatus(tenantId: string, status: TenantStatus): Promise<Tenant | null> {
      if (!isUuid(tenantId)) return null
      const [row] = await db
        .update(tenants)
        .set({ status, updatedAt: new Date() })
        .where(eq(tenants.id, tenantId))
        .returning()
      return row ?? null
    },

    async setRateLimits(tenantId: string, rateLimits: RateLimitOverrides): Promise<Tenant | null> {
      if (!isUuid(tenantId)) return null
      const [row] = await db
        .update(tenants)
        .set({ rateLimits, updatedAt: new Date() })
        .where(eq(tenants.id, tenantId))
        .returning()
      return row ?? null
    },
  }
}

export type TenantsRepository = ReturnType<typeof createTenantsRepository>
