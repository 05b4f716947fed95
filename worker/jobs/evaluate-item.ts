import canonicalize from 'canonicalize'
import { evaluateEquivalence, EvaluateRequestSchema } from '../../engine/index'
import type { ConceptMapper, EvaluateRequest, EvaluateResponse } from '../../engine/index'
import { EvaluateItemBody } from '../../edge/services/dispatch/messages'
import type { JobHandler } from '../../edge/services/dispatch/types'
import { BatchItemPayloadSchema, batchResultRequestId } from '../../edge/services/batch/item-payload'
import { sha256Hex } from '../../edge/lib/crypto'
import type { ResolvedVersions } from '../../edge/services/resolve-versions'
import type { Role } from '../../edge/store'
import type { FinishedJob, JobStore } from './store'

export interface EvaluateItemDeps {
  store: JobStore
  /** Server-side version resolution, the same as the edge's evaluate (edge/services/resolve-versions.ts). */
  resolve: (tenantId: string, role: Role, request: EvaluateRequest) => Promise<ResolvedVersions>
  mapper?: ConceptMapper
  /** How long a claim holds the item before the sweeper may hand it to someone else. */
  leaseMs: number
  clock: () => Date
  onFinished: (job: FinishedJob) => void
  observe?: (event: { outcome: 'done' | 'failed' | 'skipped'; seconds?: number; retried: number }) => void
}

/** A resolution error the edge would answer 422: retrying cannot fix it. */
const isPermanent = (err: unknown): boolean => (err as { code?: unknown })?.code === 'VALIDATION'

/**
 * `POST /jobs/evaluate-item {item_id}`: claim under a lease, evaluate, and write the result, the
 * item's state and the job counters in one transaction. Idempotent: a delivery for an item that is
 * done (or held under someone's live lease) is acknowledged without doing anything.
 */
export function evaluateItemHandler(deps: EvaluateItemDeps): JobHandler {
  return async (body, delivery) => {
    const parsed = EvaluateItemBody.safeParse(body)
    if (!parsed.success) return { status: 'give-up', error: 'malformed evaluate-item message' }
    const claim = await deps.store.claim(parsed.data.item_id, deps.leaseMs)
    if ('skipped' in claim) {
      deps.observe?.({ outcome: 'skipped', retried: delivery.retried })
      return { status: 'ok', detail: { skipped: claim.skipped } }
    }
    const item = claim.claimed
    const started = performance.now()
    try {
      const payload = BatchItemPayloadSchema.parse(item.payload)
      const request = EvaluateRequestSchema.parse(payload.request)
      const versions = await deps.resolve(item.tenantId, payload.role, request)
      const response = await evaluate(request, versions, deps)
      const requestId = batchResultRequestId(item.jobId, item.idx)
      response.meta = {
        ...response.meta,
        request_id: requestId,
        simulation: versions.simulation,
        job_id: item.jobId,
        item_index: item.idx,
        ...(request.request_id ? { client_request_id: request.request_id } : {}),
        ...(versions.notes.length ? { avisos: versions.notes } : {}),
      }
      const { request_id: _clientId, ...identity } = request
      const { settled, finishedJob } = await deps.store.complete(item, {
        requestId,
        requestHash: await sha256Hex(canonicalize(identity) ?? ''),
        courseId: request.course_id ?? null,
        response,
        simulation: versions.simulation,
      })
      deps.observe?.({ outcome: settled ? 'done' : 'skipped', seconds: (performance.now() - started) / 1000, retried: delivery.retried })
      if (finishedJob) deps.onFinished(finishedJob)
      return { status: 'ok', detail: settled ? {} : { skipped: 'lease-lost' } }
    } catch (err) {
      const error = describe(err)
      await deps.store.recordFailure(item, error)
      deps.observe?.({ outcome: 'failed', retried: delivery.retried })
      return isPermanent(err) || err instanceof SyntaxError || (err as Error)?.name === 'ZodError'
        ? { status: 'give-up', error }
        : { status: 'retry', error }
    }
  }
}

/** The engine degrades on mapper failures by itself; anything else it throws is an attempt failure. */
function evaluate(request: EvaluateRequest, versions: ResolvedVersions, deps: EvaluateItemDeps): Promise<EvaluateResponse> {
  return evaluateEquivalence(request, {
    policy: versions.policy,
    policyVersion: versions.policyVersion,
    taxonomy: versions.taxonomy,
    mapper: deps.mapper,
    referenceDate: request.data_referencia ?? deps.clock().toISOString().slice(0, 10),
    simulation: versions.simulation,
  })
}

/** Error text kept on the item and shown to admins: the message, never a stack. */
function describe(err: unknown): string {
  if (err && typeof err === 'object' && 'detail' in err) {
    const detail = (err as { detail: unknown }).detail
    if (Array.isArray(detail)) return detail.map((d: { msg?: string }) => d.msg ?? String(d)).join('; ')
    if (typeof detail === 'string') return detail
  }
  return (err instanceof Error ? err.message : String(err)).slice(0, 1000)
}
