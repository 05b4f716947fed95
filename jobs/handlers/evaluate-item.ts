import { ZodError } from 'zod'
import { EvaluateRequestSchema } from '../../engine/index'
import type { ServiceContext } from '../../services/context'
import { ServiceError } from '../../services/errors'
import { describeError } from '../../services/logger'
import { evaluate as evaluateService } from '../../services/evaluation'
import { BatchItemPayloadSchema, EvaluateItemBody, batchResultRequestId } from '../messages'
import type { ClaimedItem, FinishedJobRef, JobStore, NewResult } from '../ports'
import { yieldToEventLoop } from '../../services/event-loop'
import type { Delivery, JobHandler, JobHandlers, JobOutcome } from '../types'

export interface EvaluateItemDeps {
  store: JobStore
  /** What services/evaluation.ts needs: repositories, the version cache, mapper and mapping cache, clock. */
  services: ServiceContext
  /** How long a claim holds the item before the sweeper may hand it to someone else. */
  leaseMs: number
  onFinished: (job: FinishedJobRef) => void
  observe?: (event: { outcome: 'done' | 'failed' | 'skipped'; seconds?: number; retried: number }) => void
  /** An engine exception (the item degrades to ANALISE_HUMANA, as over HTTP). */
  onEngineFailure?: (err: unknown, item: ClaimedItem) => void
}

type Evaluated = { ok: true; result: NewResult } | { ok: false; error: string; permanent: boolean }

/**
 * `POST /jobs/evaluate-item {item_id}`: claim under a lease, evaluate, and write the result, the
 * item's state and the job counters in one transaction. Idempotent: a delivery for an item that is
 * done, dead, unknown or held under someone's live lease is acknowledged without doing anything
 * (if that holder dies, the lease expires and the sweeper hands the item out again).
 */
export function evaluateItemHandler(deps: EvaluateItemDeps): JobHandler {
  const many = evaluateItemsHandler(deps)
  return async (body, delivery) => {
    const parsed = EvaluateItemBody.safeParse(body)
    if (!parsed.success) return { status: 'give-up', error: 'malformed evaluate-item message' }
    const claim = await deps.store.claim(parsed.data.item_id, deps.leaseMs)
    if ('skipped' in claim) {
      deps.observe?.({ outcome: 'skipped', retried: delivery.retried })
      return { status: 'ok', detail: { skipped: claim.skipped } }
    }
    const [outcome] = await many.settle([claim.claimed], [delivery])
    return outcome!
  }
}

/** The bulk form: one claim statement and one commit for many items, same outcome per item. */
export function evaluateItemsHandler(deps: EvaluateItemDeps) {
  async function settle(items: readonly ClaimedItem[], deliveries: readonly Delivery[]): Promise<JobOutcome[]> {
    const started = performance.now()
    const evaluated: Evaluated[] = []
    for (const [i, item] of items.entries()) {
      // One item per turn of the event loop: the embedded default evaluates in the API's thread.
      if (i > 0) await yieldToEventLoop()
      evaluated.push(await evaluate(item, deps))
    }

    const entries = items.flatMap((item, i) => {
      const e = evaluated[i]!
      return e.ok ? [{ item, result: e.result }] : []
    })
    const settledIds = new Set<string>()
    const commit = async (group: typeof entries) => {
      const committed = await deps.store.completeMany(group)
      for (const id of committed.settledIds) settledIds.add(id)
      for (const job of committed.finishedJobs) deps.onFinished(job)
    }
    try {
      await commit(entries)
    } catch (err) {
      // One bad row must not sink its batch-mates: commit them one by one, so only it fails.
      const groups = entries.length > 1 ? entries.map((entry) => [entry]) : []
      const failed = entries.length > 1 ? [] : [{ entry: entries[0]!, err }]
      for (const group of groups) await commit(group).catch((e: unknown) => failed.push({ entry: group[0]!, err: e }))
      for (const { entry, err: cause } of failed) {
        // Release the claim so the retry can take it at once instead of waiting out the lease.
        const error = describe(cause)
        await deps.store.recordFailure(entry.item, error).catch(() => undefined)
        evaluated[items.indexOf(entry.item)] = { ok: false, error, permanent: false }
      }
    }
    const seconds = (performance.now() - started) / 1000 / Math.max(1, items.length)

    const outcomes: JobOutcome[] = []
    for (const [i, item] of items.entries()) {
      const e = evaluated[i]!
      const retried = deliveries[i]?.retried ?? 0
      if (e.ok) {
        const settled = settledIds.has(item.id)
        deps.observe?.({ outcome: settled ? 'done' : 'skipped', seconds, retried })
        outcomes.push({ status: 'ok', detail: settled ? {} : { skipped: 'lease-lost' } })
        continue
      }
      deps.observe?.({ outcome: 'failed', retried })
      outcomes.push(e.permanent ? { status: 'give-up', error: e.error } : { status: 'retry', error: e.error })
    }
    return outcomes
  }

  const handler: NonNullable<JobHandlers['evaluateItems']> = async (bodies, deliveries) => {
    const ids = bodies.map((body) => EvaluateItemBody.safeParse(body))
    const claimed = await deps.store.claimMany(
      ids.flatMap((p) => (p.success ? [p.data.item_id] : [])),
      deps.leaseMs,
    )
    const byId = new Map(claimed.map((item, i) => [item.id, i]))
    const settled = await settle(
      claimed,
      claimed.map((item) => deliveries[ids.findIndex((p) => p.success && p.data.item_id === item.id)]!),
    )
    return ids.map((p, i) => {
      if (!p.success) return { status: 'give-up', error: 'malformed evaluate-item message' }
      const at = byId.get(p.data.item_id)
      if (at === undefined) {
        deps.observe?.({ outcome: 'skipped', retried: deliveries[i]?.retried ?? 0 })
        return { status: 'ok', detail: { skipped: 'not-claimable' } }
      }
      return settled[at]!
    })
  }
  return Object.assign(handler, { settle })
}

/** Runs one claimed item through services/evaluation.ts; a failure is recorded on the item. */
async function evaluate(item: ClaimedItem, deps: EvaluateItemDeps): Promise<Evaluated> {
  try {
    const payload = BatchItemPayloadSchema.parse(item.payload)
    if (payload.invalid !== undefined) throw ServiceError.validation([{ loc: ['body'], msg: payload.invalid, type: 'value_error' }])
    const request = EvaluateRequestSchema.parse(payload.request)
    const evaluation = await evaluateService({
      ctx: deps.services,
      input: {
        tenantId: item.tenantId,
        role: payload.role,
        request,
        labels: payload.labels,
        requestId: batchResultRequestId(item.jobId, item.idx),
        meta: ({ simulation }) => ({
          simulation,
          job_id: item.jobId,
          item_index: item.idx,
          ...(request.request_id ? { client_request_id: request.request_id } : {}),
        }),
        onEngineFailure: (err) => deps.onEngineFailure?.(err, item),
      },
    })
    // The row services/evaluation.ts built, stored with the item's state and its job's counters.
    return { ok: true, result: evaluation.row }
  } catch (err) {
    const error = describe(err)
    await deps.store.recordFailure(item, error)
    return { ok: false, error, permanent: isPermanent(err) }
  }
}

/** An unknown version (the edge's 422) or a payload that no longer parses cannot get better by retrying. */
function isPermanent(err: unknown): boolean {
  return (err instanceof ServiceError && err.code === 'VALIDATION') || err instanceof ZodError
}

/** Error text kept on the item and shown to admins: the message, never a stack. */
function describe(err: unknown): string {
  if (err && typeof err === 'object' && 'detail' in err) {
    const detail = (err as { detail: unknown }).detail
    if (Array.isArray(detail)) return detail.map((d: { msg?: string }) => d.msg ?? String(d)).join('; ')
    if (typeof detail === 'string') return detail
  }
  // An item's error is shown to the tenant (job results, dead letters): never a failed query's
  // statement or parameters — the logger's redaction, not the raw message.
  return describeError(err).error
}
