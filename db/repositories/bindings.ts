import { and, desc, eq, lte } from 'drizzle-orm'
import { z } from 'zod'
import type { Policy } from '../../engine'
import type { Database } from '../client'
import { conflictAs, DataError, FOREIGN_KEY_VIOLATION, pgErrorCode } from '../errors'
import { isUuid } from '../ids'
import { courseBindings, policyVersions, taxonomyVersions } from '../schema'

export type CourseBinding = typeof courseBindings.$inferSelect

/** A binding with what it points at: everything the evaluation needs to resolve its versions. */
export interface ResolvedBinding {
  binding: CourseBinding
  policy: { id: string; version: string; config: Policy }
  taxonomy: { id: string; version: string; status: string } | null
}

const IsoDate = z.iso.date()

export const CreateBindingInputSchema = z.object({
  courseId: z.string().trim().min(1).max(200),
  policyVersionId: z.uuid(),
  taxonomyVersionId: z.uuid().nullish(),
  /** `YYYY-MM-DD`: the binding applies to reference dates on or after it. */
  activeFrom: IsoDate,
})
export type CreateBindingInput = z.input<typeof CreateBindingInputSchema>

/** Course bindings: which policy and taxonomy judge a course, from a date on. */
export function createBindingsRepository(db: Database) {
  return {
    /**
     * The policy and taxonomy must be the tenant's own: the composite foreign keys refuse anything
     * else, and that refusal is reported as INVALID_STATE, never as a database error.
     */
    async create(tenantId: string, input: CreateBindingInput): Promise<CourseBinding> {
      const parsed = CreateBindingInputSchema.parse(input)
      try {
        const [row] = await conflictAs(
          `course ${parsed.courseId} already has a binding from ${parsed.activeFrom}`,
          () =>
            db
              .insert(courseBindings)
              .values({ tenantId, ...parsed, taxonomyVersionId: parsed.taxonomyVersionId ?? null })
              .returning(),
        )
        return row!
      } catch (err) {
        if (pgErrorCode(err) === FOREIGN_KEY_VIOLATION) {
          throw new DataError('INVALID_STATE', 'policy or taxonomy version not found')
        }
        throw err
      }
    },

    /** The binding in force for `courseId` on `date` (the latest `active_from` not after it). */
    async resolve(tenantId: string, courseId: string, date: string): Promise<ResolvedBinding | null> {
      if (!isUuid(tenantId) || !IsoDate.safeParse(date).success) return null
      const [row] = await db
        .select({
          binding: courseBindings,
          policy: { id: policyVersions.id, version: policyVersions.version, config: policyVersions.config },
          taxonomy: {
            id: taxonomyVersions.id,
            version: taxonomyVersions.version,
            status: taxonomyVersions.status,
          },
        })
        .from(courseBindings)
        .innerJoin(
          policyVersions,
          and(
            eq(policyVersions.tenantId, courseBindings.tenantId),
            eq(policyVersions.id, courseBindings.policyVersionId),
          ),
        )
        .leftJoin(
          taxonomyVersions,
          and(
            eq(taxonomyVersions.tenantId, courseBindings.tenantId),
            eq(taxonomyVersions.id, courseBindings.taxonomyVersionId),
          ),
        )
        .where(
          and(
            eq(courseBindings.tenantId, tenantId),
            eq(courseBindings.courseId, courseId),
            lte(courseBindings.activeFrom, date),
          ),
        )
        .orderBy(desc(courseBindings.activeFrom))
        .limit(1)
      if (!row) return null
      return {
        binding: row.binding,
        policy: { ...row.policy, config: row.policy.config as Policy },
        taxonomy: row.taxonomy,
      }
    },

    /** A course's bindings (or all of the tenant's), latest first. */
    async list(tenantId: string, courseId?: string): Promise<CourseBinding[]> {
      if (!isUuid(tenantId)) return []
      return db
        .select()
        .from(courseBindings)
        .where(
          and(
            eq(courseBindings.tenantId, tenantId),
            courseId ? eq(courseBindings.courseId, courseId) : undefined,
          ),
        )
        .orderBy(courseBindings.courseId, desc(courseBindings.activeFrom))
    },
  }
}

export type BindingsRepository = ReturnType<typeof createBindingsRepository>
