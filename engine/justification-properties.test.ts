import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluate } from './__fixtures__/evaluate'
import type { CourseInput, EvaluateResponse } from './schemas'
import { TaxonomyNodeSchema } from './taxonomy'

// Random requests whose rules fail and whose syllabi may be too short to judge, to check that
// the answer never contradicts itself: verdict vs justification, missing topics vs the origin.

const WORDS = [
  'álgebra', 'matrizes', 'vetores', 'derivadas', 'integrais', 'probabilidade', 'regressão', 'grafos', 'compiladores',
  'termodinâmica', 'entropia', 'circuitos', 'anatomia', 'fisiologia', 'genética', 'ecologia', 'sociologia',
  'contabilidade', 'auditoria', 'fonologia', 'sintaxe', 'cartografia', 'calculus', 'genetics', 'accounting',
]
const SEPARATORS = ['. ', '; ', ', ', '\n']

/** Short syllabi (one or two words) included on purpose: the engine then asks for a person. */
const syllabus = fc
  .array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...SEPARATORS)), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.map(([w, s]) => w + s).join('').trim())

const course = fc.record({
  nome: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }).map((w) => w.join(' ')),
  carga_horaria: fc.option(fc.integer({ min: 0, max: 120 }), { nil: null }),
  ementa: syllabus,
  aprovado: fc.boolean(),
  nivel: fc.option(fc.constantFrom('graduacao', 'pos_graduacao', 'tecnico', 1, 3), { nil: undefined }),
  ano_conclusao: fc.option(fc.integer({ min: 1990, max: 2026 }), { nil: undefined }),
}) satisfies fc.Arbitrary<CourseInput>

const VERDICT = { DEFERIDO: 'Deferido', INDEFERIDO: 'Indeferido', ANALISE_HUMANA: 'Análise humana necessária' } as const
const norm = (s: string) => s.normalize('NFC').toLowerCase()

function check(r: EvaluateResponse, origens: readonly CourseInput[]) {
  // The short justification opens with the decision it justifies.
  expect(r.justificativa_curta.startsWith(VERDICT[r.decisao])).toBe(true)
  // Every failed rule is named in the detailed one; a refusal that is not about coverage names its rule.
  const failed = r.hard_rules.filter((h) => h.passou === false)
  for (const h of failed) expect(r.justificativa_detalhada).toContain(`Regra "${h.regra}" não atendida: ${h.detalhe}`)
  if (r.decisao === 'INDEFERIDO' && !r.justificativa_curta.startsWith('Indeferido: a origem cobre apenas')) {
    expect(failed.some((h) => r.justificativa_curta.includes(h.detalhe))).toBe(true)
  }
  // Nothing listed as missing is evidenced in, or written verbatim in, the origin.
  const evidenced = new Set(r.evidence.map((e) => e.conceito))
  const origin = norm(origens.map((o) => o.ementa).join('\n'))
  for (const f of [...r.faltantes, ...r.criticos_faltantes]) {
    expect(evidenced.has(f)).toBe(false)
    expect(origin.includes(norm(f))).toBe(false)
  }
}

describe('the answer agrees with itself', () => {
  it('for random pairs (rules failing, syllabi short or long)', async () => {
    await fc.assert(
      fc.asyncProperty(course, course, async (origem, destino) => {
        check(await evaluate({ origem, destino }), [origem])
      }),
      { numRuns: 300 },
    )
  })

  it('for a target whose text is inside the origin', async () => {
    await fc.assert(
      fc.asyncProperty(course, course, async (origem, destino) => {
        const o = { ...origem, ementa: `${origem.ementa}\n${destino.ementa}` }
        check(await evaluate({ origem: o, destino }), [o])
      }),
      { numRuns: 200 },
    )
  })

  it('a short target syllabus with a failed blocking rule: refused, and the refusal names the rule', async () => {
    const r = await evaluate({
      origem: { nome: 'Cálculo I', ementa: 'Limites. Derivadas. Integrais. Séries.', aprovado: false },
      destino: { nome: 'Cálculo', ementa: 'Derivadas.' },
    })
    expect(r.decisao).toBe('INDEFERIDO')
    expect(r.justificativa_curta).toMatch(/^Indeferido: /)
    expect(r.justificativa_curta).toContain(r.hard_rules.find((h) => h.regra === 'aprovacao')!.detalhe)
    expect(r.faltantes).not.toContain('Derivadas')
  })

  it('a critical concept is not called missing (nor refused for) when the origin was too short to look in', async () => {
    const nodes = [
      { id: 'calc.derivadas', conceito: 'Derivadas', critico: true },
      { id: 'calc.integrais', conceito: 'Integrais', critico: true },
    ].map((n) => TaxonomyNodeSchema.parse(n))
    const r = await evaluate(
      {
        origem: { nome: 'Cálculo', ementa: 'Derivadas.' },
        destino: { nome: 'Cálculo', ementa: 'Limites. Derivadas. Integrais. Séries numéricas.' },
      },
      { taxonomy: { version: 'v1', nodes } },
    )
    expect(r.degraded_mode).toBe(true)
    expect(r.decisao).toBe('ANALISE_HUMANA')
    expect(r.criticos_faltantes).toEqual([])
    expect(r.faltantes).toEqual([])
    expect(r.hard_rules.find((h) => h.regra === 'conceitos_criticos')!.passou).toBeNull()
  })
})
