import { z } from '@hono/zod-openapi'
import {
  EvaluateRequestSchema,
  toValidationIssues,
  type EvaluateRequest,
  type EvaluateRequestInput,
  type ValidationIssue,
} from '../../../engine/index'
import { laxBool, laxInt, laxText } from './lax'
import { toNativePolicy, V1PolicyInputSchema } from './policy-input'

/**
 * `/v1` evaluate requests as the replaced service accepted them (its `EvaluateRequest` and
 * `DisciplineInput`), parsed into the engine's request. More lenient than the original, never
 * less: numbers and booleans may come as strings, fields it did not know (`objetivos`, `codigo`,
 * `credito`, `context`, `expected`, ...) are ignored whatever their type — the engine's own ones
 * are kept when they are valid — and the version labels are optional.
 */

/** A field the original did not declare: used when valid, otherwise ignored like any unknown key. */
const ignoredUnlessValid = <T extends z.ZodType>(schema: T) =>
  schema.optional().catch(undefined).openapi({ type: 'string', description: 'Not in the original: used when valid, else ignored' })

export const V1DisciplineSchema = z
  .object({
    nome: laxText(z.string().trim().min(1).max(300)),
    carga_horaria: laxInt(z.number().int().min(0).max(10_000)).nullish(),
    ementa: z.string().trim().min(1).max(20_000),
    aprovado: laxBool(z.boolean()).nullish(),
    nivel: laxText(z.string().trim().min(1).max(50)).nullish(),
    ano_conclusao: laxInt(z.number().int().min(1900).max(2200)).nullish(),
    codigo: ignoredUnlessValid(z.string().trim().min(1).max(50)),
    instituicao: ignoredUnlessValid(z.string().trim().min(1).max(300)),
  })
  .openapi('DisciplineInput')

export const V1EvaluateOptionsSchema = z.object({
  return_evidence: laxBool(z.boolean()).optional(),
  allow_degraded_fallback: laxBool(z.boolean()).optional(),
})

const label = laxText(z.string().trim().min(1).max(100))

export const V1EvaluateRequestSchema = z
  .object({
    request_id: laxText(z.string().trim().min(1).max(200)).nullish(),
    origem: V1DisciplineSchema,
    destino: V1DisciplineSchema,
    /** Honoured only as an admin's what-if simulation; ignored (and said so in `meta.avisos`) otherwise. */
    policy: V1PolicyInputSchema.optional(),
    taxonomy_version: label.nullish(),
    policy_version: label.nullish(),
    options: V1EvaluateOptionsSchema.optional(),
    course_id: laxText(z.string().trim().min(1).max(200)).nullish(),
    /** Extension: reference date of the course age limit (`YYYY-MM-DD`); the server's date otherwise. */
    data_referencia: z.iso.date().optional(),
  })
  .openapi('V1EvaluateRequest', {
    example: {
      request_id: 'req-0001',
      origem: { nome: 'Introdução à Administração', carga_horaria: 60, ementa: 'Teorias administrativas; planejamento, missão e visão.', aprovado: true, nivel: 'basico', ano_conclusao: 2020 },
      destino: { nome: 'Teoria Geral da Administração', carga_horaria: 60, ementa: 'Teorias administrativas. Planejamento. Organização.', nivel: 'intermediario' },
      policy: { min_score_deferir: 85, min_score_complemento: 70, tolerancia_carga: 1.0 },
      taxonomy_version: '2026.01',
      policy_version: '1.0',
      options: { return_evidence: true, allow_degraded_fallback: true },
    },
  })

export type V1EvaluateRequest = z.input<typeof V1EvaluateRequestSchema>

/** A `/v1` evaluate request after parsing: the engine's request plus what only the wire needs. */
export interface V1Evaluate {
  request: EvaluateRequest
  /** The labels as sent: echoed in the answer whatever version actually decided. */
  labels: { policy_version: string | null; taxonomy_version: string | null }
  returnEvidence: boolean
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] }

type V1Discipline = z.infer<typeof V1DisciplineSchema>

function toCourse(d: V1Discipline): NonNullable<EvaluateRequestInput['origem']> {
  return {
    nome: d.nome,
    ementa: d.ementa,
    carga_horaria: d.carga_horaria ?? null,
    // The original's `aprovado: null` ("not said") passed its approval rule, as the native default does.
    ...(d.aprovado != null ? { aprovado: d.aprovado } : {}),
    ...(d.nivel != null ? { nivel: d.nivel } : {}),
    ...(d.ano_conclusao != null ? { ano_conclusao: d.ano_conclusao } : {}),
    ...(d.codigo ? { codigo: d.codigo } : {}),
    ...(d.instituicao ? { instituicao: d.instituicao } : {}),
  }
}

export function parseV1EvaluateRequest(body: unknown, prefix: (string | number)[] = ['body']): ParseResult<V1Evaluate> {
  const parsed = V1EvaluateRequestSchema.safeParse(body)
  if (!parsed.success) return { ok: false, issues: toValidationIssues(parsed.error, prefix) }
  return toV1Evaluate(parsed.data, prefix)
}

/** A request already parsed by `V1EvaluateRequestSchema` (e.g. by the route's validator) → the engine's. */
export function toV1Evaluate(v: z.infer<typeof V1EvaluateRequestSchema>, prefix: (string | number)[] = ['body']): ParseResult<V1Evaluate> {
  const native: EvaluateRequestInput = {
    origem: toCourse(v.origem),
    destino: toCourse(v.destino),
    ...(v.request_id ? { request_id: v.request_id } : {}),
    ...(v.course_id ? { course_id: v.course_id } : {}),
    ...(v.policy_version ? { policy_version: v.policy_version } : {}),
    ...(v.taxonomy_version ? { taxonomy_version: v.taxonomy_version } : {}),
    ...(v.policy ? { policy: toNativePolicy(v.policy) } : {}),
    ...(v.data_referencia ? { data_referencia: v.data_referencia } : {}),
  }
  const request = EvaluateRequestSchema.safeParse(native)
  if (!request.success) return { ok: false, issues: toValidationIssues(request.error, prefix) }
  return {
    ok: true,
    value: {
      request: request.data,
      labels: { policy_version: v.policy_version ?? null, taxonomy_version: v.taxonomy_version ?? null },
      returnEvidence: v.options?.return_evidence ?? true,
    },
  }
}
