import canonicalize from 'canonicalize'
import {
  evaluateEquivalence,
  type ConceptMapper,
  type EvaluateRequest,
  type EvaluateResponse,
  type MappingCache,
} from '../../engine/index'
import { ApiError } from '../errors'
import { sha256Hex } from '../lib/crypto'
import type { ApiKeyRecord, StoredResult, Store, Tenant } from '../store'
import { resolveVersions, type ResolvedVersions } from './resolve-versions'

export type EvaluationOutcome = { result: StoredResult; replay: boolean }

/**
 * Evaluate + persist, idempotent on the request id: a repeat with the same body returns the
 * stored result (`replay`), with another body a 409. Concurrent repeats race on the unique
 * (tenant, request_id) constraint; the losers read the winner's row, so all answer alike.
 *
 * A request id is not looked up before evaluating: the engine costs tens of microseconds, a
 * look-up a round trip for every request, and nearly every request id is new. A repeat is told
 * apart by the insert (the stored row wins), or — when its versions no longer resolve (a
 * deprecated version, a changed binding) — by a look-up made only then.
 */
export async function evaluateAndPersist(args: {
  store: Store
  tenant: Tenant
  apiKey: ApiKeyRecord
  request: EvaluateRequest
  /** Idempotency-Key header or body request_id; absent → a fresh id (not idempotent). */
  idempotencyKey: string | undefined
  mapper: ConceptMapper | undefined
  mappingCache: MappingCache
  today: string
  onEngineFailure: (err: unknown) => void
}): Promise<EvaluationOutcome> {
  const { store, tenant, apiKey, request } = args
  const requestId = args.idempotencyKey ?? crypto.randomUUID()
  const { request_id: _ignored, ...identity } = request
  const requestHash = sha256Hex(canonicalize(identity) ?? '')

  const referenceDate = request.data_referencia ?? args.today
  let versions: ResolvedVersions
  try {
    versions = await resolveVersions(store, tenant.id, apiKey.role, request, referenceDate)
  } catch (err) {
    // If the look-up fails too (database down), the original error is the one to answer with.
    const existing = args.idempotencyKey ? await store.findResultByRequestId(tenant.id, requestId).catch(() => null) : null
    if (existing) return replayOf(existing, requestHash)
    throw err
  }
  const response = await runEngine(request, versions, referenceDate, args.mapper, args.mappingCache, args.onEngineFailure)
  response.meta = { ...response.meta, request_id: requestId }
  if (versions.notes.length) response.meta.avisos = versions.notes

  const saved = await store.saveResult(tenant.id, {
    requestId,
    requestHash,
    courseId: request.course_id ?? null,
    decisao: response.decisao,
    score: response.score,
    degraded: response.degraded_mode,
    simulation: versions.simulation,
    response,
    actorKeyId: apiKey.id,
  })
  return saved.created ? { result: saved.result, replay: false } : replayOf(saved.result, requestHash)
}

function replayOf(existing: StoredResult, requestHash: string): EvaluationOutcome {
  if (existing.requestHash !== requestHash) {
    throw ApiError.conflict(`request_id '${existing.requestId}' was already used with a different request body`)
  }
  return { result: existing, replay: true }
}

/** The engine degrades on mapper failures by itself; anything else it throws still must not be a 500. */
async function runEngine(
  request: EvaluateRequest,
  versions: ResolvedVersions,
  referenceDate: string,
  mapper: ConceptMapper | undefined,
  mappingCache: MappingCache,
  onEngineFailure: (err: unknown) => void,
): Promise<EvaluateResponse> {
  try {
    return await evaluateEquivalence(request, {
      policy: versions.policy,
      policyVersion: versions.policyVersion,
      taxonomy: versions.taxonomy,
      mapper,
      mappingCache,
      referenceDate,
      simulation: versions.simulation,
    })
  } catch (err) {
    onEngineFailure(err)
    return degradedResponse(versions)
  }
}

function degradedResponse(versions: ResolvedVersions): EvaluateResponse {
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
