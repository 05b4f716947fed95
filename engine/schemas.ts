import { z } from 'zod'
import { PolicySchema } from './policy'
import { findUnsafeText, UNSAFE_TEXT_MESSAGE } from './safe-text'

/**
 * Wire shapes of `POST /v1/equivalences/evaluate`, compatible with the Python service this
 * replaces (DESIGN §7). Objects strip unknown keys instead of rejecting them: older clients send
 * extra fields and must keep working. Every string and list has a size limit.
 */

const MAX_EMENTA = 20_000
const MAX_ORIGENS = 20

const optionalText = (max: number) => z.string().max(max).nullish()

/** An academic level: a known name (`graduacao`, `pos`, `tecnico`, ...) or an ordinal. */
export const NivelSchema = z.union([z.string().trim().min(1).max(50), z.number().int().min(0).max(10)])

export const CourseSchema = z.object({
  nome: z.string().trim().min(1).max(300),
  codigo: optionalText(50),
  instituicao: optionalText(300),
  /** Workload in hours; null when unknown (the workload rule is then not applicable). */
  carga_horaria: z.number().int().min(0).max(10_000).nullable().default(null),
  credito: z.number().min(0).max(1_000).nullish(),
  ementa: z.string().trim().min(1).max(MAX_EMENTA),
  objetivos: optionalText(MAX_EMENTA),
  aprovado: z.boolean().default(true),
  nivel: NivelSchema.nullish(),
  ano_conclusao: z.number().int().min(1900).max(2200).nullish(),
})

export type Course = z.infer<typeof CourseSchema>
export type CourseInput = z.input<typeof CourseSchema>

const smallRecord = z
  .record(z.string().max(100), z.unknown())
  .refine((r) => Object.keys(r).length <= 50, { message: 'at most 50 keys' })

function isObjectPayload(payload: { value: unknown }): boolean {
  return typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value)
}

export const EvaluateRequestSchema = z
  .object({
    origem: CourseSchema.optional(),
    /** N:1 — several taken courses that together should cover the target. */
    origens: z.array(CourseSchema).min(1).max(MAX_ORIGENS).optional(),
    destino: CourseSchema,
    request_id: z.string().trim().min(1).max(200).optional(),
    course_id: z.string().trim().min(1).max(200).optional(),
    policy_version: z.string().trim().min(1).max(100).optional(),
    taxonomy_version: z.string().trim().min(1).max(100).optional(),
    /** Inline policy; the edge honours it only as an admin's what-if simulation. */
    policy: PolicySchema.optional(),
    context: smallRecord.optional(),
    options: smallRecord.optional(),
    /** Reference date for the course age limit (e.g. the student's entry), `YYYY-MM-DD`. */
    data_referencia: z.iso.date().optional(),
  })
  // `when` runs these checks even if other fields failed, so `{}` reports the missing origin
  // together with the missing `destino`, as a client fixing its payload needs.
  .refine((req) => req.origem === undefined || req.origens === undefined, {
    path: ['origens'],
    message: 'send either origem or origens, not both',
    when: isObjectPayload,
  })
  .refine((req) => req.origem !== undefined || req.origens !== undefined, {
    path: ['origem'],
    message: 'origem or origens is required',
    when: isObjectPayload,
  })
  // NUL or an unpaired surrogate anywhere (values and keys): Postgres cannot store it (safe-text.ts).
  .superRefine((req, ctx) => {
    const path = findUnsafeText(req)
    if (path) ctx.addIssue({ code: 'custom', path, message: UNSAFE_TEXT_MESSAGE })
  })

export type EvaluateRequest = z.infer<typeof EvaluateRequestSchema>
export type EvaluateRequestInput = z.input<typeof EvaluateRequestSchema>

export const DecisaoSchema = z.enum(['DEFERIDO', 'INDEFERIDO', 'ANALISE_HUMANA'])
export type Decisao = z.infer<typeof DecisaoSchema>

export const HardRuleSchema = z.object({
  regra: z.string(),
  /** null = not applicable (e.g. unknown workload). */
  passou: z.boolean().nullable(),
  detalhe: z.string(),
})
export type HardRule = z.infer<typeof HardRuleSchema>

const SpanSchema = z.object({ trecho: z.string(), inicio: z.number().int(), fim: z.number().int() })

export const EvidenceSchema = z.object({
  conceito: z.string(),
  conceito_id: z.string(),
  /** Span of `origens[indice_origem].ementa` (or of `origem.ementa` when indice_origem is 0). */
  origem: SpanSchema.extend({ indice_origem: z.number().int() }),
  /** Span of `destino.ementa`; null when the concept came from a taxonomy, not the target's text. */
  destino: SpanSchema.nullable(),
  confianca: z.number().min(0).max(1),
})
export type Evidence = z.infer<typeof EvidenceSchema>

export const BreakdownSchema = z
  .object({
    cobertura: z.number().min(0).max(1),
    cobertura_critica: z.number().min(0).max(1),
    penalidade_nivel: z.number().min(0),
  })
  .catchall(z.number())
export type Breakdown = z.infer<typeof BreakdownSchema>

export const EvaluateResponseSchema = z.object({
  decisao: DecisaoSchema,
  score: z.number().min(0).max(100),
  breakdown: BreakdownSchema,
  hard_rules: z.array(HardRuleSchema),
  faltantes: z.array(z.string()),
  criticos_faltantes: z.array(z.string()),
  justificativa_curta: z.string(),
  justificativa_detalhada: z.string(),
  evidence: z.array(EvidenceSchema),
  degraded_mode: z.boolean(),
  model_version: z.string(),
  policy_version: z.string(),
  taxonomy_version: z.string().nullable(),
  timings_ms: z.object({ total: z.number() }).catchall(z.number()),
  meta: z.record(z.string(), z.unknown()),
})
export type EvaluateResponse = z.infer<typeof EvaluateResponseSchema>

export interface ValidationIssue {
  loc: (string | number)[]
  msg: string
  type: string
}

/**
 * Renders zod issues the way FastAPI does (`{loc, msg, type}`), so clients of the replaced
 * service keep parsing our 422 bodies. `type` follows pydantic's names where one fits.
 */
export function toValidationIssues(error: z.ZodError, prefix: (string | number)[] = ['body']): ValidationIssue[] {
  return error.issues.map((issue) => ({
    loc: [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    msg: issueMessage(issue),
    type: issueType(issue),
  }))
}

/** zod v4 does not keep the input on issues by default; its message says when a field was absent. */
function isMissing(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'invalid_type' && issue.message.endsWith('received undefined')
}

function issueType(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return isMissing(issue) ? 'missing' : `${issue.expected}_type`
    case 'too_small':
      return issue.origin === 'string' ? 'string_too_short' : issue.origin === 'array' ? 'too_short' : 'greater_than_equal'
    case 'too_big':
      return issue.origin === 'string' ? 'string_too_long' : issue.origin === 'array' ? 'too_long' : 'less_than_equal'
    case 'invalid_format':
      return issue.format === 'date' ? 'date_from_datetime_parsing' : 'string_pattern_mismatch'
    case 'invalid_value':
      return 'enum'
    case 'unrecognized_keys':
      return 'extra_forbidden'
    case 'invalid_union':
      return 'union_tag_invalid'
    default:
      return 'value_error'
  }
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (isMissing(issue)) return 'Field required'
  return issue.message
}
