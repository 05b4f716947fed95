/**
 * The job dispatch port (DESIGN §3, §6). Postgres is the source of truth for jobs; a dispatcher only
 * carries small messages ("evaluate item X") to whichever runs the job handlers — QStash → the
 * containerized worker, or the in-process adapter of the embedded default. Both adapters give the
 * same guarantees: at-least-once delivery, deduplication by id, retries with back-off, and after the
 * last retry the `failure` handler hears about it (the item goes dead).
 */

/** Worker routes a message can target: `POST /jobs/{route}`. */
export const JOB_ROUTES = ['evaluate-item', 'sweep', 'build-taxonomy-index', 'calibrate'] as const
export type JobRoute = (typeof JOB_ROUTES)[number]

export interface JobMessage {
  route: JobRoute
  /** Small JSON body: ids, never payloads (the worker loads the rest from Postgres). */
  body: Record<string, unknown>
  /** Messages with an id seen recently are accepted and dropped. */
  deduplicationId?: string
  /**
   * The tenant the message works for, when it has one: QStash's failure callback for it goes to
   * the API's `/jobs/failure/{tenant}` (jobs/dispatchers/qstash.ts), which acts on that tenant's
   * items only.
   */
  tenantId?: string
}

export interface JobDispatcher {
  readonly kind: 'qstash' | 'in-process'
  /** Hands the messages over; resolves once the transport has accepted all of them. */
  dispatch(messages: readonly JobMessage[]): Promise<void>
}

/** What a handler tells its transport about one delivery. */
export type JobOutcome =
  | { status: 'ok'; detail?: Record<string, unknown> }
  /** Worth another attempt (transient error, lease held by someone else). */
  | { status: 'retry'; error: string }
  /** Will never succeed: skip the remaining retries and go straight to `failure`. */
  | { status: 'give-up'; error: string }

export interface Delivery {
  /** 0 on the first attempt, as QStash's `Upstash-Retried`. */
  retried: number
  messageId: string
}

export type JobHandler = (body: unknown, delivery: Delivery) => Promise<JobOutcome>

/** The worker's job handlers: one per route, plus the dead-letter hook. */
export type JobHandlers = Record<JobRoute, JobHandler> & {
  /** Called once a message has failed for good, with the last error. */
  failure(message: { route: JobRoute; body: unknown; error: string }): Promise<void>
  /**
   * Bulk form of `evaluate-item` for a transport that holds many messages at once (in-process):
   * one outcome per body, each with exactly the single-message semantics, but claimed and
   * committed together.
   */
  evaluateItems?: (bodies: readonly unknown[], deliveries: readonly Delivery[]) => Promise<JobOutcome[]>
}
