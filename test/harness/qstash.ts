/**
 * Local stand-in for Upstash QStash, the hosted HTTP message queue (https://upstash.com/docs/qstash).
 * QStash cannot run on these machines (its dev server downloads a binary), so tests, benchmarks and
 * local development point the OFFICIAL `@upstash/qstash` Client at this server
 * (`new Client({ baseUrl: standIn.url, token: standIn.token })`) and verify its deliveries with the
 * official `Receiver`. It implements the part of the protocol this project relies on:
 *
 * - `POST /v2/publish/{destination}` and `POST /v2/batch`, bearer-token auth, with the headers
 *   Upstash-Deduplication-Id, Upstash-Content-Based-Deduplication (duplicates answer 202 with the
 *   first message's id), Upstash-Retries, Upstash-Delay / Upstash-Not-Before, Upstash-Timeout,
 *   Upstash-Callback, Upstash-Failure-Callback, Upstash-Flow-Control-Key/-Value (parallelism) and
 *   Upstash-Forward-* (forwarded without the prefix).
 * - Delivery: the raw body, `Upstash-Message-Id`, `Upstash-Retried`, and `Upstash-Signature`, an
 *   HS256 JWT (iss "Upstash", sub = destination URL, exp/nbf/iat/jti, body = base64url(SHA-256(raw
 *   body))) signed with the current signing key. Non-2xx or network errors are retried with back-off
 *   (real QStash waits min(1 day, e^(2.5·n)) seconds; here `retryDelayMs`, milliseconds by default);
 *   489 is not retried. An exhausted message goes to the DLQ (`GET /v2/dlq`) and, if asked, its
 *   failure callback receives the QStash callback payload (signed like any delivery).
 * - `POST /v2/schedules/{destination}` with Upstash-Cron is stored; `fireSchedules()` runs them once
 *   (no clock-driven cron here: tests decide when a tick happens).
 *
 * Test knobs that real QStash does not have: `duplicateDeliveries` delivers every message that many
 * times (QStash is at-least-once), `idle()` waits for quiescence, and `deliveries` logs each attempt.
 */
import { Hono } from 'hono'
import type { Context } from 'hono'
import { sign } from 'hono/jwt'
import pLimit from 'p-limit'
import type { LimitFunction } from 'p-limit'
import { createHash, randomUUID } from 'node:crypto'
import { listen } from './listen'

export interface QStashStandInOptions {
  /** Bearer token the Client must send. @default 'qstash-standin-token' */
  token?: string
  /** @default random */
  currentSigningKey?: string
  /** @default random */
  nextSigningKey?: string
  /** Delay before retry number `retried` (1-based). @default (n) => 10 * 2 ** n */
  retryDelayMs?: (retried: number) => number
  /** Retries when a publish sets none (QStash's paid-plan default). @default 3 */
  defaultRetries?: number
  /** Upper bound on deliveries in flight, across all flow-control keys. @default 64 */
  maxInFlight?: number
  /** Deliver each message this many times (simulates at-least-once redelivery). @default 1 */
  duplicateDeliveries?: number
  /** How long a deduplication id is remembered. @default 10 minutes */
  deduplicationWindowMs?: number
  /** Lifetime of delivery tokens in seconds. @default 300 */
  tokenTtlSeconds?: number
}

export interface StandInMessage {
  messageId: string
  url: string
  method: string
  body: string
  /** Headers forwarded to the destination (Upstash-Forward-* without the prefix, and Content-Type). */
  header: Record<string, string>
  maxRetries: number
  retried: number
  callback?: string
  failureCallback?: string
  notBefore: number
  createdAt: number
  timeoutMs?: number
  flowControlKey?: string
  parallelism?: number
}

export interface DlqMessage extends StandInMessage {
  dlqId: string
  responseStatus?: number
  responseBody?: string
}

export interface DeliveryRecord {
  messageId: string
  url: string
  retried: number
  /** HTTP status, or 0 when the connection failed. */
  status: number
}

export interface StandInSchedule {
  scheduleId: string
  destination: string
  cron: string
  body: string
  header: Record<string, string>
}

export interface QStashStandIn {
  url: string
  token: string
  currentSigningKey: string
  nextSigningKey: string
  readonly messages: ReadonlyMap<string, StandInMessage>
  readonly dlq: readonly DlqMessage[]
  readonly deliveries: readonly DeliveryRecord[]
  readonly schedules: readonly StandInSchedule[]
  /** Promote the next key to current and make a fresh next key, as QStash's key rotation does. */
  rotateSigningKeys(): void
  /** Publish one message for every stored schedule, now. */
  fireSchedules(): Promise<void>
  /** Resolves once no message is waiting, in flight or retrying. */
  idle(): Promise<void>
  close(): Promise<void>
}

const NON_RETRYABLE_STATUS = 489

/** Signs a delivery the way QStash does; exported so tests can forge bad ones on purpose. */
export async function signDelivery(input: {
  key: string
  url: string
  body: string
  /** Seconds since the epoch. @default now */
  now?: number
  ttlSeconds?: number
}): Promise<string> {
  const now = input.now ?? Math.floor(Date.now() / 1000)
  return sign(
    {
      iss: 'Upstash',
      sub: input.url,
      exp: now + (input.ttlSeconds ?? 300),
      nbf: now,
      iat: now,
      jti: `jwt_${randomUUID()}`,
      body: createHash('sha256').update(input.body).digest('base64url'),
    },
    input.key,
    'HS256',
  )
}

export async function startQStashStandIn(options: QStashStandInOptions = {}): Promise<QStashStandIn> {
  const token = options.token ?? 'qstash-standin-token'
  const keys = {
    current: options.currentSigningKey ?? `sig_${randomUUID()}`,
    next: options.nextSigningKey ?? `sig_${randomUUID()}`,
  }
  const retryDelayMs = options.retryDelayMs ?? ((n: number) => 10 * 2 ** n)
  const defaultRetries = options.defaultRetries ?? 3
  const duplicateDeliveries = options.duplicateDeliveries ?? 1
  const deduplicationWindowMs = options.deduplicationWindowMs ?? 10 * 60_000
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 300

  const messages = new Map<string, StandInMessage>()
  const dedup = new Map<string, { messageId: string; at: number }>()
  const dlq: DlqMessage[] = []
  const deliveries: DeliveryRecord[] = []
  const schedules: StandInSchedule[] = []
  const globalLimit = pLimit(options.maxInFlight ?? 64)
  const flowLimits = new Map<string, LimitFunction>()

  let pending = 0
  let idleWaiters: Array<() => void> = []
  const track = (work: Promise<unknown>) => {
    pending++
    void work.finally(() => {
      pending--
      if (pending === 0) {
        const waiters = idleWaiters
        idleWaiters = []
        for (const wake of waiters) wake()
      }
    })
  }

  /** Runs `deliver` under the message's flow-control parallelism and the global bound. */
  const limited = <T>(message: StandInMessage, deliver: () => Promise<T>): Promise<T> => {
    let run = () => globalLimit(deliver)
    if (message.flowControlKey && message.parallelism) {
      let limit = flowLimits.get(message.flowControlKey)
      if (!limit) flowLimits.set(message.flowControlKey, (limit = pLimit(message.parallelism)))
      const keyLimit = limit
      const inner = run
      run = () => keyLimit(inner)
    }
    return run()
  }

  const later = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)))

  async function attempt(message: StandInMessage): Promise<{ status: number; body: string; header: Record<string, string[]> }> {
    const signature = await signDelivery({ key: keys.current, url: message.url, body: message.body, ttlSeconds: tokenTtlSeconds })
    const headers = new Headers(message.header)
    headers.set('Upstash-Signature', signature)
    headers.set('Upstash-Message-Id', message.messageId)
    headers.set('Upstash-Retried', String(message.retried))
    headers.set('User-Agent', 'Upstash-QStash')
    try {
      const response = await fetch(message.url, {
        method: message.method,
        headers,
        body: message.method === 'GET' || message.method === 'HEAD' ? undefined : message.body,
        signal: message.timeoutMs ? AbortSignal.timeout(message.timeoutMs) : undefined,
      })
      const body = await response.text()
      const header: Record<string, string[]> = {}
      response.headers.forEach((value, key) => (header[key] = [value]))
      return { status: response.status, body, header }
    } catch (error) {
      return { status: 0, body: error instanceof Error ? error.message : String(error), header: {} }
    }
  }

  /** Delivers one copy of a message until it succeeds, is refused for good, or runs out of retries. */
  async function deliverUntilSettled(original: StandInMessage): Promise<void> {
    const message = { ...original }
    await later(message.notBefore - Date.now())
    for (;;) {
      const outcome = await limited(message, async () => {
        const result = await attempt(message)
        deliveries.push({ messageId: message.messageId, url: message.url, retried: message.retried, status: result.status })
        return result
      })
      const ok = outcome.status >= 200 && outcome.status < 300
      // Like QStash, the callback hears about every attempt, failed ones included.
      if (message.callback) enqueue(callbackMessage(message.callback, message, outcome))
      if (ok) return
      if (outcome.status === NON_RETRYABLE_STATUS || message.retried >= message.maxRetries) {
        const dlqId = `dlq_${randomUUID()}`
        dlq.push({ ...message, dlqId, responseStatus: outcome.status, responseBody: outcome.body })
        if (message.failureCallback) enqueue(callbackMessage(message.failureCallback, message, outcome, dlqId))
        return
      }
      message.retried++
      await later(retryDelayMs(message.retried))
    }
  }

  /**
   * The JSON body QStash posts to Upstash-Callback / Upstash-Failure-Callback URLs: a new message
   * of its own (signed with `sub` = the callback URL, retried like any message), whose body holds
   * the last answer (`status`, `header`, base64 `body`), the attempt counts, and the source message
   * (`sourceMessageId`, `url`, `method`, `sourceHeader`, base64 `sourceBody`, …); a failure
   * callback also names the message's `dlqId`. When the destination did not answer at all there is
   * no HTTP status: `status` is 0 and `body` holds the connection error's text.
   */
  function callbackMessage(
    url: string,
    source: StandInMessage,
    outcome: { status: number; body: string; header: Record<string, string[]> },
    dlqId?: string,
  ): StandInMessage {
    const payload = {
      status: outcome.status,
      header: outcome.header,
      body: Buffer.from(outcome.body).toString('base64'),
      retried: source.retried,
      maxRetries: source.maxRetries,
      sourceMessageId: source.messageId,
      url: source.url,
      method: source.method,
      sourceHeader: Object.fromEntries(Object.entries(source.header).map(([k, v]) => [k, [v]])),
      sourceBody: Buffer.from(source.body).toString('base64'),
      notBefore: source.notBefore,
      createdAt: source.createdAt,
      ...(dlqId ? { dlqId } : {}),
    }
    return newMessage(url, JSON.stringify(payload), new Headers({ 'Content-Type': 'application/json' }), {
      maxRetries: source.maxRetries,
    })
  }

  function newMessage(url: string, body: string, header: Headers, overrides: Partial<StandInMessage> = {}): StandInMessage {
    return {
      messageId: `msg_${randomUUID()}`,
      url,
      method: 'POST',
      body,
      header: forwardedHeaders(header),
      maxRetries: defaultRetries,
      retried: 0,
      notBefore: Date.now(),
      createdAt: Date.now(),
      ...overrides,
    }
  }

  function enqueue(message: StandInMessage) {
    messages.set(message.messageId, message)
    for (let copy = 0; copy < duplicateDeliveries; copy++) track(deliverUntilSettled(message))
  }

  /** Applies the publish headers of one message; answers like QStash's publish endpoint. */
  function publish(destination: string, header: Headers, body: string): { status: number; json: Record<string, unknown> } {
    if (!/^https?:\/\//.test(destination)) {
      return { status: 400, json: { error: `invalid destination url: ${destination}` } }
    }
    const dedupId =
      header.get('Upstash-Deduplication-Id') ??
      (header.get('Upstash-Content-Based-Deduplication') === 'true'
        ? createHash('sha256').update(destination).update('\0').update(body).digest('hex')
        : null)
    const now = Date.now()
    if (dedupId) {
      const seen = dedup.get(dedupId)
      if (seen && now - seen.at < deduplicationWindowMs) {
        return { status: 202, json: { messageId: seen.messageId, url: destination, deduplicated: true } }
      }
    }
    const flow = parseFlowControl(header)
    const message = newMessage(destination, body, header, {
      method: header.get('Upstash-Method') ?? 'POST',
      maxRetries: header.has('Upstash-Retries') ? Number(header.get('Upstash-Retries')) : defaultRetries,
      callback: header.get('Upstash-Callback') ?? undefined,
      failureCallback: header.get('Upstash-Failure-Callback') ?? undefined,
      notBefore: notBefore(header, now),
      timeoutMs: header.has('Upstash-Timeout') ? parseDuration(header.get('Upstash-Timeout')!) : undefined,
      ...flow,
    })
    if (dedupId) dedup.set(dedupId, { messageId: message.messageId, at: now })
    enqueue(message)
    return { status: 201, json: { messageId: message.messageId, url: destination } }
  }

  const app = new Hono()
  app.use('/v2/*', async (c, next) => {
    if (c.req.header('Authorization') !== `Bearer ${token}`) return c.json({ error: 'Unauthorized' }, 401)
    await next()
  })
  app.post('/v2/publish/*', async (c) => {
    const result = publish(destinationOf(c, '/v2/publish/'), c.req.raw.headers, await c.req.text())
    return c.json(result.json, result.status as 201)
  })
  app.post('/v2/batch', async (c) => {
    const batch = (await c.req.json()) as Array<{ destination: string; headers?: Record<string, string>; body?: string }>
    const results = batch.map((entry) => publish(entry.destination, new Headers(entry.headers ?? {}), entry.body ?? ''))
    const failed = results.find((r) => r.status >= 400)
    if (failed) return c.json(failed.json, 400)
    return c.json(results.map((r) => r.json))
  })
  app.get('/v2/dlq', (c) => c.json({ messages: dlq }))
  app.delete('/v2/dlq/:dlqId', (c) => {
    const index = dlq.findIndex((m) => m.dlqId === c.req.param('dlqId'))
    if (index < 0) return c.json({ error: 'not found' }, 404)
    dlq.splice(index, 1)
    return c.body(null, 200)
  })
  app.post('/v2/schedules/*', async (c) => {
    const cron = c.req.header('Upstash-Cron')
    if (!cron) return c.json({ error: 'Upstash-Cron header is required' }, 400)
    const scheduleId = c.req.header('Upstash-Schedule-Id') ?? `scd_${randomUUID()}`
    const existing = schedules.findIndex((s) => s.scheduleId === scheduleId)
    if (existing >= 0) schedules.splice(existing, 1)
    schedules.push({
      scheduleId,
      destination: destinationOf(c, '/v2/schedules/'),
      cron,
      body: await c.req.text(),
      header: Object.fromEntries(c.req.raw.headers),
    })
    return c.json({ scheduleId })
  })
  app.get('/v2/schedules', (c) => c.json(schedules.map(({ scheduleId, destination, cron }) => ({ scheduleId, destination, cron }))))

  const server = await listen(app.fetch)

  return {
    url: server.url,
    token,
    get currentSigningKey() {
      return keys.current
    },
    get nextSigningKey() {
      return keys.next
    },
    messages,
    dlq,
    deliveries,
    schedules,
    rotateSigningKeys() {
      keys.current = keys.next
      keys.next = `sig_${randomUUID()}`
    },
    async fireSchedules() {
      for (const schedule of schedules) publish(schedule.destination, new Headers(schedule.header), schedule.body)
    },
    idle() {
      if (pending === 0) return Promise.resolve()
      return new Promise<void>((resolve) => idleWaiters.push(resolve))
    },
    close: () => server.close(),
  }
}

/** The destination is the raw rest of the path (an absolute URL), plus the query string. */
function destinationOf(c: Context, prefix: string): string {
  const url = new URL(c.req.url)
  return decodeURIComponent(url.pathname.slice(prefix.length)).replace(/^(https?):\/(?!\/)/, '$1://') + url.search
}

function forwardedHeaders(header: Headers): Record<string, string> {
  const forwarded: Record<string, string> = {}
  const contentType = header.get('Content-Type')
  if (contentType) forwarded['Content-Type'] = contentType
  header.forEach((value, key) => {
    const match = /^upstash-forward-(.+)$/i.exec(key)
    if (match?.[1]) forwarded[match[1]] = value
  })
  return forwarded
}

function parseFlowControl(header: Headers): Pick<StandInMessage, 'flowControlKey' | 'parallelism'> {
  const key = header.get('Upstash-Flow-Control-Key')
  if (!key) return {}
  const parallelism = /parallelism=(\d+)/.exec(header.get('Upstash-Flow-Control-Value') ?? '')?.[1]
  return { flowControlKey: key, parallelism: parallelism ? Number(parallelism) : undefined }
}

function notBefore(header: Headers, now: number): number {
  const delay = header.get('Upstash-Delay')
  if (delay) return now + parseDuration(delay)
  const at = header.get('Upstash-Not-Before')
  return at ? Number(at) * 1000 : now
}

/** QStash durations: `10s`, `3m`, `2h`, `1d` (a bare number means seconds). */
function parseDuration(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(value.trim())
  if (!match) return 0
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd']
  return Number(match[1]) * unit
}
