import { CALLBACK_SIGNATURE_HEADER, signCallback } from './signature'
import { postCallback, systemResolveHost, type ResolveHost } from './delivery'
import type { FinishedJobRef, JobStore } from '../ports'

export interface CallbackNotifierOptions {
  store: JobStore
  /** The tenant's signing secret (jobs/callbacks/signature.ts derives it). */
  secretFor: (tenantId: string) => Promise<string>
  /** Waits before the 2nd, 3rd, ... attempt. @default [1000, 5000, 30000, 120000] */
  retryDelaysMs?: readonly number[]
  /** Per attempt. @default 10000 */
  timeoutMs?: number
  /** Deliver to loopback, private and link-local addresses too (CALLBACK_ALLOW_PRIVATE_NETWORKS). @default false */
  allowPrivateNetworks?: boolean
  /** @default the system resolver */
  resolveHost?: ResolveHost
  log?: (message: string, fields: Record<string, unknown>) => void
}

export type CallbackNotifier = {
  /** Fire and forget: delivers the job's callback with retries; marks it sent on a 2xx. */
  notify(job: FinishedJobRef): void
  /** Resolves when no callback is being delivered (tests, graceful shutdown). */
  idle(): Promise<void>
}

/**
 * Delivers `POST callback_url` when a job finishes. At most one delivery per job runs in this
 * process; if every attempt fails the run is recorded as failed and the sweeper tries again once
 * its back-off has passed (1 min, doubling, at most hourly, for a day — db/repositories/jobs.ts),
 * and if the process dies mid-run the sweeper finds the job still due on its next tick. A target
 * that is not a public address is refused without sending (callback-delivery.ts): that ends the
 * run like its last failed attempt, since a retry seconds later would get the same answer.
 */
export function createCallbackNotifier(options: CallbackNotifierOptions): CallbackNotifier {
  const delays = options.retryDelaysMs ?? [1000, 5000, 30_000, 120_000]
  const inFlight = new Map<string, Promise<void>>()

  async function deliver(job: FinishedJobRef & { callbackUrl: string }): Promise<void> {
    const summary = await options.store.getById(job.id)
    if (!summary) return
    const body = JSON.stringify({
      event: 'job.completed',
      job_id: summary.id,
      status: summary.status,
      progress: { done: summary.done, failed: summary.failed, total: summary.total },
      completed_at: summary.completedAt?.toISOString() ?? null,
    })
    const secret = await options.secretFor(job.tenantId)
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, delays[attempt - 1]))
      const signature = await signCallback(secret, body, Math.floor(Date.now() / 1000))
      const outcome = await postCallback(
        job.callbackUrl,
        {
          headers: { 'Content-Type': 'application/json', [CALLBACK_SIGNATURE_HEADER]: signature, 'User-Agent': 'equivalence-engine-callbacks' },
          body,
        },
        { allowPrivateNetworks: options.allowPrivateNetworks ?? false, resolveHost: options.resolveHost ?? systemResolveHost, timeoutMs: options.timeoutMs ?? 10_000 },
      )
      if (outcome.kind === 'answered' && outcome.status >= 200 && outcome.status < 300) {
        await options.store.markCallbackSent(job.id)
        return
      }
      const attemptFields = { job_id: job.id, attempt: attempt + 1 }
      if (outcome.kind === 'refused') {
        options.log?.('job callback attempt failed', { ...attemptFields, status: 0, refused: outcome.reason })
        break
      }
      options.log?.('job callback attempt failed', {
        ...attemptFields,
        ...(outcome.kind === 'answered' ? { status: outcome.status } : { status: 0, error: outcome.error }),
      })
    }
    await options.store.markCallbackFailed(job.id)
  }

  return {
    notify(job) {
      if (!job.callbackUrl || inFlight.has(job.id)) return
      const run = deliver({ ...job, callbackUrl: job.callbackUrl })
        .catch((err: unknown) => options.log?.('job callback failed', { job_id: job.id, error: String(err) }))
        .finally(() => inFlight.delete(job.id))
      inFlight.set(job.id, run)
    },
    async idle() {
      while (inFlight.size) await Promise.all(inFlight.values())
    },
  }
}
