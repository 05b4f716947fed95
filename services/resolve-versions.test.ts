import { describe, expect, it } from 'vitest'
import { createVersionCache } from './resolve-versions'

/** The one version cache: what it keeps, for how long, and that tenants never share an entry. */
describe('createVersionCache', () => {
  const counting = () => {
    const calls: string[] = []
    const load = (label: string, value: unknown) => () => {
      calls.push(label)
      return Promise.resolve(value)
    }
    return { calls, load }
  }

  it('keeps a look-up per tenant and key until the TTL passes', async () => {
    let now = 0
    const cache = createVersionCache(1000, () => now)
    const { calls, load } = counting()
    expect(await cache.get('t1', 'policy:p1', load('t1', 'a'))).toBe('a')
    expect(await cache.get('t1', 'policy:p1', load('t1 again', 'x'))).toBe('a')
    // Another tenant with the same key gets its own entry, never t1's.
    expect(await cache.get('t2', 'policy:p1', load('t2', 'b'))).toBe('b')
    now = 1001
    expect(await cache.get('t1', 'policy:p1', load('t1 expired', 'c'))).toBe('c')
    expect(calls).toEqual(['t1', 't2', 't1 expired'])
  })

  it('invalidates one tenant only', async () => {
    const cache = createVersionCache(60_000)
    const { calls, load } = counting()
    await cache.get('t1', 'policy-default', load('t1', 1))
    await cache.get('t2', 'policy-default', load('t2', 2))
    cache.invalidate('t1')
    await cache.get('t1', 'policy-default', load('t1 reloaded', 3))
    await cache.get('t2', 'policy-default', load('t2 again', 4))
    expect(calls).toEqual(['t1', 't2', 't1 reloaded'])
  })

  it('forgets failed loads, and misses when asked to', async () => {
    const cache = createVersionCache(60_000)
    await expect(cache.get('t1', 'k', () => Promise.reject(new Error('database hiccup')))).rejects.toThrow('database hiccup')
    expect(await cache.get('t1', 'k', () => Promise.resolve('after the hiccup'))).toBe('after the hiccup')

    const { calls, load } = counting()
    await cache.get('t1', 'policy:new', load('named, unknown', null), { forgetMisses: true })
    await new Promise((resolve) => setImmediate(resolve))
    expect(await cache.get('t1', 'policy:new', load('named, created since', 'v'), { forgetMisses: true })).toBe('v')
    // A miss that is an answer (no default policy, no binding) is kept.
    await cache.get('t1', 'binding:c1', load('no binding', null))
    await cache.get('t1', 'binding:c1', load('no binding again', null))
    expect(calls).toEqual(['named, unknown', 'named, created since', 'no binding'])
  })

  it('caches nothing with a TTL of 0', async () => {
    const cache = createVersionCache(0)
    const { calls, load } = counting()
    await cache.get('t1', 'k', load('1', 'a'))
    await cache.get('t1', 'k', load('2', 'a'))
    expect(calls).toEqual(['1', '2'])
  })
})
