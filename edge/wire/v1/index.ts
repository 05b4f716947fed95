/**
 * `/v1`: the replaced Python service's wire contract (bimamachado/equivalence-engine-service,
 * commit 7fe1cf2, `app/api/schemas.py` and the dicts its routes return), exactly, plus additive
 * fields only. Pure functions: requests in the original's shape → the engine's request; the
 * engine's result (and stored rows) → the original's shapes. `/v2` (../v2.ts) is the native shape.
 */
export { parseV1EvaluateRequest, toV1Evaluate, V1EvaluateRequestSchema, type V1Evaluate, type V1EvaluateRequest, type ParseResult } from './request'
export { toNativePolicy, V1PolicyInputSchema, type V1PolicyInput } from './policy-input'
export { renderV1Evaluate, NO_TAXONOMY_LABEL, type V1EvaluateResponse, type V1RenderInput } from './response'
export {
  renderV1BatchCreated,
  renderV1Job,
  renderV1JobItem,
  v1ItemState,
  v1JobState,
  type NativeItem,
  type NativeJob,
  type V1JobState,
} from './jobs'
export {
  parseV1Binding,
  parseV1PolicyVersion,
  parseV1TaxonomyVersion,
  renderV1Binding,
  renderV1PolicyVersion,
  renderV1Requeued,
  renderV1TaxonomyVersion,
  REQUEUE_NOT_FOUND,
  requeueWrongState,
} from './admin'
export { roundHalfEven } from './lax'
