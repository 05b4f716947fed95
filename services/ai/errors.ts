/** Why a provider call did not give an answer; `retryable` kinds are retried within the bound. */
export type ProviderFailure =
  | 'timeout'
  | 'network'
  | 'rate_limited'
  | 'server'
  | 'client'
  | 'malformed'
  | 'circuit_open'
  | 'budget_exhausted'

const RETRYABLE: ReadonlySet<ProviderFailure> = new Set(['timeout', 'network', 'rate_limited', 'server'])

/** A provider failure. Its message never carries request text, keys or the provider's answer body. */
export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderFailure,
    readonly provider: string,
    message: string,
    /** Seconds the provider asked us to wait (429 / 503 `Retry-After`). */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${provider}: ${message}`)
    this.name = 'ProviderError'
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind)
  }
}

export function failureKind(err: unknown): ProviderFailure {
  return err instanceof ProviderError ? err.kind : 'network'
}
