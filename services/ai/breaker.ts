/**
 * A circuit breaker per provider: after `failureThreshold` consecutive failures it opens and calls
 * fail at once (no waiting on a provider that is down); after `openMs` one trial call is let
 * through (half-open), and its outcome closes or re-opens the circuit.
 */
export interface BreakerOptions {
  /** @default 5 */
  failureThreshold?: number
  /** @default 30000 */
  openMs?: number
  /** @default Date.now */
  now?: () => number
}

export type BreakerState = 'closed' | 'open' | 'half-open'

export class CircuitBreaker {
  private failures = 0
  private openedAt = 0
  private trialInFlight = false
  private readonly threshold: number
  private readonly openMs: number
  private readonly now: () => number

  constructor(options: BreakerOptions = {}) {
    this.threshold = options.failureThreshold ?? 5
    this.openMs = options.openMs ?? 30_000
    this.now = options.now ?? Date.now
  }

  get state(): BreakerState {
    if (this.failures < this.threshold) return 'closed'
    return this.now() - this.openedAt >= this.openMs ? 'half-open' : 'open'
  }

  /** Whether a call may go out now; in half-open only one trial at a time. */
  tryAcquire(): boolean {
    const state = this.state
    if (state === 'closed') return true
    if (state === 'open' || this.trialInFlight) return false
    this.trialInFlight = true
    return true
  }

  onSuccess(): void {
    this.failures = 0
    this.trialInFlight = false
  }

  onFailure(): void {
    this.trialInFlight = false
    this.failures++
    if (this.failures >= this.threshold) this.openedAt = this.now()
  }
}
