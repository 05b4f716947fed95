import { and, asc, count, desc, eq, inArray } from 'drizzle-orm'
import { z } from 'zod'
import { TaxonomyNodeSchema, type TaxonomyNode, type TaxonomyNodeInput } from '../../engine'
import type { Database } from '../client'
import { conflictAs, DataError } from '../errors'
import { isUuid } from '../ids'
import { taxonomyNodes, taxonomyVersions, type TaxonomyStatus } from '../schema'
import { withTransaction } from '../transaction'

export type TaxonomyVersion = typeof taxonomyVersions.$inferSelect
export type TaxonomyWithNodes = TaxonomyVersion & { nodes: TaxonomyNode[] }

export const CreateTaxonomyInputSchema = z.object({
  version: z.string().trim().min(1).max(100),
  description: z.string().max(2000).default(''),
  nodes: z
    .array(TaxonomyNodeSchema)
    .max(5000)
    .superRefine((nodes, ctx) => {
      const seen = new Set<string>()
      nodes.forEach((node, i) => {
        if (seen.has(node.id))
          ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate node id ${node.id}` })
        seen.add(node.id)
      })
    }),
})
export type CreateTaxonomyInput = z.input<typeof CreateTaxonomyInputSchema> & { nodes: TaxonomyNodeInput[] }

/** Rows per INSERT: 12 parameters a node keeps a statement well under Postgres's 65,535. */
const NODE_CHUNK = 1000

/** Which states each lifecycle move starts from. */
const MOVES: Record<'activate' | 'deprecate', { from: TaxonomyStatus[]; to: TaxonomyStatus }> = {
  activate: { from: ['draft', 'deprecated'], to: 'active' },
  deprecate: { from: ['draft', 'active'], to: 'deprecated' },
}

/** Taxonomy versions and their nodes. A version is created as a draft with all its nodes, then activated. */
export function createTaxonomiesRepository(db: Database) {
  async function nodesOf(tenantId: string, versionId: string): Promise<TaxonomyNode[]> {
    const rows = await db
      .select()
      .from(taxonomyNodes)
      .where(and(eq(taxonomyNodes.tenantId, tenantId), eq(taxonomyNodes.taxonomyVersionId, versionId)))
      .orderBy(asc(taxonomyNodes.position))
    return rows.map((n) => ({
      id: n.nodeId,
      area: n.area,
      subarea: n.subarea,
      conceito: n.conceito,
      descricao: n.descricao,
      palavras_chave: n.palavrasChave,
      nivel: n.nivel ?? null,
      critico: n.critico,
    }))
  }

  async function move(
    tenantId: string,
    id: string,
    kind: keyof typeof MOVES,
  ): Promise<TaxonomyVersion | null> {
    if (!isUuid(tenantId) || !isUuid(id)) return null
    const { from, to } = MOVES[kind]
    const now = new Date()
    const [row] = await db
      .update(taxonomyVersions)
      .set(kind === 'activate' ? { status: to, activatedAt: now } : { status: to, deprecatedAt: now })
      .where(
        and(
          eq(taxonomyVersions.tenantId, tenantId),
          eq(taxonomyVersions.id, id),
          inArray(taxonomyVersions.status, from),
        ),
      )
      .returning()
    if (row) return row
    const current = await db
      .select({ status: taxonomyVersions.status })
      .from(taxonomyVersions)
      .where(and(eq(taxonomyVersions.tenantId, tenantId), eq(taxonomyVersions.id, id)))
    if (current[0])
      throw new DataError('INVALID_STATE', `cannot ${kind} a taxonomy that is ${current[0].status}`)
    return null
  }

  return {
    /** Validates the nodes with the engine's schema and stores the draft and its nodes atomically. */
    async createDraft(tenantId: string, input: CreateTaxonomyInput): Promise<TaxonomyWithNodes> {
      const parsed = CreateTaxonomyInputSchema.parse(input)
      return withTransaction(db, async (tx) => {
        const [version] = await conflictAs(`taxonomy version ${parsed.version} already exists`, () =>
          tx
            .insert(taxonomyVersions)
            .values({ tenantId, version: parsed.version, description: parsed.description })
            .returning(),
        )
        const rows = parsed.nodes.map((n, position) => ({
          taxonomyVersionId: version!.id,
          tenantId,
          nodeId: n.id,
          area: n.area,
          subarea: n.subarea,
          conceito: n.conceito,
          descricao: n.descricao,
          palavrasChave: n.palavras_chave,
          nivel: n.nivel ?? null,
          critico: n.critico,
          position,
        }))
        for (let i = 0; i < rows.length; i += NODE_CHUNK) {
          await tx.insert(taxonomyNodes).values(rows.slice(i, i + NODE_CHUNK))
        }
        return { ...version!, nodes: parsed.nodes.map((n) => ({ ...n, nivel: n.nivel ?? null })) }
      })
    },

    activate: (tenantId: string, id: string) => move(tenantId, id, 'activate'),
    deprecate: (tenantId: string, id: string) => move(tenantId, id, 'deprecate'),

    async get(tenantId: string, id: string): Promise<TaxonomyWithNodes | null> {
      if (!isUuid(tenantId) || !isUuid(id)) return null
      const [version] = await db
        .select()
        .from(taxonomyVersions)
        .where(and(eq(taxonomyVersions.tenantId, tenantId), eq(taxonomyVersions.id, id)))
      return version ? { ...version, nodes: await nodesOf(tenantId, version.id) } : null
    },

    /** By the version label clients send as `taxonomy_version`. */
    async getByVersion(tenantId: string, version: string): Promise<TaxonomyWithNodes | null> {
      if (!isUuid(tenantId)) return null
      const [row] = await db
        .select()
        .from(taxonomyVersions)
        .where(and(eq(taxonomyVersions.tenantId, tenantId), eq(taxonomyVersions.version, version)))
      return row ? { ...row, nodes: await nodesOf(tenantId, row.id) } : null
    },

    /** All versions, newest first, with their node counts (not the nodes). */
    async list(tenantId: string): Promise<(TaxonomyVersion & { nodeCount: number })[]> {
      if (!isUuid(tenantId)) return []
      return db
        .select({
          id: taxonomyVersions.id,
          tenantId: taxonomyVersions.tenantId,
          version: taxonomyVersions.version,
          status: taxonomyVersions.status,
          description: taxonomyVersions.description,
          createdAt: taxonomyVersions.createdAt,
          activatedAt: taxonomyVersions.activatedAt,
          deprecatedAt: taxonomyVersions.deprecatedAt,
          nodeCount: count(taxonomyNodes.nodeId),
        })
        .from(taxonomyVersions)
        .leftJoin(
          taxonomyNodes,
          and(
            eq(taxonomyNodes.taxonomyVersionId, taxonomyVersions.id),
            eq(taxonomyNodes.tenantId, taxonomyVersions.tenantId),
          ),
        )
        .where(eq(taxonomyVersions.tenantId, tenantId))
        .groupBy(taxonomyVersions.id)
        .orderBy(desc(taxonomyVersions.createdAt), desc(taxonomyVersions.id))
    },
  }
}

export type TaxonomiesRepository = ReturnType<typeof createTaxonomiesRepository>
