import { describe, expect, it } from 'vitest'
import { calculo1 } from './__fixtures__/courses'
import { evaluate, rule } from './__fixtures__/evaluate'
import { isDifferentSequenceMember, parseTitle } from './sequence'

const conflict = (a: string, b: string, en = false) =>
  isDifferentSequenceMember(parseTitle(a, en), parseTitle(b, en), 1)

describe('sequence markers in titles', () => {
  it.each([
    ['Cálculo 1', 10],
    ['CALCULO I', 10],
    ['Cálculo II', 20],
    ['Física 1B', 12],
    ['Inglês Instrumental 2 (noturno)', 20],
  ])('%s → ordinal %i', (title, ordinal) => {
    expect(parseTitle(title, false)).toMatchObject({ ordinal, markerKind: 'numero' })
  })

  it('reads level words and strips catalogue codes', () => {
    expect(parseTitle('SPAN 1 Elementary Spanish', true)).toMatchObject({ base: 'spanish', ordinal: 1, markerKind: 'nivel' })
    expect(parseTitle('Introdução à Economia', false)).toMatchObject({ base: 'economia', ordinal: 1 })
    expect(parseTitle('Economia Avançada', false)).toMatchObject({ base: 'economia', ordinal: 3 })
    expect(parseTitle('MATH 31 Precalculus I', true)).toMatchObject({ base: 'precalculus', ordinal: 10 })
  })

  it.each([
    ['Cálculo 1', 'Cálculo 2', true],
    ['Calculus I', 'Calculus II', true],
    ['Physics 1A', 'Physics 1B', true],
    ['Elementary French', 'Intermediate French', true],
    ['Introdução à Economia', 'Economia Avançada', true],
    ['Cálculo 1', 'CALCULO I', false],
    ['Physics 1A', 'Physics 1', false],
    ['Cálculo 1', 'Cálculo', false],
    ['Elementary French', 'French I', false],
  ])('%s vs %s → different member: %s', (a, b, expected) => {
    expect(conflict(a, b)).toBe(expected)
  })

  it('needs the same course family', () => {
    const a = parseTitle('Física 1', false)
    const b = parseTitle('Química 2', false)
    expect(isDifferentSequenceMember(a, b, 0)).toBe(false)
  })

  it('refuses Cálculo 1 for Cálculo 2 even with the same syllabus', async () => {
    const r = await evaluate({ origem: calculo1, destino: { ...calculo1, nome: 'Cálculo 2' } })
    expect(r.decisao).toBe('INDEFERIDO')
    expect(rule(r, 'sequencia').detalhe).toContain('mesma sequência')
  })
})
