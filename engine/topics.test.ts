import { describe, expect, it } from 'vitest'
import { splitTopics } from './topics'

const texts = (s: string) => splitTopics(s).map((t) => t.text)

describe('splitTopics', () => {
  it.each([
    ['numbered with dashes', '1 - HISTORICO DA ENFERMAGEM 2 - DOUTRINA E ETICA 3 - LEGISLACAO', ['HISTORICO DA ENFERMAGEM', 'DOUTRINA E ETICA', 'LEGISLACAO']],
    ['numbered with periods and parentheses', '1. Conjuntos 2) Funções 3.1 - Limites laterais', ['Conjuntos', 'Funções', 'Limites laterais']],
    ['a period with no space, then a number', 'DOUTRINA E ETICA.3 - ASPECTOS LEGAIS', ['DOUTRINA E ETICA', 'ASPECTOS LEGAIS']],
    ['periods with no space after them', 'Limites.Derivadas.Integrais', ['Limites', 'Derivadas', 'Integrais']],
    ['semicolons', 'pilhas; filas; árvores', ['pilhas', 'filas', 'árvores']],
    ['dashes between topics', 'Ótica geométrica – Ondas — Acústica - Calor', ['Ótica geométrica', 'Ondas', 'Acústica', 'Calor']],
    ['line breaks and bullets', 'Redes\n• Protocolos\r\n· Roteamento', ['Redes', 'Protocolos', 'Roteamento']],
    ['lettered items', 'PROJETO: (a) LUBRIFICACAO (b) MOLAS E PARAFUSOS', ['PROJETO', 'LUBRIFICACAO', 'MOLAS E PARAFUSOS']],
  ])('%s', (_name, syllabus, expected) => {
    expect(texts(syllabus)).toEqual(expected)
  })

  it('keeps decimal numbers and hyphenated words inside a topic', () => {
    expect(texts('Resistores de 2.5 ohms; circuitos RC e RL; físico-química')).toEqual([
      'Resistores de 2.5 ohms',
      'circuitos RC e RL',
      'físico-química',
    ])
  })

  // The scanner replaced a separator regex; these pin down the regex's answers at its edges.
  it.each([
    ['a numbered item needs a marker after its number', '1.2.3 Foo; 12) Bar', ['1.2.3 Foo', 'Bar']],
    ['lettered items from a to h, with or without a parenthesis', 'a) Alfa b) Beta (c) Gama', ['Alfa', 'Beta', 'Gama']],
    ['letters past h are not items', '(h) Hotel (i) India', ['Hotel (i) India']],
    ['dashes between non-breaking spaces', 'Ondas\u00a0–\u00a0Calor — Luz', ['Ondas', 'Calor', 'Luz']],
    ['version numbers stay whole', 'Versão 2.0.1 e 3.5', ['Versão 2.0.1 e 3.5']],
    ['a number and a dash glued to the next item', 'fim.Inicio 1 -Meio', ['fim', 'Inicio', 'Meio']],
    ['sub-numbered items', '1.1. Conjuntos 1.2. Relações', ['Conjuntos', 'Relações']],
  ])('%s', (_name, syllabus, expected) => {
    expect(texts(syllabus)).toEqual(expected)
  })

  it('gives exact spans into the syllabus', () => {
    const syllabus = '  1 - Ótica.2 - Ondas;  Acústica  '
    for (const t of splitTopics(syllabus)) expect(syllabus.slice(t.inicio, t.fim)).toBe(t.text)
  })

  it('drops pieces with no words', () => {
    expect(texts('... ; 1 - ; -- ; Termodinâmica')).toEqual(['Termodinâmica'])
  })
})
