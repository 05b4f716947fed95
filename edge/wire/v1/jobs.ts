import type { EvaluateResponse } from '../../../engine/index'
import { renderV1Evaluate, type V1Breakdown, type V1Timings } from './response'

/**
 * Batch jobs in the replaced service's shapes (`app/api/batch_routes.py`, `app/worker.py`):
 * lowercase states, a bare list of items, and an item's `result` made of the stored result's
 * columns (`decision`, `missing`, ...) rather than the evaluate answer. Native states, counters
 * and timestamps are additive.
 */

export type V1JobState = 'queued' | 'running' | 'done' | 'failed'

export interface NativeJob {
  id: string
  tenantId: string
  status: 'queued' | 'running' | 'completed'
  total: number
  done: number
  failed: number
  createdAt: Date
  updatedAt: Date
  completedAt: Date | null
  callbackUrl: string | null
}

export interface NativeItem {
  id: string
  idx: number
  status: 'queued' | 'running' | 'done' | 'failed' | 'dead'
  attempts: number
  lastError: string | null
  resultId: string | null
  /** The request id the client sent with the item (null: none was sent). */
  requestId: string | null
  /** The stored result, once the item is done. */
  result: { id: string; requestId: string; createdAt: Date; response: EvaluateResponse } | null
  /** Labels the item named, echoed like the evaluate answer does. */
  labels?: { policy_version: string | null; taxonomy_version: string | null }
}

/** A completed job is `done` (the original marked it so once done + failed reached the total). */
export function v1JobState(status: NativeJob['status']): V1JobState {
  return status === 'completed' ? 'done' : status
}

/**
 * An item that failed an attempt is waiting for its retry (`queued`); a dead one is final
 * (`failed`, as the original's dead-letter hook left it).
 */
export function v1ItemState(status: NativeItem['status']): V1JobState {
  if (status === 'dead') return 'failed'
  if (status === 'failed') return 'queued'
  return status
}

export function renderV1BatchCreated(job: Pick<NativeJob, 'id' | 'total'>) {
  return { job_id: job.id, status: 'QUEUED' as const, total: job.total }
}

export function renderV1Job(job: NativeJob) {
  return {
    job_id: job.id,
    tenant_id: job.tenantId,
    status: v1JobState(job.status),
    progress: { done: job.done, failed: job.failed, total: job.total },
    estado: job.status,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    completed_at: job.completedAt?.toISOString() ?? null,
    callback_url: job.callbackUrl,
  }
}

export interface V1JobItemResult {
  id: string
  request_id: string
  decision: EvaluateResponse['decisao']
  score: number
  breakdown: V1Breakdown
  missing: number[]
  missing_critical: number[]
  justificativa_curta: string
  justificativa_detalhada: string
  degraded_mode: boolean
  model_version: string
  policy_version: string
  taxonomy_version: string
  timings_ms: V1Timings
  created_at: string
}

export function renderV1JobItem(item: NativeItem) {
  let result: V1JobItemResult | null = null
  if (item.result) {
    const requestId = item.requestId ?? item.result.requestId
    const v1 = renderV1Evaluate({ response: item.result.response, requestId, labels: item.labels, returnEvidence: false })
    result = {
      id: item.result.id,
      request_id: requestId,
      decision: v1.decisao,
      score: v1.score,
      breakdown: v1.breakdown,
      missing: v1.faltantes,
      missing_critical: v1.criticos_faltantes,
      justificativa_curta: v1.justificativa_curta,
      justificativa_detalhada: v1.justificativa_detalhada,
      degraded_mode: v1.degraded_mode,
      model_version: v1.model_version,
      policy_version: v1.policy_version,
      taxonomy_version: v1.taxonomy_version,
      timings_ms: v1.timings_ms,
      created_at: item.result.createdAt.toISOString(),
    }
  }
  return {
    item_id: item.id,
    status: v1ItemState(item.status),
    result_id: item.result?.id ?? item.resultId,
    error: item.status === 'done' ? null : item.lastError,
    result,
    index: item.idx,
    estado: item.status,
    attempts: item.attempts,
  }
}
