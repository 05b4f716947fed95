import { z } from 'zod'
import { MODEL_VERSIONS } from './model/registry'

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

/**
 * How semantic signals (embeddings, optional LLM refinement) join the lexical ones when the
 * deployment has a provider. These numbers are part of the mapping's identity: they are written
 * into `model_version`, so a decision can be reproduced from its versions.
 */
export const SemanticSchema = z
  .object({
    /** Use the semantic mapper when a provider is configured; false keeps this tenant lexical. @default true */
    usar: z.boolean().default(true),
    /** Share of the semantic signal in a concept's confidence (the lexical one has the rest). @default 0.6 */
    peso_semantico: fraction.default(0.6),
    /** Cosine similarity at or below which the semantic signal is 0 (models differ: calibrate). @default 0.3 */
    similaridade_piso: fraction.default(0.3),
    /** Cosine similarity at or above which the semantic signal is 1. @default 0.8 */
    similaridade_teto: fraction.default(0.8),
    /** Passages of the origin kept per concept as candidates (for evidence and the LLM). @default 3 */
    top_k: z.number().int().min(1).max(20).default(3),
    /** When the provider fails: map lexically instead, or send the case to human review (degraded). @default 'lexical' */
    em_falha: z.enum(['lexical', 'analise_humana']).default('lexical'),
    /** LLM refinement of uncertain candidates (only when an LLM is configured). @default false */
    llm: z.boolean().default(false),
    /** Most an LLM may move one concept's confidence, up or down. @default 0.2 */
    llm_ajuste_maximo: fraction.default(0.2),
  })
  .strict()
  .refine((s) => s.similaridade_piso < s.similaridade_teto, {
    message: 'similaridade_piso must be below similaridade_teto',
    path: ['similaridade_piso'],
  })

/** A DEFERIDO and an INDEFERIDO threshold on the model's score. */
const ThresholdPairSchema = z
  .object({ score_deferido: scoreValue, score_revisao: scoreValue })
  .strict()
  .refine((t) => t.score_revisao <= t.score_deferido, { message: 'score_revisao must not exceed score_deferido', path: ['score_revisao'] })

/** Which scoring model a policy uses and, optionally, its own thresholds on the model's score. */
export const ModelChoiceSchema = z
  .object({
    /** A version the engine ships (`MODEL_VERSIONS`); null = the current default model. @default null */
    versao: z
      .string()
      .nullable()
      .default(null)
      .refine((v) => v === null || MODEL_VERSIONS.includes(v), { message: `unknown model version; known: ${MODEL_VERSIONS.join(', ')}` }),
    /** Model score (100 × probability) at or above which the decision is DEFERIDO; null = the model's trained threshold. @default null */
    score_deferido: scoreValue.nullable().default(null),
    /** Model score below which the decision is INDEFERIDO; null = the model's trained threshold. @default null */
    score_revisao: scoreValue.nullable().default(null),
    /**
     * The policy's own thresholds for pairs in one language (the target syllabus's, `pt` or `en`),
     * e.g. chosen by a calibration per language; a language without its own falls back to
     * `score_deferido` / `score_revisao` (or the model's). @default null
     */
    limiares_por_idioma: z
      .object({ pt: ThresholdPairSchema.optional(), en: ThresholdPairSchema.optional() })
      .strict()
      .nullable()
      .default(null),
  })
  .strict()
  .refine((m) => m.score_revisao === null || m.score_deferido === null || m.score_revisao <= m.score_deferido, {
    message: 'score_revisao must not exceed score_deferido',
    path: ['score_revisao'],
  })

export const PolicySchema = z
  .object({
    /**
     * `modelo`: a model fitted on labelled pairs scores the pair (`modelo` chooses which and its
     * thresholds); `manual`: the hand-set weighted score (`pesos`, `score_deferido`, `score_revisao`).
     * @default 'modelo'
     */
    pontuacao: z.enum(['modelo', 'manual']).default('modelo'),
    modelo: ModelChoiceSchema.default(() => ModelChoiceSchema.parse({})),
    /**
     * Minimum coverage of the target's content (confidence-weighted share of its topics found in
     * the origin) for DEFERIDO. Lexical matching misses paraphrases, so measured coverage of truly
     * equivalent courses is often far below the regulations' "75% of the content"; the default is a
     * floor (a title alone never credits a course). Institutions may raise it. @default 0.1
     */
    cobertura_minima: fraction.default(0.1),
    /** Hand-set score (`pontuacao: manual`) at or above which, with every rule passing, the decision is DEFERIDO. @default 75 */
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
    /**
     * A pair a person already decided (a precedent, services/precedents.ts) gets that decision
     * again while the rule is valid and the syllabi are unchanged; false leaves every decision to
     * the engine. @default true
     */
    usar_precedentes: z.boolean().default(true),
    pesos: WeightsSchema.default(() => WeightsSchema.parse({})),
    semantico: SemanticSchema.default(() => SemanticSchema.parse({})),
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
