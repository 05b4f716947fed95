import {
  EvaluateRequestSchema,
  toValidationIssues,
  type EvaluateRequest,
  type EvaluateResponse,
} from '../../engine/index'
import type { ParseResult } from './v1/request'

/**
 * `/v2`: the native shape — the engine's request and result as they are (exact score, every rule
 * with `passou: null` when not applicable, concept names, evidence spans), strict validation and
 * 409 on a reused request id with another body. The stored result is the v2 answer byte for byte.
 */
export { EvaluateRequestSchema as V2EvaluateRequestSchema, EvaluateResponseSchema as V2EvaluateResponseSchema } from '../../engine/index'

export function parseV2EvaluateRequest(body: unknown, prefix: (string | number)[] = ['body']): ParseResult<EvaluateRequest> {
  const parsed = EvaluateRequestSchema.safeParse(body)
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, issues: toValidationIssues(parsed.error, prefix) }
}

/** The stored answer, with the request id it was stored under in `meta` (as today). */
export function renderV2Evaluate(response: EvaluateResponse, requestId: string): EvaluateResponse {
  return response.meta.request_id === requestId ? response : { ...response, meta: { ...response.meta, request_id: requestId } }
}
