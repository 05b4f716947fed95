import { isConnectionError } from '../../db/errors'
import { abandonCalibration, runCalibration, sweepCalibrations } from '../../services/calibrations'
import type { ServiceContext } from '../../services/context'
import { redactErrorText } from '../../services/logger'
import { CalibrateBody, calibrateMessage } from '../messages'
import type { JobDispatcher, JobHandler, JobHandlers } from '../types'

export interface CalibrateDeps {
  services: ServiceContext
  /** How long a claim holds. @default services' CALIBRATION_LEASE_MS (10 min) */
  leaseMs?: number
  /** Claims before a calibration fails for good. @default 5 */
  maxAttempts?: number
  log?: (message: string, fields: Record<string, unknown>) => void
}

/**
 * `POST /jobs/calibrate {tenant_id, calibration_id}`: one attempt at a queued calibration
 * (services/calibrations.ts `runCalibration`). A settled one, or one under someone's live claim, is a
 * no-op (200); a failed attempt asks for a retry (the calibration is queued again with its error);
 * the last attempt, or an error no retry mends, fails it for good and ends the message.
 */
export function calibrateHandler(deps: CalibrateDeps): JobHandler {
  return async (body) => {
    const parsed = CalibrateBody.safeParse(body)
    if (!parsed.success) return { status: 'give-up', error: 'malformed calibrate message' }
    const outcome = await runCalibration({
      ctx: deps.services,
      input: { tenantId: parsed.data.tenant_id, id: parsed.data.calibration_id, leaseMs: deps.leaseMs, maxAttempts: deps.maxAttempts },
    })
    switch (outcome.status) {
      case 'done':
        return { status: 'ok', detail: { calibration_id: outcome.calibration.id, job_status: 'done' } }
      case 'skipped':
        return { status: 'ok', detail: { calibration_id: parsed.data.calibration_id, skipped: outcome.reason } }
      case 'retry':
        deps.log?.('calibration attempt failed; retrying', { calibration_id: parsed.data.calibration_id, error: outcome.error })
        // "connection error" marks a database outage for the dead-letter hook (db/errors.ts isConnectionError).
        return { status: 'retry', error: outcome.connection ? `database connection error: ${outcome.error}` : outcome.error }
      case 'failed':
        deps.log?.('calibration failed', { calibration_id: parsed.data.calibration_id, error: outcome.error })
        return { status: 'give-up', error: outcome.error }
    }
  }
}

/**
 * The dead-letter hook's part for calibrate messages: retries used up. A database outage says
 * nothing against the calibration (it stays queued or leased, and the sweeper hands it out again
 * within its attempt budget); any other last error fails it, so nobody waits on it forever.
 */
export function calibrateFailure(deps: CalibrateDeps): (message: { body: unknown; error: string }) => Promise<void> {
  return async ({ body, error }) => {
    const parsed = CalibrateBody.safeParse(body)
    if (!parsed.success) return
    if (isConnectionError(new Error(error))) {
      deps.log?.('calibrate gave up during a database outage; the sweeper will retry it', { calibration_id: parsed.data.calibration_id })
      return
    }
    await abandonCalibration({ ctx: deps.services, input: { tenantId: parsed.data.tenant_id, id: parsed.data.calibration_id, error: redactErrorText(error) } })
  }
}

/**
 * Runs the sweeper and then hands out again the calibrations that lost their message or their
 * worker (failing those out of attempts); its counts join the sweep's answer.
 */
export function withCalibrationSweep(
  sweep: JobHandler,
  deps: CalibrateDeps & { dispatcher: JobDispatcher; lostAfterMs?: number },
): JobHandler {
  return async (body, delivery) => {
    const outcome = await sweep(body, delivery)
    const { redispatch, failed } = await sweepCalibrations({
      ctx: deps.services,
      input: { lostAfterMs: deps.lostAfterMs ?? 15 * 60_000, maxAttempts: deps.maxAttempts },
    })
    const now = Date.now()
    await deps.dispatcher.dispatch(redispatch.map((c) => calibrateMessage(c.tenantId, c.id, now)))
    if (outcome.status !== 'ok') return outcome
    return { status: 'ok', detail: { ...outcome.detail, calibrations_redispatched: redispatch.length, calibrations_failed: failed } }
  }
}

/** Routes a dead letter: calibrate messages here, everything else to `rest`. */
export function routeFailure(rest: JobHandlers['failure'], calibrate: ReturnType<typeof calibrateFailure>): JobHandlers['failure'] {
  return (message) => (message.route === 'calibrate' ? calibrate(message) : rest(message))
}
