import { describe, expect, it } from 'vitest'
import { calculo1, calculo1Antigo } from './__fixtures__/courses'
import { evaluate } from './__fixtures__/evaluate'
import { createMemoryMappingCache, hashText } from './cache'
import type { ConceptMapper } from './mapper'
import { createLexicalMapper } from './mapper'

describe('mapping cache', () => {
  it('a warm evaluation gives the same answer without calling the mapper again', async () => {
    const lexical = createLexicalMapper()
    let calls = 0
    const counting: ConceptMapper = { version: lexical.version, map: (input) => (calls++, lexical.map(input)) }
    const mappingCache = createMemoryMappingCache()
    const cold = await evaluate({ origem: calculo1Antigo, destino: calculo1 }, { mapper: counting, mappingCache })
    const warm = await evaluate({ origem: calculo1Antigo, destino: calculo1 }, { mapper: counting, mappingCache })
    expect(calls).toBe(1)
    expect(cold.meta.cache_mapeamento).toBe(false)
    expect(warm.meta.cache_mapeamento).toBe(true)
    expect({ ...warm, timings_ms: null, meta: null }).toEqual({ ...cold, timings_ms: null, meta: null })
  })

  it('evicts the least recently used entry', () => {
    const cache = createMemoryMappingCache(2)
    cache.set('a', [])
    cache.set('b', [])
    cache.get('a')
    cache.set('c', [])
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')).toEqual([])
    expect(cache.get('c')).toEqual([])
  })

  it('keys differ when any part differs', () => {
    expect(hashText('v1', 'abc')).not.toBe(hashText('v2', 'abc'))
    expect(hashText('ab', 'c')).not.toBe(hashText('a', 'bc'))
    expect(hashText('x', 'y')).toBe(hashText('x', 'y'))
  })
})
