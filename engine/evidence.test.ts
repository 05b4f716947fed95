import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { calculo1, calculo1Antigo, estruturasDeDados } from './__fixtures__/courses'
import { evaluate } from './__fixtures__/evaluate'
import type { EvaluateResponse } from './schemas'

function expectExactSpans(r: EvaluateResponse, origens: { ementa: string }[], destino: { ementa: string }) {
  for (const e of r.evidence) {
    const origem = origens[e.origem.indice_origem]!
    expect(origem.ementa.slice(e.origem.inicio, e.origem.fim)).toBe(e.origem.trecho)
    expect(e.origem.trecho.length).toBeGreaterThan(0)
    if (e.destino) expect(destino.ementa.slice(e.destino.inicio, e.destino.fim)).toBe(e.destino.trecho)
    expect(e.confianca).toBeGreaterThan(0)
    expect(e.confianca).toBeLessThanOrEqual(1)
  }
}

describe('evidence', () => {
  it('points at exact character spans of both syllabi', async () => {
    const r = await evaluate({ origem: calculo1Antigo, destino: calculo1 })
    expect(r.evidence.length).toBeGreaterThan(3)
    expectExactSpans(r, [calculo1Antigo], calculo1)
    const limites = r.evidence.find((e) => e.conceito === 'Limites e continuidade')
    expect(limites?.origem.trecho).toBe('LIMITES E CONTINUIDADE')
  })

  it('keeps spans exact across a line-wrap hyphen', async () => {
    const r = await evaluate({ origem: calculo1Antigo, destino: calculo1 })
    const derivada = r.evidence.find((e) => e.origem.trecho.includes('DE-RIVADA'))
    expect(derivada).toBeDefined()
  })

  it('keeps spans exact for N:1 origins', async () => {
    const origens = [
      { nome: 'Parte A', carga_horaria: 30, ementa: 'Listas encadeadas; pilhas e filas; árvores binárias de busca.' },
      { nome: 'Parte B', carga_horaria: 30, ementa: 'Tabelas hash. Grafos: representação e percursos.' },
    ]
    const r = await evaluate({ origens, destino: estruturasDeDados })
    expectExactSpans(r, origens, estruturasDeDados)
    expect(r.evidence.some((e) => e.origem.indice_origem === 1)).toBe(true)
  })

  it('is exact for any syllabus text', async () => {
    const word = fc.constantFrom('Ação', 'ÇÃO', 'limites', 'DERI-VADAS', 'séries', 'e\u0301', 'grafos', 'árvores', 'x', '2.5')
    const sep = fc.constantFrom(' ', '. ', ';', '\n', ' - ', '.', ', ')
    const text = fc.array(fc.tuple(word, sep), { minLength: 3, maxLength: 25 }).map((p) => p.map(([w, s]) => w + s).join(''))
    await fc.assert(
      fc.asyncProperty(text, text, async (a, b) => {
        const origem = { nome: 'A', ementa: a }
        const destino = { nome: 'B', ementa: b }
        const r = await evaluate({ origem, destino })
        expectExactSpans(r, [origem], destino)
      }),
      { numRuns: 150 },
    )
  })

  it('only cites concepts it considers covered', async () => {
    const r = await evaluate({ origem: calculo1, destino: estruturasDeDados })
    for (const e of r.evidence) expect(r.faltantes).not.toContain(e.conceito)
  })
})
