import { describe, expect, it } from 'vitest'
import { analyse, contentEndOf, detectLanguage } from './text/analyse'
import { fold, isLatin } from './text/fold'
import { stem } from './text/stem'
import { findStem } from './mapper'

const stems = (text: string, lang: 'pt' | 'en' = 'pt') => analyse(text, lang).tokens.map((t) => t.stem)

describe('text analysis', () => {
  it('folds case and accents', () => {
    expect(fold('INTRODUÇÃO à Programação')).toBe('introducao a programacao')
  })

  it('folds Latin text by table exactly as Unicode decomposition does', () => {
    for (let c = 0; c < 0x250; c++) {
      const ch = String.fromCharCode(c)
      expect(fold(`${ch}a`)).toBe(`${ch}a`.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase())
    }
  })

  it('tells Latin text (folded while scanning) from text with any code unit past Latin Extended-B', () => {
    expect(isLatin('Programação, Ǆ ɏ\n')).toBe(true)
    expect(isLatin('ɐ')).toBe(false)
    expect(isLatin('análise 😀')).toBe(false)
    expect(isLatin('Введение')).toBe(false)
  })

  it('gives accented and old unaccented upper-case spellings the same stems', () => {
    expect(stems('PROGRAMACAO DE COMPUTADORES; EQUACOES DIFERENCIAIS')).toEqual(stems('programação de computadores; equações diferenciais'))
    expect(stem('aplicacoes', 'pt')).toBe(stem('aplicado', 'pt'))
  })

  it('drops stop words and catalogue filler', () => {
    expect(stems('Introdução aos conceitos básicos de termodinâmica')).toEqual([stem('termodinamica', 'pt')])
    expect(stems('An introduction to the principles of thermodynamics', 'en')).toEqual([stem('thermodynamics', 'en')])
  })

  it('rejoins words broken by a line-wrap hyphen', () => {
    expect(stems('AS-PECTOS LEGAIS')).toEqual(stems('ASPECTOS LEGAIS'))
    expect(stems('ESTRUTURAS A- VANCADAS')).toEqual(stems('ESTRUTURAS AVANCADAS'))
    expect(stems('CONTEXTUALI-ZACAO')).toEqual(stems('CONTEXTUALIZACAO'))
  })

  it('keeps real compounds apart', () => {
    expect(stems('físico-química')).toEqual([stem('fisico', 'pt'), stem('quimica', 'pt')])
  })

  it('tolerates words glued together by partial matching', () => {
    const glued = analyse('GESTAO DOSHOSPITAIS PUBLICOS', 'pt')
    const hit = findStem(glued, stem('hospitais', 'pt'))
    expect(hit?.score).toBeGreaterThan(0)
    expect(hit?.score).toBeLessThan(1)
  })

  it('token spans point at the original text, accents and all', () => {
    const source = 'Equações  diferenciais ordinárias; SÉRIES de Fourier'
    const text = analyse(source, 'pt')
    expect(text.tokens.map((t) => source.slice(t.start, t.end))).toEqual(['Equações', 'diferenciais', 'ordinárias', 'SÉRIES', 'Fourier'])
  })

  it('keeps spans exact for decomposed (NFD) input', () => {
    const source = 'Equac\u0327o\u0303es e se\u0301ries'
    const text = analyse(source, 'pt')
    expect(text.tokens.map((t) => source.slice(t.start, t.end))).toEqual(['Equac\u0327o\u0303es', 'se\u0301ries'])
  })

  it('ignores English catalogue boilerplate', () => {
    const ementa = 'Cell structure and metabolism. Course Justification This course is transferable. Grade Options Letter Grade'
    const end = contentEndOf(ementa)
    expect(ementa.slice(0, end).trim()).toBe('Cell structure and metabolism.')
    expect(analyse(ementa, 'en', end).stems.has(stem('transferable', 'en'))).toBe(false)
  })

  it('detects the language of the target', () => {
    expect(detectLanguage('Estudo das funções e dos limites', 'Cálculo')).toBe('pt')
    expect(detectLanguage('The study of functions and limits', 'Calculus')).toBe('en')
  })
})
