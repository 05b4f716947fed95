import { z } from '@hono/zod-openapi'
import { DecisaoSchema, EvaluateResponseSchema } from '../../../engine/index'
import type { EquivalenceResult } from '../../../db/repositories/results'
import type { listReviews } from '../../../services/reviews'

/**
 * The shapes of the stored results, both versions: `/v1` (`ResultSummary`, `Result`, `Review`,
 * the replaced service's routes with their names kept) and `/v2` (`ResultV2` with inputs, review
 * state, reviews and precedents; `ResultSummaryV2` with course names; `ReviewV2`). The fields
 * every version carries are declared once (`resultFields`); each schema lists its own, in its
 * order, rather than extending another (an extended named schema would change the OpenAPI document).
 */

export const IdParam = z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) })

/** What every result shape starts with, in this order. */
const resultFields = {
  id: z.string().uuid(),
  request_id: z.string(),
  course_id: z.string().nullable(),
  decisao: DecisaoSchema,
  score: z.number(),
  degraded_mode: z.boolean(),
}

export const ResultSummarySchema = z
  .object({ ...resultFields, simulation: z.boolean(), created_at: z.string() })
  .openapi('ResultSummary')

export const ResultSchema = ResultSummarySchema.extend({ response: EvaluateResponseSchema }).openapi('Result')

/** pendente: an ANALISE_HUMANA nobody reviewed yet; revisado: reviewed; nao_requer: decided by the engine. */
const ReviewStateSchema = z.enum(['pendente', 'revisado', 'nao_requer'])
export type ReviewState = z.infer<typeof ReviewStateSchema>

export const ReviewV2Schema = z
  .object({
    id: z.string(),
    result_id: z.string(),
    label: z.enum(['DEFERIDO', 'INDEFERIDO']),
    motivo: z.string(),
    notes: z.string().nullable(),
    reviewer_key_id: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('ReviewV2')

export const ResultV2Schema = z
  .object({
    ...resultFields,
    simulation: z.boolean(),
    created_at: z.string(),
    input_hash: z.string(),
    /** The request as evaluated (without request_id); null once the tenant's retention removed it. */
    inputs: z.record(z.string(), z.unknown()).nullable(),
    inputs_purged_at: z.string().nullable(),
    review_state: ReviewStateSchema,
    reviews: z.array(ReviewV2Schema),
    /** Precedents made from this result's reviews. */
    precedentes: z.array(z.object({ id: z.string(), status: z.string(), decisao: z.string() })),
    response: EvaluateResponseSchema,
  })
  .openapi('ResultV2')

export const ResultSummaryV2Schema = z
  .object({
    ...resultFields,
    created_at: z.string(),
    origem_nome: z.string().nullable(),
    origem_instituicao: z.string().nullable(),
    destino_nome: z.string().nullable(),
    review_state: ReviewStateSchema,
    assigned_key_id: z.string().nullable(),
  })
  .openapi('ResultSummaryV2')

/** `resultFields` of a stored result, or of a review-queue row (which carries the same columns). */
export const resultFieldsOf = (r: Pick<EquivalenceResult, 'id' | 'requestId' | 'courseId' | 'decisao' | 'score' | 'degraded'>) => ({
  id: r.id,
  request_id: r.requestId,
  course_id: r.courseId,
  decisao: r.decisao,
  score: r.score,
  degraded_mode: r.degraded,
})

/** The `/v1` summary; `/v2`'s result starts with the same keys in the same order. */
export function toSummary(r: EquivalenceResult): z.infer<typeof ResultSummarySchema> {
  return { ...resultFieldsOf(r), simulation: r.simulation, created_at: r.createdAt.toISOString() }
}

export const reviewStateOf = (decisao: string, reviewed: boolean): ReviewState =>
  reviewed ? 'revisado' : decisao === 'ANALISE_HUMANA' ? 'pendente' : 'nao_requer'

type Review = Awaited<ReturnType<typeof listReviews>>[number]
export const toReviewV2 = (r: Review): z.infer<typeof ReviewV2Schema> => ({
  id: r.id,
  result_id: r.resultId,
  label: r.label,
  motivo: r.motivo,
  notes: r.notes || null,
  reviewer_key_id: r.reviewerKeyId,
  created_at: r.createdAt.toISOString(),
})
