import type { Client } from '@upstash/qstash'
import type { JobDispatcher, JobMessage } from '../types'

export interface QStashDispatcherOptions {
  /** The official client, pointed at QStash (or, locally, at test/harness/qstash.ts). */
  client: Client
  /** Public base URL of the worker service, e.g. `https://worker.example.edu`. */
  workerUrl: string
  /** Attempts after the first. @default 3 */
  retries?: number
  /**
   * Deliveries QStash keeps in flight towards the workers at once (QStash flow control), so a
   * 10,000-item batch does not arrive as 10,000 simultaneous requests. @default 16
   */
  parallelism?: number
  /** Messages per `/v2/batch` call. @default 100 */
  batchSize?: number
  /**
   * Public base URL of the API (API_URL). When set, the failure callback of a message that names
   * its tenant goes to `POST {apiUrl}/jobs/failure/{tenant}` (edge/routes/jobs/qstash-failure.ts),
   * which works while every worker is down; without it, or for a message without a tenant (the
   * sweep), it goes to the workers' `POST {workerUrl}/jobs/failure`.
   */
  apiUrl?: string
}

/** Name of the QStash schedule that runs the sweeper. */
export const SWEEP_SCHEDULE_ID = 'equivalence-engine-sweeper'

/** Where QStash reports a message it gave up on (see `QStashDispatcherOptions.apiUrl`). */
export function failureCallbackUrl(message: Pick<JobMessage, 'tenantId'>, urls: { workerUrl: string; apiUrl?: string }): string {
  const api = urls.apiUrl?.replace(/\/+$/, '')
  if (api && message.tenantId) return `${api}${FAILURE_CALLBACK_PATH}/${encodeURIComponent(message.tenantId)}`
  return `${urls.workerUrl.replace(/\/+$/, '')}/jobs/failure`
}

/** The API's failure-callback route prefix: `POST /jobs/failure/{tenant_id}`. */
export const FAILURE_CALLBACK_PATH = '/jobs/failure'

/**
 * Publishes job messages to QStash, which delivers them to `POST {workerUrl}/jobs/{route}` signed
 * with the account's signing key, retries non-2xx answers with back-off and, after the last retry,
 * calls the failure callback (`failureCallbackUrl`: the API when `apiUrl` is set; the item goes dead).
 */
export function createQStashDispatcher(options: QStashDispatcherOptions): JobDispatcher {
  const base = options.workerUrl.replace(/\/+$/, '')
  const retries = options.retries ?? 3
  const parallelism = options.parallelism ?? 16
  const batchSize = options.batchSize ?? 100
  return {
    kind: 'qstash',
    async dispatch(messages: readonly JobMessage[]) {
      for (let start = 0; start < messages.length; start += batchSize) {
        const chunk = messages.slice(start, start + batchSize)
        await options.client.batchJSON(
          chunk.map((message) => ({
            url: `${base}/jobs/${message.route}`,
            body: message.body,
            deduplicationId: message.deduplicationId,
            retries,
            failureCallback: failureCallbackUrl(message, options),
            flowControl: { key: 'equivalence-worker', parallelism },
          })),
        )
      }
    },
  }
}

/** Creates (or replaces) the QStash schedule that calls the sweeper. @default cron every minute */
export async function scheduleSweeper(client: Client, workerUrl: string, cron = '* * * * *'): Promise<void> {
  await client.schedules.create({
    scheduleId: SWEEP_SCHEDULE_ID,
    destination: `${workerUrl.replace(/\/+$/, '')}/jobs/sweep`,
    cron,
    body: '{}',
    retries: 0,
  })
}
