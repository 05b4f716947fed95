import type { RateLimitResult, RateLimiter } from './types'

/**
 * Fixed-window counters in this process's memory. Correct for one process (the embedded
 * default); with several replicas each one counts on its own, which is why they use Upstash.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; reset: number }>()
  private sweptAt = 0

  constructor(private readonly now: () => number = Date.now) {}

  async limit(identifier: string, max: number, windowSeconds: number): Promise<RateLimitResult> {
    const now = this.now()
    this.sweep(now)
    const windowMs = windowSeconds * 1000
    const key = `${identifier}:${windowSeconds}`
    let window = this.windows.get(key)
    if (!window || window.reset <= now) {
      window = { count: 0, reset: Math.floor(now / windowMs) * windowMs + windowMs }
      this.windows.set(key, window)
    }
    window.count++
    return { success: window.count <= max, limit: max, remaining: Math.max(0, max - window.count), reset: window.reset }
  }

  /** Drops expired windows at most once a second so the map cannot grow without bound. */
  private sweep(now: number): void {
    if (now - this.sweptAt < 1000) return
    this.sweptAt = now
    for (const [key, w] of this.windows) if (w.reset <= now) this.windows.delete(key)
  }
}
