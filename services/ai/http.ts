import type { CircuitBreaker } from './breaker'
import { ProviderError } from './errors'

/** How one provider is called: the same for embeddings and chat. */
export interface CallPolicy {
  /** Per attempt. @default 10000 */
  timeoutMs?: number
  /** Attempts after the first, for timeouts, network errors, 429 and 5xx. @default 2 */
  retries?: number
  /** Base of the exponential back-off; each wait is a random share of it (full jitter). @default 200 */
  backoffMs?: number
  /** Longest single wait, including a provider's `Retry-After`. @default 2000 */
  maxBackoffMs?: number
  /** @default globalThis.fetch */
  fetch?: typeof fetch
  /** @default Math.random */
  random?: () => number
}

export interface JsonCall {
  provider: string
  url: string
  apiKey?: string
  body: unknown
  breaker: CircuitBreaker
  policy: CallPolicy
  /** Called once per HTTP attempt (metrics). */
  onAttempt?: () => void
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * POSTs JSON and returns the parsed answer. Bounded: at most `retries + 1` attempts, each cut at
 * `timeoutMs`, waits between them capped, and nothing at all while the provider's circuit is open.
 * The worst case is therefore known in advance: (retries + 1) × timeout + retries × maxBackoff.
 */
export async function postJson(call: JsonCall): Promise<unknown> {
  const p = call.policy
  const retries = p.retries ?? 2
  const random = p.random ?? Math.random
  const base = p.backoffMs ?? 200
  const cap = p.maxBackoffMs ?? 2_000
  let lastError: ProviderError | undefined
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) {
      const backoff = random() * Math.min(cap, base * 2 ** (attempt - 1))
      const asked = lastError?.retryAfterSeconds !== undefined ? Math.min(cap, lastError.retryAfterSeconds * 1000) : 0
      await sleep(Math.max(backoff, asked))
    }
    if (!call.breaker.tryAcquire()) throw lastError ?? new ProviderError('circuit_open', call.provider, 'circuit open')
    call.onAttempt?.()
    try {
      const answer = await attemptOnce(call, p)
      call.breaker.onSuccess()
      return answer
    } catch (err) {
      const error = err instanceof ProviderError ? err : new ProviderError('network', call.provider, 'request failed')
      call.breaker.onFailure()
      lastError = error
      if (!error.retryable) throw error
    }
  }
  throw lastError!
}

async function attemptOnce(call: JsonCall, p: CallPolicy): Promise<unknown> {
  const doFetch = p.fetch ?? globalThis.fetch
  const timeoutMs = p.timeoutMs ?? 10_000
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  try {
    let response: Response
    try {
      response = await doFetch(call.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(call.apiKey ? { Authorization: `Bearer ${call.apiKey}` } : {}),
        },
        body: JSON.stringify(call.body),
        signal: controller.signal,
      })
    } catch {
      throw new ProviderError(controller.signal.aborted ? 'timeout' : 'network', call.provider, controller.signal.aborted ? `no answer within ${timeoutMs} ms` : 'connection failed')
    }
    if (!response.ok) {
      // Drain the body so the connection can be reused; its text is not kept (it may echo input).
      await response.body?.cancel().catch(() => undefined)
      const status = response.status
      if (status === 429) throw new ProviderError('rate_limited', call.provider, 'answered 429', retryAfter(response))
      if (status >= 500) throw new ProviderError('server', call.provider, `answered ${status}`, retryAfter(response))
      throw new ProviderError('client', call.provider, `answered ${status}`)
    }
    try {
      return await response.json()
    } catch {
      throw new ProviderError(controller.signal.aborted ? 'timeout' : 'malformed', call.provider, 'answer is not JSON')
    }
  } finally {
    clearTimeout(timer)
  }
}

function retryAfter(response: Response): number | undefined {
  const value = response.headers.get('retry-after')
  if (!value) return undefined
  const seconds = Number(value)
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined
}
