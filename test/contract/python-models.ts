import { z } from 'zod'

/**
 * What a client of the replaced Python service parses our `/v1` answers with: a transcription,
 * written by us, of its pydantic response models (`app/api/schemas.py`) and of the dicts its
 * routes return (`app/api/batch_routes.py`, `app/admin_routes.py`, `app/admin_dlq_routes.py`,
 * `app/middlewares*.py`, `app/main.py`) at commit 7fe1cf2 of bimamachado/equivalence-engine-service.
 *
 * Types, ranges and enums are as strict as pydantic's (an int is an int, `score` is 0–100, a
 * rule name is one of five); objects are loose, as pydantic's default `extra="ignore"` is:
 * additive keys are allowed, missing or mistyped ones are not. Fields with a default in the
 * model are required here all the same: the original's `model_dump()` always sends them, so a
 * client may read any of them.
 */

const int = () => z.number().int()
const fraction = () => z.number().min(0).max(1)

export const DecisionType = z.enum(['DEFERIDO', 'INDEFERIDO', 'ANALISE_HUMANA'])
export const RuleName = z.enum(['aprovacao', 'carga_horaria', 'nivel', 'validade_temporal', 'input_minimo'])

export const HardRuleResult = z.looseObject({
  rule: RuleName,
  ok: z.boolean(),
  details: z.string().nullable(),
})

export const ScoreBreakdown = z.looseObject({
  cobertura: fraction(),
  cobertura_critica: fraction(),
  penalidade_nivel: fraction(),
})

export const ConceptEvidence = z.looseObject({
  node_id: int(),
  weight: fraction(),
  confidence: fraction(),
  evidence: z.array(z.string()),
})

export const EvidenceBlock = z.looseObject({
  covered_concepts: z.array(ConceptEvidence),
  missing_concepts: z.array(int()),
  missing_critical_concepts: z.array(int()),
})

export const TimingsMs = z.looseObject({
  validate_ms: int(),
  hard_rules: int(),
  map: int(),
  score: int(),
  decide: int(),
  justify: int(),
  total: int(),
})

export const EvaluateResponse = z.looseObject({
  request_id: z.string(),
  decisao: DecisionType,
  score: int().min(0).max(100),
  breakdown: ScoreBreakdown,
  hard_rules: z.array(HardRuleResult),
  faltantes: z.array(int()),
  criticos_faltantes: z.array(int()),
  justificativa_curta: z.string(),
  justificativa_detalhada: z.string(),
  evidence: EvidenceBlock.nullable(),
  degraded_mode: z.boolean(),
  model_version: z.string(),
  policy_version: z.string(),
  taxonomy_version: z.string(),
  timings_ms: TimingsMs,
  meta: z.record(z.string(), z.unknown()),
})

/** `POST /v1/equivalences/batch`. */
export const BatchCreated = z.looseObject({ job_id: z.string(), status: z.literal('QUEUED'), total: int() })

/** Job and item states of `app/models.py` (`queued|running|done|failed`). */
export const JobState = z.enum(['queued', 'running', 'done', 'failed'])

/** `GET /v1/jobs/{job_id}`. */
export const JobStatus = z.looseObject({
  job_id: z.string(),
  tenant_id: z.string(),
  status: JobState,
  progress: z.looseObject({ done: int(), failed: int(), total: int() }),
})

/** The `result` of a job item: columns of `EquivalenceResult`, not the evaluate answer. */
export const JobItemResult = z.looseObject({
  id: z.string(),
  request_id: z.string(),
  decision: DecisionType,
  score: int(),
  breakdown: ScoreBreakdown,
  missing: z.array(int()),
  missing_critical: z.array(int()),
  justificativa_curta: z.string(),
  justificativa_detalhada: z.string(),
  degraded_mode: z.boolean().nullable(),
  model_version: z.string(),
  policy_version: z.string(),
  taxonomy_version: z.string(),
  timings_ms: TimingsMs,
  created_at: z.string().nullable(),
})

export const JobItem = z.looseObject({
  item_id: z.string(),
  status: JobState,
  result_id: z.string().nullable(),
  error: z.string().nullable(),
  result: JobItemResult.nullable(),
})

/** `GET /v1/jobs/{job_id}/results`: a bare list. */
export const JobResults = z.array(JobItem)

/** `POST /admin/taxonomy_versions`. */
export const TaxonomyVersionCreated = z.looseObject({
  taxonomy_version_id: z.string(),
  tenant_id: z.string(),
  version: z.string(),
  nodes: int(),
  index_job: z.literal('queued'),
})

/** `POST /admin/policy_versions`. */
export const PolicyVersionCreated = z.looseObject({ policy_version_id: z.string(), tenant_id: z.string(), version: z.string() })

/** `POST /admin/bindings`. */
export const BindingCreated = z.looseObject({ binding_id: z.string(), tenant_id: z.string(), course_id: z.string() })

/** `POST /admin/dlq/requeue/{item_id}`. */
export const Requeued = z.looseObject({ ok: z.literal(true), item_id: z.string(), job_id: z.string() })

/** FastAPI's `HTTPException` body and the middlewares' JSON errors (401, 403, 404, 400). */
export const ErrorDetail = z.looseObject({ detail: z.string() })

/** FastAPI's request-validation body. */
export const ValidationError = z.looseObject({
  detail: z.array(z.looseObject({ loc: z.array(z.union([z.string(), int()])), msg: z.string(), type: z.string() })),
})

/** `RateLimitMiddleware`'s 429. */
export const RateLimited = z.looseObject({ detail: z.literal('Rate limit exceeded'), retry_after_seconds: int() })

export const Health = z.looseObject({ status: z.literal('alive') })
export const Ready = z.looseObject({ status: z.literal('ready') })
