import { z } from '@hono/zod-openapi'
import { DecisaoSchema, EvaluateResponseSchema } from '../../../engine/index'
import type { EquivalenceResult } from '../../../db/repositories/results'

export const ResultSummarySchema = z
  .object({
    id: z.string().uuid(),
    request_id: z.string(),
    course_id: z.string().nullable(),
    decisao: DecisaoSchema,
    score: z.number(),
    degraded_mode: z.boolean(),
    simulation: z.boolean(),
    created_at: z.string(),
  })
  .openapi('ResultSummary')

export const ResultSchema = ResultSummarySchema.extend({ response: EvaluateResponseSchema }).openapi('Result')

export const IdParam = z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) })

export function toSummary(r: EquivalenceResult): z.infer<typeof ResultSummarySchema> {
  return {
    id: r.id,
    request_id: r.requestId,
    course_id: r.courseId,
    decisao: r.decisao,
    score: r.score,
    degraded_mode: r.degraded,
    simulation: r.simulation,
    created_at: r.createdAt.toISOString(),
  }
}
