import { describe, expect, it } from 'vitest'
import { pairFeatures } from './features'
import { parseTitle } from './sequence'
import { analyse } from './text/analyse'

const features = (origem: string, destino: string, lang: 'pt' | 'en' = 'en') =>
  pairFeatures([origem], destino, analyse('Topics of the course.', lang), [analyse('Topics of the course.', lang)], lang)

describe('pair features from catalogue codes', () => {
  it('a stage named in words and one named by its code letter are different members of one sequence', () => {
    expect(features('CHEM 21 Organic Chemistry I', 'CHEM 8B Organic Chemistry').sequenceConflict).toBe(true)
    expect(features('CHEM 8B Organic Chemistry', 'CHEM 21 Organic Chemistry I').sequenceConflict).toBe(true)
    expect(features('CHEM 22 Organic Chemistry II', 'CHEM 8B Organic Chemistry').sequenceConflict).toBe(false)
    expect(features('MATH 7 Calculus 1', 'MATH 19A Calculus').sequenceConflict).toBe(false)
  })

  it('two code letters alone say nothing (catalogues also letter different courses), nor do unrelated titles', () => {
    expect(features('ART 5A 2-D Foundations', 'ART 10D 2D Foundation').sequenceConflict).toBe(false)
    expect(features('PHOTO 1 Photography I', 'FILM 20C Introduction to Digital Media').sequenceConflict).toBe(false)
  })

  it('reads the year level of a three- or four-digit target number', () => {
    expect(features('PSY 230 Developmental Psychology', 'PSYC 4234 Laboratory in Developmental Psychology').targetCatalogueLevel).toBe(4)
    expect(features('PSY 230 Developmental Psychology', 'PSYC 314 Social Psychology').targetCatalogueLevel).toBe(3)
    expect(features('SOC 1 Introduction to Sociology', 'SOCY 101 Sociology').targetCatalogueLevel).toBe(1)
    expect(features('SOC 1 Introduction to Sociology', 'SOCY 1 Introduction to Sociology').targetCatalogueLevel).toBe(0)
  })

  it('ignores codes in Portuguese titles and names without a code', () => {
    expect(features('FISICA 2 EXPERIMENTAL', 'FIS 301 FISICA 3', 'pt').targetCatalogueLevel).toBe(0)
    expect(features('Sociology', 'Sociology of Religion').targetCatalogueLevel).toBe(0)
  })
})

describe('hyphenated titles', () => {
  it('join the two halves of a hyphenated word, so level words with a hyphen are markers', () => {
    expect(parseTitle('MATH 3 Pre-Calculus', true).base).toBe('precalculus')
    expect(parseTitle('ITAL 5 Second-Year Italian', true)).toMatchObject({ base: 'italian', ordinal: 2, markerKind: 'nivel' })
    expect(features('ITAL 120 First Term Italian', 'ITAL 5 Second-Year Italian').sequenceConflict).toBe(true)
  })
})
