import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluate } from './__fixtures__/evaluate'
import type { CourseInput, EvaluateResponse } from './schemas'

/** Content words of several areas, in both languages, with and without accents. */
const WORDS = [
  'álgebra', 'matrizes', 'vetores', 'derivadas', 'integrais', 'probabilidade', 'regressão', 'grafos', 'compiladores',
  'termodinâmica', 'entropia', 'circuitos', 'transistores', 'anatomia', 'fisiologia', 'genética', 'ecologia',
  'sociologia', 'contabilidade', 'auditoria', 'tributação', 'fonologia', 'sintaxe', 'semântica', 'cartografia',
  'geomorfologia', 'hidrologia', 'enzimas', 'proteínas', 'calculus', 'thermodynamics', 'genetics', 'accounting',
  'syntax', 'photosynthesis', 'ecosystems', 'polynomials', 'microeconomics', 'sculpture', 'ballet',
]
const SEPARATORS = ['. ', '; ', ', ', ' - ', '\n', '.', ' e ', ' and ']

const syllabus = fc
  .array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...SEPARATORS)), { minLength: 4, maxLength: 30 })
  .map((parts) => parts.map(([w, s]) => w + s).join('') + 'fim.')

const course = fc.record({
  nome: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 4 }).map((w) => w.join(' ')),
  carga_horaria: fc.option(fc.integer({ min: 0, max: 200 }), { nil: null }),
  ementa: syllabus,
}) satisfies fc.Arbitrary<CourseInput>

/** Any text at all, including odd Unicode, decomposed accents and punctuation runs. */
const anyText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 400 }).filter((s) => s.trim().length > 0)

const withoutTimings = ({ timings_ms: _t, ...rest }: EvaluateResponse) => rest

describe('invariants', () => {
  it('score is always within 0–100 and the engine never throws, whatever the text', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, anyText, anyText, async (a, b, title) => {
        const r = await evaluate({ origem: { nome: title, ementa: a }, destino: { nome: 'Destino', ementa: b } })
        expect(r.score).toBeGreaterThanOrEqual(0)
        expect(r.score).toBeLessThanOrEqual(100)
        expect(['DEFERIDO', 'INDEFERIDO', 'ANALISE_HUMANA']).toContain(r.decisao)
      }),
      { numRuns: 150 },
    )
  })

  it('adding content to the origin never lowers coverage', async () => {
    await fc.assert(
      fc.asyncProperty(course, course, syllabus, async (origem, destino, extra) => {
        const before = await evaluate({ origem, destino })
        const after = await evaluate({ origem: { ...origem, ementa: `${origem.ementa} ${extra}` }, destino })
        expect(after.breakdown.cobertura).toBeGreaterThanOrEqual(before.breakdown.cobertura)
        expect(after.breakdown.cobertura_termos as number).toBeGreaterThanOrEqual(before.breakdown.cobertura_termos as number)
      }),
      { numRuns: 100 },
    )
  })

  it('adding the target\'s own text to the origin never lowers coverage', async () => {
    await fc.assert(
      fc.asyncProperty(course, course, async (origem, destino) => {
        const before = await evaluate({ origem, destino })
        const after = await evaluate({ origem: { ...origem, ementa: `${origem.ementa}\n${destino.ementa}` }, destino })
        expect(after.breakdown.cobertura).toBeGreaterThanOrEqual(before.breakdown.cobertura)
        expect(after.breakdown.cobertura).toBe(1)
      }),
      { numRuns: 100 },
    )
  })

  it('identical courses are credited', async () => {
    await fc.assert(
      fc.asyncProperty(course, async (c) => {
        const r = await evaluate({ origem: c, destino: c })
        expect(r.decisao).toBe('DEFERIDO')
        expect(r.breakdown.cobertura).toBe(1)
      }),
      { numRuns: 100 },
    )
  })

  it('the same input gives the same output (timings aside)', async () => {
    await fc.assert(
      fc.asyncProperty(course, course, async (origem, destino) => {
        const a = await evaluate({ origem, destino })
        const b = await evaluate({ origem, destino })
        expect(withoutTimings(b)).toEqual(withoutTimings(a))
      }),
      { numRuns: 50 },
    )
  })
})
