import { describe, expect, it } from 'vitest'
import { fitBoosted, predictLogit } from './gbdt'
import { courseGroups, groupFolds, heldOutGroups } from './groups'
import type { LabelledPair } from './pairs'

const course = (nome: string) => ({ nome, carga_horaria: 60, ementa: `Ementa de ${nome}.`, aprovado: true, ano_conclusao: null })
const pair = (id: string, a: string, b: string, lang = 'pt'): LabelledPair =>
  ({ id, lang, origem: course(a), destino: course(b), label: 'equivalent' }) as unknown as LabelledPair

describe('course groups', () => {
  const pairs = [
    pair('src:A1->B1', 'Cálculo 1', 'Cálculo I'),
    pair('src:B1->C1', 'Cálculo I', 'Cálculo A'),
    pair('src:D1->E1', 'Química Geral', 'Química'),
    pair('neg:X>Y', 'História', 'CÁLCULO A'), // linked to the first group by the folded name
    pair('kind:pt-fisica-1.a>pt-fisica-1.b-old', 'Física 1', 'FISICA I'),
    pair('kind:pt-fisica-1.c>pt-optica.a', 'Física Básica', 'Óptica'), // linked by the course code pt-fisica-1
  ]

  it('joins pairs that share a course, directly or through other pairs', () => {
    const g = courseGroups(pairs)
    expect(g[0]).toBe(g[1])
    expect(g[0]).toBe(g[3])
    expect(g[2]).not.toBe(g[0])
    expect(g[4]).toBe(g[5])
    expect(new Set(g).size).toBe(3)
  })

  it('never puts one course in two folds, and holds out whole groups', () => {
    const g = courseGroups(pairs)
    const folds = groupFolds(pairs, g, 2)
    for (let i = 0; i < pairs.length; i++) for (let j = 0; j < pairs.length; j++) if (g[i] === g[j]) expect(folds[i]).toBe(folds[j])
    const held = heldOutGroups(pairs, g, 0.5)
    for (let i = 0; i < pairs.length; i++) for (let j = 0; j < pairs.length; j++) if (g[i] === g[j]) expect(held.has(g[i]!)).toBe(held.has(g[j]!))
    expect(heldOutGroups(pairs, g, 0.5)).toEqual(held)
  })
})

describe('boosted trees', () => {
  // y = 1 when x0 is high, with label noise that runs against x0 in one band: a free fit follows
  // the noise, a monotone one may not.
  const X: number[][] = []
  const y: number[] = []
  for (let i = 0; i < 400; i++) {
    const x0 = i / 400
    const x1 = (i * 7919) % 400 / 400
    X.push([x0, x1])
    const noisyBand = x0 > 0.6 && x0 < 0.7
    y.push(noisyBand ? 0 : x0 > 0.5 ? 1 : 0)
  }
  const params = { trees: 60, depth: 2, learningRate: 0.2, lambda: 1, minChildWeight: 0.1, minLeaf: 5, gamma: 0 }

  it('is deterministic', () => {
    expect(fitBoosted(X, y, params)).toEqual(fitBoosted(X, y, params))
  })

  it('keeps a monotone feature monotone, where the free fit does not', () => {
    const free = fitBoosted(X, y, params)
    const mono = fitBoosted(X, y, { ...params, monotone: [1, 0] })
    const curve = (m: typeof free) => Array.from({ length: 101 }, (_, i) => predictLogit(m, [i / 100, 0.5]))
    const rises = (c: number[]) => c.every((v, i) => i === 0 || v >= c[i - 1]! - 1e-12)
    expect(rises(curve(free))).toBe(false)
    expect(rises(curve(mono))).toBe(true)
    expect(predictLogit(mono, [0.9, 0.5])).toBeGreaterThan(predictLogit(mono, [0.1, 0.5]))
  })
})
