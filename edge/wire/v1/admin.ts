import { z } from '@hono/zod-openapi'
import { toValidationIssues, type PolicyInput as NativePolicyInput, type TaxonomyNodeInput } from '../../../engine/index'
import { laxBool, laxText } from './lax'
import { toNativePolicy, V1PolicyInputSchema } from './policy-input'
import type { ParseResult } from './request'

/**
 * The replaced service's admin bodies (`app/admin_routes.py`) and answers. It read them as plain
 * dicts, so a missing key was a 500 there; here it is a 422 naming it. `tenant_id` in a body is
 * ignored: the key decides the tenant, as it did in the original.
 */

const VersionLabel = laxText(z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, dot, dash, underscore'))

const V1NodeSchema = z.object({
  id: laxText(z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/, 'letters, digits and . _ : / -')),
  area: laxText(z.string().max(200)).default(''),
  subarea: laxText(z.string().max(200)).default(''),
  conceito: laxText(z.string().trim().min(1).max(300)),
  descricao: laxText(z.string().max(2000)).default(''),
  palavras_chave: z.array(laxText(z.string().trim().min(2).max(200))).max(100).default([]),
  nivel: laxText(z.string().max(50)).nullish(),
  critico: laxBool(z.boolean()).default(false),
})

export const V1TaxonomyVersionSchema = z
  .object({ version: VersionLabel, nodes: z.array(V1NodeSchema).min(1).max(5000) })
  .openapi('V1TaxonomyVersionCreate', {
    example: {
      version: '2026.01',
      nodes: [{ id: '1012', area: 'Administração', subarea: 'Gestão', conceito: 'Planejamento Estratégico', descricao: 'Modelos de planejamento', palavras_chave: ['swot', 'planejamento estratégico'], nivel: 'intermediario', critico: true }],
    },
  })
export const V1PolicyVersionSchema = z
  .object({ version: VersionLabel, config: V1PolicyInputSchema.default({}) })
  .openapi('V1PolicyVersionCreate', { example: { version: 'v3', config: { min_score_deferir: 85, min_score_complemento: 70, tolerancia_carga: 0.75, exigir_criticos: true } } })
export const V1BindingSchema = z
  .object({
    course_id: laxText(z.string().trim().min(1).max(200)),
    taxonomy_version: VersionLabel,
    policy_version: VersionLabel,
  })
  .openapi('V1BindingCreate', { example: { course_id: 'ADM-01', taxonomy_version: '2026.01', policy_version: 'v3' } })

function parse<T extends z.ZodType, R>(schema: T, body: unknown, to: (v: z.infer<T>) => R): ParseResult<R> {
  const parsed = schema.safeParse(body)
  return parsed.success ? { ok: true, value: to(parsed.data) } : { ok: false, issues: toValidationIssues(parsed.error, ['body']) }
}

export function parseV1TaxonomyVersion(body: unknown): ParseResult<{ version: string; nodes: TaxonomyNodeInput[] }> {
  return parse(V1TaxonomyVersionSchema, body, (v) => ({
    version: v.version,
    // The original defaulted a node's level to `basico`.
    nodes: v.nodes.map((n) => ({ ...n, nivel: n.nivel ?? 'basico' })),
  }))
}

export function parseV1PolicyVersion(body: unknown): ParseResult<{ version: string; config: NativePolicyInput }> {
  return parse(V1PolicyVersionSchema, body, (v) => ({ version: v.version, config: toNativePolicy(v.config) }))
}

export function parseV1Binding(body: unknown): ParseResult<z.infer<typeof V1BindingSchema>> {
  return parse(V1BindingSchema, body, (v) => v)
}

export const renderV1TaxonomyVersion = (t: { id: string; tenantId: string; version: string; nodeCount: number }) => ({
  taxonomy_version_id: t.id,
  tenant_id: t.tenantId,
  version: t.version,
  nodes: t.nodeCount,
  index_job: 'queued' as const,
})

export const renderV1PolicyVersion = (p: { id: string; tenantId: string; version: string }) => ({
  policy_version_id: p.id,
  tenant_id: p.tenantId,
  version: p.version,
})

export const renderV1Binding = (b: { id: string; tenantId: string; courseId: string; policyVersion: string; taxonomyVersion: string | null }) => ({
  binding_id: b.id,
  tenant_id: b.tenantId,
  course_id: b.courseId,
  policy_version: b.policyVersion,
  taxonomy_version: b.taxonomyVersion,
})

export const renderV1Requeued = (r: { itemId: string; jobId: string }) => ({ ok: true as const, item_id: r.itemId, job_id: r.jobId })

/** The original's error texts for `POST /admin/dlq/requeue/{item_id}`. */
export const REQUEUE_NOT_FOUND = 'JobItem not found'
export const requeueWrongState = (status: string) => `Item status must be failed, got ${status}`
