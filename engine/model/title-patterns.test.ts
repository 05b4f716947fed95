import { describe, expect, it } from 'vitest'
import { evaluate } from '../__fixtures__/evaluate'
import type { CourseInput } from '../schemas'

/*
 * Different courses that title clean-up makes "the same title": `Introdução a X` vs `X` (a level
 * word stripped), `X` vs `X 2` (a sequence marker on one side only), and a broader vs a narrower
 * version of one subject. Syllabi written for these tests. The hand-set score credited the first
 * two on the title alone; the default (model) policy must not credit any of them.
 */
const course = (nome: string, ementa: string, carga_horaria = 60): CourseInput => ({ nome, carga_horaria, ementa })

const introEconomia = course(
  'Introdução à Economia',
  'Noções gerais de economia. O problema econômico e a escassez. Oferta e demanda. Noções de inflação e desemprego. História do pensamento econômico.',
)
const economia = course(
  'Economia',
  'Teoria do consumidor e da firma. Estruturas de mercado: concorrência perfeita, monopólio e oligopólio. Contas nacionais. Oferta e demanda agregadas. Política monetária e fiscal.',
)
const fisica = course(
  'Física',
  'Cinemática e dinâmica da partícula. Leis de Newton. Trabalho e energia. Conservação do momento linear. Rotação de corpos rígidos. Gravitação.',
)
const fisica2 = course(
  'Física 2',
  'Oscilações e ondas mecânicas. Mecânica dos fluidos. Temperatura e calor. Leis da termodinâmica. Teoria cinética dos gases. Rotação e energia.',
)
const fisica2Experimental = course(
  'Física 2 Experimental',
  'Experimentos de oscilações, ondas e fluidos. Medidas de temperatura e calor. Tratamento de dados experimentais e propagação de incertezas. Leis de Newton em laboratório.',
  30,
)
const estatistica = course(
  'Estatística',
  'Estatística descritiva. Probabilidade e variáveis aleatórias. Distribuições discretas e contínuas. Estimação e intervalos de confiança. Testes de hipóteses. Correlação e regressão.',
)
const estatisticaBiologia = course(
  'Estatística Aplicada à Biologia',
  'Delineamento de experimentos biológicos. Estatística descritiva de dados biológicos. Testes de hipóteses em ecologia e genética. Análise de variância. Regressão aplicada a populações.',
)
const introductionPsychology = course(
  'PSY 101 Introduction to Psychology',
  'Survey of the field of psychology: research methods, the brain and behavior, sensation and perception, learning, memory, motivation, development and social behavior.',
)
const psychology = course(
  'PSYC 300 Psychology',
  'Advanced study of cognitive processes: attention, memory systems, language and reasoning. Experimental design and analysis of cognitive research; reading of primary literature.',
)

const cases: [string, CourseInput, CourseInput][] = [
  ['Introdução à Economia → Economia', introEconomia, economia],
  ['Economia → Introdução à Economia', economia, introEconomia],
  ['Física → Física 2', fisica, fisica2],
  ['Física 2 → Física', fisica2, fisica],
  ['Física → Física 2 Experimental', fisica, fisica2Experimental],
  ['Estatística → Estatística Aplicada à Biologia', estatistica, estatisticaBiologia],
  ['Estatística Aplicada à Biologia → Estatística', estatisticaBiologia, estatistica],
  ['Introduction to Psychology → Psychology', introductionPsychology, psychology],
]

describe('titles made "identical" by clean-up are not credited', () => {
  it.each(cases)('%s', async (_name, origem, destino) => {
    const r = await evaluate({ origem, destino })
    expect(r.decisao).not.toBe('DEFERIDO')
  })

  it('the hand-set score credited the stripped-title pairs (what the model fixes)', async () => {
    for (const [origem, destino] of [
      [introEconomia, economia],
      [fisica, fisica2],
    ] as const) {
      const r = await evaluate({ origem, destino }, { policy: { pontuacao: 'manual' } })
      expect(r.decisao).toBe('DEFERIDO')
      expect(r.breakdown.similaridade_titulo).toBe(1)
    }
  })

})
