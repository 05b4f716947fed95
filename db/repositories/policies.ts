import { and, desc, eq } from 'drizzle-orm'
import { z } from 'zod'
import { PolicySchema, type Policy } from '../../engine'
import type { Database } from '../client'
import { conflictAs } from '../errors'
import { isUuid } from '../ids'
import { policyVersions } from '../schema'
import { withTransaction } from '../transaction'

export type PolicyVersion = Omit<typeof policyVersions.$inferSelect, 'config'> & { config: Policy }

export const CreatePolicyInputSchema = z.object({
  version: z.string().trim().min(1).max(100),
  description: z.string().max(2000).default(''),
  /** Parsed by the engine's PolicySchema: what is stored is the complete policy, defaults filled in. */
  config: PolicySchema,
  isDefault: z.boolean().default(false),
})
export type CreatePolicyInput = z.input<typeof CreatePolicyInputSchema>

const toPolicyVersion = (row: typeof policyVersions.$inferSelect): PolicyVersion => ({
  ...row,
  config: row.config as Policy,
})

/** Policy versions: immutable once written (a change is a new version), at most one default per tenant. */
export function createPoliciesRepository(db: Database) {
  async function findOne(tenantId: string, where: ReturnType<typeof eq>): Promise<PolicyVersion | null> {
    if (!isUuid(tenantId)) return null
    const [row] = await db
      .select()
      .from(policyVersions)
      .where(and(eq(policyVersions.tenantId, tenantId), where))
    return row ? toPolicyVersion(row) : null
  }

  return {
    /** Throws a ZodError for an invalid config (the edge renders it as 422). */
    async create(tenantId: string, input: CreatePolicyInput): Promise<PolicyVersion> {
      const parsed = CreatePolicyInputSchema.parse(input)
      return withTransaction(db, async (tx) => {
        if (parsed.isDefault) {
          await tx
            .update(policyVersions)
            .set({ isDefault: false })
            .where(and(eq(policyVersions.tenantId, tenantId), eq(policyVersions.isDefault, true)))
        }
        const [row] = await conflictAs(`policy version ${parsed.version} already exists`, () =>
          tx
            .insert(policyVersions)
            .values({ tenantId, ...parsed, config: parsed.config as Record<string, unknown> })
            .returning(),
        )
        return toPolicyVersion(row!)
      })
    },

    async get(tenantId: string, id: string): Promise<PolicyVersion | null> {
      return isUuid(id) ? findOne(tenantId, eq(policyVersions.id, id)) : null
    },

    /** By the label clients send as `policy_version`. */
    getByVersion: (tenantId: string, version: string) =>
      findOne(tenantId, eq(policyVersions.version, version)),

    getDefault: (tenantId: string) => findOne(tenantId, eq(policyVersions.isDefault, true)),

    /** Makes `id` the tenant's default; null if it is not one of the tenant's policies. */
    async setDefault(tenantId: string, id: string): Promise<PolicyVersion | null> {
      if (!isUuid(tenantId) || !isUuid(id)) return null
      return withTransaction(db, async (tx) => {
        const [target] = await tx
          .select({ id: policyVersions.id })
          .from(policyVersions)
          .where(and(eq(policyVersions.tenantId, tenantId), eq(policyVersions.id, id)))
          .for('update')
        if (!target) return null
        await tx
          .update(policyVersions)
          .set({ isDefault: false })
          .where(and(eq(policyVersions.tenantId, tenantId), eq(policyVersions.isDefault, true)))
        const [row] = await tx
          .update(policyVersions)
          .set({ isDefault: true })
          .where(and(eq(policyVersions.tenantId, tenantId), eq(policyVersions.id, id)))
          .returning()
        return toPolicyVersion(row!)
      })
    },

    async list(tenantId: string): Promise<PolicyVersion[]> {
      if (!isUuid(tenantId)) return []
      const rows = await db
        .select()
        .from(policyVersions)
        .where(eq(policyVersions.tenantId, tenantId))
        .orderBy(desc(policyVersions.createdAt), desc(policyVersions.id))
      return rows.map(toPolicyVersion)
    },
  }
}

export type PoliciesRepository = ReturnType<typeof createPoliciesRepository>
