import { purgeExpiredInputs } from '../../services/retention'
import type { JobDispatcher, JobHandlers } from '../types'
import type { CallbackNotifier } from '../callbacks/notifier'
import type { JobMetrics } from '../metrics'
import { buildTaxonomyIndexHandler, type BuildTaxonomyIndexDeps } from './build-taxonomy-index'
import { calibrateFailure, calibrateHandler, routeFailure, withCalibrationSweep } from './calibrate'
import { evaluateItemHandler, evaluateItemsHandler, type EvaluateItemDeps } from './evaluate-item'
import { failureHandler } from './failure'
import type { JobStore } from '../ports'
import { sweepHandler, type SweepDeps } from './sweep'

export interface JobHandlerDeps {
  store: JobStore
  dispatcher: JobDispatcher
  notifier: CallbackNotifier
  services: EvaluateItemDeps['services']
  taxonomyIndex: Omit<BuildTaxonomyIndexDeps, 'chunkSize'>
  /** @default 60000 */
  leaseMs?: number
  sweep?: Pick<SweepDeps, 'lostAfterMs' | 'maxAttempts' | 'batchLimit'>
  metrics?: JobMetrics
  log?: (message: string, fields: Record<string, unknown>) => void
}

/** The job handlers, shared by the worker's HTTP routes and the in-process dispatcher. */
export function createJobHandlers(deps: JobHandlerDeps): JobHandlers {
  const onFinished = deps.notifier.notify
  const log = deps.log ?? (() => undefined)
  const metrics = deps.metrics
  const evaluation: EvaluateItemDeps = {
    store: deps.store,
    services: deps.services,
    leaseMs: deps.leaseMs ?? 60_000,
    onFinished,
    onEngineFailure: (err, item) =>
      log('engine failed; item answered in degraded mode', {
        job_id: item.jobId,
        item_index: item.idx,
        error: err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : String(err),
      }),
    observe: metrics
      ? ({ outcome, seconds }) => {
          metrics.items.inc({ outcome })
          if (seconds !== undefined) metrics.itemDuration.observe(seconds)
        }
      : undefined,
  }
  const calibration = { services: deps.services, log }
  return {
    'evaluate-item': evaluateItemHandler(evaluation),
    evaluateItems: evaluateItemsHandler(evaluation),
    // The sweep also hands out calibrations that lost their message or worker (handlers/calibrate.ts).
    sweep: withCalibrationSweep(
      sweepHandler({
        store: deps.store,
        dispatcher: deps.dispatcher,
        onFinished,
        purgeInputs: () => purgeExpiredInputs(deps.services),
        ...deps.sweep,
      }),
      { ...calibration, dispatcher: deps.dispatcher, lostAfterMs: deps.sweep?.lostAfterMs },
    ),
    'build-taxonomy-index': buildTaxonomyIndexHandler(deps.taxonomyIndex),
    calibrate: calibrateHandler(calibration),
    failure: routeFailure(
      failureHandler({
        store: deps.store,
        onFinished,
        onDead: metrics ? (route) => metrics.deadLetters.inc({ route }) : undefined,
        log,
      }),
      calibrateFailure(calibration),
    ),
  }
}
