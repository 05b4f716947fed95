import { describe, expect, it } from 'vitest'
import { slaLevel, workingDaysBefore, workingDaysBetween } from './format'
import { highlightPieces } from './highlight'

describe('highlightPieces', () => {
  it('marks spans, merges overlaps into pieces that list every covering evidence', () => {
    const text = 'Limites e continuidade. Derivadas.'
    const pieces = highlightPieces(text, [
      { inicio: 0, fim: 7, trecho: 'Limites', ev: 0 },
      { inicio: 0, fim: 22, trecho: 'Limites e continuidade', ev: 1 },
      { inicio: 24, fim: 33, trecho: 'Derivadas', ev: 2 },
    ])
    expect(pieces).toEqual([
      { text: 'Limites', ev: [0, 1] },
      { text: ' e continuidade', ev: [1] },
      { text: '. ', ev: [] },
      { text: 'Derivadas', ev: [2] },
      { text: '.', ev: [] },
    ])
    expect(pieces.map((p) => p.text).join('')).toBe(text)
  })

  it('finds a span by its text when the offsets do not match, and drops one that is not there', () => {
    expect(highlightPieces('abc def', [{ inicio: 50, fim: 53, trecho: 'def', ev: 4 }, { inicio: 0, fim: 1, trecho: 'zz', ev: 5 }])).toEqual([
      { text: 'abc ', ev: [] },
      { text: 'def', ev: [4] },
    ])
  })
})

describe('working days', () => {
  it('skips weekends both ways', () => {
    // 2026-12-04 is a Friday.
    expect(workingDaysBetween(new Date('2026-12-04T10:00Z'), new Date('2026-12-07T09:00Z'))).toBe(1)
    expect(workingDaysBefore(new Date('2026-12-07T10:00Z'), 1).toISOString()).toBe('2026-12-04T10:00:00.000Z')
    expect(slaLevel(5, 5)).toBe('late')
    expect(slaLevel(4, 5)).toBe('warn')
    expect(slaLevel(0, 5)).toBe('ok')
  })
})
