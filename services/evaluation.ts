import canonicalize from 'canonicalize'
import type { EquivalenceResult, NewResult } from '../db/repositories/results'
import {
  type EvaluateRequest,
  type EvaluateResponse,
} from '../engine/index'
import { createEmbeddingCacheRepository } from '../db/repositories/embedding-cache'
import { evaluateWithSemantic } from './ai/index'
import type { ServiceContext } from './context'
import { sha256Hex } from './crypto'
import { ServiceError } from './errors'
import { scopedMappingCache } from './mapping-cache'
import { applyPrecedent, checkPrecedent, noteSyllabusChanged, precedentsOn } from './precedents'
import { resolveVersions, type LabelMode, type ResolvedVersions, type Role } from './resolve-versions'

/** The request without its `request_id`: what is stored as the result's inputs and hashed as `inputHash`. */
export function inputsOf(request: EvaluateRequest): Record<string, unknown> {
  const { request_id: _ignored, ...identity } = request
  return identity
}

/** Hash of the canonical request without its `request_id`: tells a retry from a reused id. */
export function inputHashOf(request: EvaluateRequest): string {
  return sha256Hex(canonicalize(inputsOf(request)) ?? '')
}

export type EvaluateInput = {
  tenantId: string
  role: Role
  request: EvaluateRequest
  /** How the request's version names are taken (`lenient`: the /v1 labels). @default 'strict' */
  labels?: LabelMode
  /** The stored result's request id (the caller's idempotency key, or one chosen for it). */
  requestId: string
  /** Fields the transport adds to `meta` after `request_id` (a batch item's job and index). */
  meta?: (resolved: { simulation: boolean }) => Record<string, unknown>
  /** Told about an engine exception before the answer degrades to ANALISE_HUMANA. */
  onEngineFailure?: (err: unknown) => void
}

export type Evaluation = {
  response: EvaluateResponse
  /** The equivalence_results row to store. */
  row: NewResult
  /** The row's audit event, without its target (the row's id, known once stored). */
  audit: { action: 'result.created' | 'result.simulated'; payload: Record<string, unknown> }
}

/**
 * One evaluation, the same for every transport (POST /v1/equivalences/evaluate and the batch item
 * handler): server-side version resolution (cached), the engine with the shared mapping cache, a
 * degraded ANALISE_HUMANA answer when the engine throws, and the result row with its audit event.
 * Storing it is the caller's: an HTTP evaluation alone and idempotently (`evaluateAndStore`), a
 * batch item together with its item's state and job counters. Throws `ServiceError('VALIDATION')`
 * for versions that do not resolve.
 */
export async function evaluate({ ctx, input }: { ctx: ServiceContext; input: EvaluateInput }): Promise<Evaluation> {
  const { request } = input
  const referenceDate = request.data_referencia ?? ctx.clock().toISOString().slice(0, 10)
  // The pair's precedent is one indexed look-up, made alongside the (usually cached) version resolution.
  const [versions, precedent] = await Promise.all([
    resolveVersions({ ctx, input: { tenantId: input.tenantId, role: input.role, request, referenceDate, labels: input.labels } }),
    checkPrecedent(ctx, input.tenantId, request, referenceDate),
  ])
  let response = await runEngine(ctx, request, versions, referenceDate, input.onEngineFailure, input.tenantId)
  // A what-if simulation, and a policy with precedents off, are the engine's alone.
  if (!versions.simulation && precedentsOn(versions.policy)) {
    if (precedent.kind === 'applies') response = applyPrecedent(response, precedent.precedent)
    else if (precedent.kind === 'syllabus_changed') response = noteSyllabusChanged(response, precedent.precedent)
  }
  response.meta = {
    ...response.meta,
    request_id: input.requestId,
    ...input.meta?.({ simulation: versions.simulation }),
    ...(versions.notes.length ? { avisos: versions.notes } : {}),
  }
  const inputHash = inputHashOf(request)
  return {
    response,
    row: {
      requestId: input.requestId,
      inputHash,
      // Kept so people can read what was compared; its canonical form is what `inputHash` hashes.
      inputs: inputsOf(request),
      courseId: request.course_id ?? null,
      decisao: response.decisao,
      score: response.score,
      degraded: response.degraded_mode,
      simulation: versions.simulation,
      policyVersion: response.policy_version,
      taxonomyVersion: response.taxonomy_version,
      modelVersion: response.model_version,
      response: response as unknown as Record<string, unknown>,
    },
    audit: {
      action: versions.simulation ? 'result.simulated' : 'result.created',
      payload: { request_id: input.requestId, decisao: response.decisao, input_hash: inputHash },
    },
  }
}

export type StoredEvaluation = { result: EquivalenceResult; replay: boolean }

/** The request ids of batch items' results (`batch:<job>:<index>`): never a client's. */
export const INTERNAL_REQUEST_ID_PREFIX = 'batch:'

/**
 * Evaluate + store, idempotent on the request id: a repeat with the same body returns the stored
 * result (`replay`), with another body a CONFLICT. Concurrent repeats race on the unique
 * (tenant, request_id) constraint; the losers read the winner's row, so all answer alike.
 *
 * A request id is not looked up before evaluating: the engine costs tens of microseconds, a
 * look-up a round trip for every request, and nearly every request id is new. A repeat is told
 * apart by the insert (the stored row wins), or — when its versions no longer resolve (a
 * deprecated version, a changed binding) — by a look-up made only then.
 */
export async function evaluateAndStore({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: Omit<EvaluateInput, 'requestId' | 'meta'> & {
    actorKeyId: string
    /** Idempotency-Key header or body request_id; absent → a fresh id (not idempotent). */
    idempotencyKey: string | undefined
    /**
     * /v1: a batch item's result whose client gave it this request id (and the same body) is the
     * stored answer too. Looked up beside the evaluation (a query but no wait), and only for tenants that have run batches.
     */
    batchAnswers?: boolean
  }
}): Promise<StoredEvaluation> {
  if (input.idempotencyKey?.startsWith(INTERNAL_REQUEST_ID_PREFIX)) {
    // Batch items store their results as `batch:<job>:<index>` (jobs/messages.ts): a client id
    // there would take an item's result slot and send the item dead.
    throw ServiceError.validation([
      { loc: ['body', 'request_id'], msg: `request_id must not start with '${INTERNAL_REQUEST_ID_PREFIX}' (reserved for batch items)`, type: 'value_error' },
    ])
  }
  const requestId = input.idempotencyKey ?? crypto.randomUUID()
  const clientId = input.batchAnswers ? input.idempotencyKey : undefined
  // Only a tenant that has run batches can have one answering this id: whether it has is cached
  // like a version (the batch routes invalidate it on this instance), so the /v1 traffic of a
  // tenant that never batches pays no look-up.
  const batchAnswer = clientId
    ? ctx.versions
        .get(input.tenantId, 'has-batches', () => ctx.repos.jobs.hasAny(input.tenantId))
        .then((has) => (has ? ctx.repos.results.getBatchAnswer(input.tenantId, clientId, inputHashOf(input.request)) : null))
    : undefined
  // Awaited below; until then a rejection must not count as unhandled.
  batchAnswer?.catch(() => undefined)
  let evaluation: Evaluation
  try {
    evaluation = await evaluate({ ctx, input: { ...input, requestId } })
  } catch (err) {
    // If the look-up fails too (database down), the original error is the one to answer with.
    const existing = input.idempotencyKey ? await ctx.repos.results.getByRequestId(input.tenantId, requestId).catch(() => null) : null
    if (existing) return replayOf(existing, inputHashOf(input.request))
    const answered = await batchAnswer?.catch(() => null)
    if (answered) return { result: answered, replay: true }
    throw err
  }
  const answered = await batchAnswer
  if (answered) return { result: answered, replay: true }
  const saved = await ctx.repos.results.insertIdempotent(input.tenantId, evaluation.row, {
    audit: { ...evaluation.audit, actorKeyId: input.actorKeyId },
  })
  return saved.created ? { result: saved.result, replay: false } : replayOf(saved.result, evaluation.row.inputHash)
}

function replayOf(existing: EquivalenceResult, inputHash: string): StoredEvaluation {
  if (existing.inputHash !== inputHash) {
    throw ServiceError.conflict(`request_id '${existing.requestId}' was already used with a different request body`)
  }
  return { result: existing, replay: true }
}

/**
 * The engine degrades on mapper failures by itself; anything else it throws must not fail the evaluation.
 * With a provider configured (ctx.semantic) the mapping is semantic, falling back per policy (services/ai/evaluate.ts).
 */
async function runEngine(
  ctx: ServiceContext,
  request: EvaluateRequest,
  versions: ResolvedVersions,
  referenceDate: string,
  onEngineFailure: ((err: unknown) => void) | undefined,
  tenantId: string,
): Promise<EvaluateResponse> {
  try {
    const vectors = ctx.semantic ? createEmbeddingCacheRepository(ctx.db) : undefined
    return await evaluateWithSemantic(request, {
      policy: versions.policy,
      policyVersion: versions.policyVersion,
      taxonomy: versions.taxonomy,
      mapper: ctx.mapper,
      // Scoped to the tenant and the content of its taxonomy and policy (services/mapping-cache.ts).
      mappingCache: scopedMappingCache(ctx.mappingCache, { tenantId, taxonomy: versions.taxonomy, policy: versions.policy }),
      referenceDate,
      simulation: versions.simulation,
    }, ctx.semantic, tenantId, vectors)
  } catch (err) {
    onEngineFailure?.(err)
    return degradedResponse(versions)
  }
}

export function degradedResponse(versions: Pick<ResolvedVersions, 'policyVersion' | 'taxonomy'>): EvaluateResponse {
  const motivo = 'A avaliação automática falhou; o pedido foi encaminhado para análise humana.'
  return {
    decisao: 'ANALISE_HUMANA',
    score: 0,
    breakdown: { cobertura: 0, cobertura_critica: 0, penalidade_nivel: 0 },
    hard_rules: [],
    faltantes: [],
    criticos_faltantes: [],
    justificativa_curta: motivo,
    justificativa_detalhada: motivo,
    evidence: [],
    degraded_mode: true,
    model_version: 'unavailable',
    policy_version: versions.policyVersion,
    taxonomy_version: versions.taxonomy?.version ?? null,
    timings_ms: { total: 0 },
    meta: { falha_motor: true },
  }
}
