import { describe, expect, it } from 'vitest'
import { createInProcessDispatcher } from './in-process'
import type { JobHandlers, JobOutcome } from '../types'

/** Handlers that answer from a script and record what they saw (a fake passed in, as AGENTS.md asks). */
function scriptedHandlers(answer: (itemId: string, retried: number) => JobOutcome) {
  const calls: Array<{ itemId: string; retried: number }> = []
  const failures: Array<{ itemId: string; error: string }> = []
  let inFlight = 0
  let maxInFlight = 0
  const handlers: JobHandlers = {
    'evaluate-item': async (body, delivery) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      await new Promise((resolve) => setImmediate(resolve))
      inFlight--
      const itemId = (body as { item_id: string }).item_id
      calls.push({ itemId, retried: delivery.retried })
      return answer(itemId, delivery.retried)
    },
    sweep: async () => ({ status: 'ok' }),
    'build-taxonomy-index': async () => ({ status: 'ok' }),
    calibrate: async () => ({ status: 'ok' }),
    failure: async ({ body, error }) => {
      failures.push({ itemId: (body as { item_id: string }).item_id, error })
    },
  }
  return { handlers, calls, failures, maxInFlight: () => maxInFlight }
}

const item = (id: string) => ({ route: 'evaluate-item' as const, body: { item_id: id }, deduplicationId: id })

describe('in-process dispatcher', () => {
  it('delivers every message once, never above the concurrency bound', async () => {
    const h = scriptedHandlers(() => ({ status: 'ok' }))
    const dispatcher = createInProcessDispatcher({ handlers: () => h.handlers, concurrency: 3 })
    await dispatcher.dispatch(Array.from({ length: 50 }, (_, i) => item(`i${i}`)))
    await dispatcher.idle()
    expect(h.calls).toHaveLength(50)
    expect(new Set(h.calls.map((c) => c.itemId)).size).toBe(50)
    expect(h.maxInFlight()).toBe(3)
  })

  it('drops a message whose deduplication id was already dispatched', async () => {
    const h = scriptedHandlers(() => ({ status: 'ok' }))
    const dispatcher = createInProcessDispatcher({ handlers: () => h.handlers })
    await dispatcher.dispatch([item('a'), item('a')])
    await dispatcher.dispatch([item('a'), item('b')])
    await dispatcher.idle()
    expect(h.calls.map((c) => c.itemId).sort()).toEqual(['a', 'b'])
  })

  it('retries with back-off, then reports the last error to the failure hook', async () => {
    const h = scriptedHandlers((id, retried) =>
      id === 'flaky' && retried < 2 ? { status: 'retry', error: 'transient' } : id === 'bad' ? { status: 'retry', error: `boom ${retried}` } : { status: 'ok' },
    )
    const dispatcher = createInProcessDispatcher({ handlers: () => h.handlers, retries: 2, retryDelayMs: () => 1 })
    await dispatcher.dispatch([item('flaky'), item('bad')])
    await dispatcher.idle()
    expect(h.calls.filter((c) => c.itemId === 'flaky').map((c) => c.retried)).toEqual([0, 1, 2])
    expect(h.calls.filter((c) => c.itemId === 'bad').map((c) => c.retried)).toEqual([0, 1, 2])
    expect(h.failures).toEqual([{ itemId: 'bad', error: 'boom 2' }])
  })

  it('skips the remaining retries on give-up and treats a thrown handler as retryable', async () => {
    let threw = false
    const h = scriptedHandlers((id) => {
      if (id === 'throws' && !threw) {
        threw = true
        throw new Error('crashed')
      }
      return id === 'hopeless' ? { status: 'give-up', error: 'invalid payload' } : { status: 'ok' }
    })
    const dispatcher = createInProcessDispatcher({ handlers: () => h.handlers, retries: 5, retryDelayMs: () => 1 })
    await dispatcher.dispatch([item('hopeless'), item('throws')])
    await dispatcher.idle()
    expect(h.calls.filter((c) => c.itemId === 'hopeless')).toHaveLength(1)
    expect(h.failures).toEqual([{ itemId: 'hopeless', error: 'invalid payload' }])
    expect(h.calls.filter((c) => c.itemId === 'throws').map((c) => c.retried)).toEqual([0, 1])
  })
})
