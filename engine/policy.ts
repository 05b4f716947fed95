import { z } from 'zod'

/**
 * An institution's equivalence policy. Every field has a default, so `{}` is a valid policy and
 * a stored policy only has to say where it differs from the built-in one. The defaults follow the
 * most common published rules (75% content, 75% workload, approved courses only).
 */

const fraction = z.number().min(0).max(1)
const scoreValue = z.number().min(0).max(100)

export const WorkloadRuleSchema = z
  .object({
    /** `fracao`: origin hours ≥ `fracao_minima` × target hours; `igual_ou_maior`: origin ≥ target. @default 'fracao' */
    modo: z.enum(['fracao', 'igual_ou_maior']).default('fracao'),
    /** @default 0.75 */
    fracao_minima: fraction.default(0.75),
    /**
     * Band below the minimum (as a fraction of the target's hours) that goes to human review
     * instead of being refused outright. @default 0.1
     */
    tolerancia: fraction.default(0.1),
  })
  .strict()

export const LevelRuleSchema = z
  .object({
    /** The target's level must not exceed the origin's. @default true */
    exigir: z.boolean().default(true),
    /** Score points lost per level the origin is below the target. @default 15 */
    penalidade_por_nivel: scoreValue.default(15),
  })
  .strict()

export const WeightsSchema = z
  .object({
    /** Weight of the coverage of the target's concepts. @default 0.25 */
    cobertura: z.number().min(0).max(10).default(0.25),
    /** Weight of the coverage of critical concepts; counts only when the target has any. @default 0.2 */
    cobertura_critica: z.number().min(0).max(10).default(0.2),
    /**
     * Weight of identification: matching titles (sequence markers aside), the target's subject
     * named in the origin, or the target's syllabus reproduced almost entirely. @default 0.75
     */
    titulo: z.number().min(0).max(10).default(0.75),
  })
  .strict()

export const PolicySchema = z
  .object({
    /**
     * Minimum coverage of the target's content (confidence-weighted share of its topics found in
     * the origin) for DEFERIDO. Lexical matching misses paraphrases, so measured coverage of truly
     * equivalent courses is often far below the regulations' "75% of the content"; the default is a
     * floor (a title alone never credits a course). Institutions may raise it. @default 0.1
     */
    cobertura_minima: fraction.default(0.1),
    /** Score at or above which (with every rule passing) the decision is DEFERIDO. @default 75 */
    score_deferido: scoreValue.default(75),
    /**
     * Scores in [score_revisao, score_deferido) go to human review; below it, INDEFERIDO. Low by
     * default: abstaining beats a wrong refusal. @default 15
     */
    score_revisao: scoreValue.default(15),
    /** Matches weaker than this confidence do not count as covering a concept. @default 0.5 */
    confianca_minima: fraction.default(0.5),
    exigir_aprovacao: z.boolean().default(true),
    /** Every critical concept of the target must be covered. @default true */
    exigir_criticos: z.boolean().default(true),
    carga_horaria: WorkloadRuleSchema.default(() => WorkloadRuleSchema.parse({})),
    /** Maximum age in whole years of the origin course at the reference date; null = no limit. @default null */
    idade_maxima_anos: z.number().int().min(0).max(100).nullable().default(null),
    nivel: LevelRuleSchema.default(() => LevelRuleSchema.parse({})),
    /** A different member of the same course sequence (I vs II) is never DEFERIDO. @default true */
    bloquear_sequencia_diferente: z.boolean().default(true),
    pesos: WeightsSchema.default(() => WeightsSchema.parse({})),
  })
  .strict()
  .refine((p) => p.score_revisao <= p.score_deferido, {
    message: 'score_revisao must not exceed score_deferido',
    path: ['score_revisao'],
  })

export type Policy = z.infer<typeof PolicySchema>
export type PolicyInput = z.input<typeof PolicySchema>

/** The built-in policy, deeply frozen: callers share it and must not be able to change it. */
export const DEFAULT_POLICY: Policy = deepFreeze(PolicySchema.parse({}))

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
