import type { EvaluateRequestInput } from '../../engine'

/**
 * One pair and the answer the shipped model gives it, checked in Node, Deno and workerd: same
 * input and same versions give the same output everywhere. A new model artefact is a new version;
 * update `expected` with it. Syllabi written for the test.
 */
export const modelCase: { request: EvaluateRequestInput; expected: { decisao: string; score: number; model_version: string; fatores: string[] } } = {
  request: {
    origem: {
      nome: 'Cálculo I',
      carga_horaria: 90,
      ementa: 'Limites e continuidade de funções reais. Derivadas e regras de derivação. Aplicações da derivada. Integral definida e indefinida. Teorema fundamental do cálculo.',
    },
    destino: {
      nome: 'CÁLCULO 1',
      carga_horaria: 90,
      ementa: '1 - Limites e continuidade. 2 - Derivadas e regras de derivação. 3 - Aplicações da derivada. 4 - Integral definida e indefinida. 5 - Teorema fundamental do cálculo.',
    },
  },
  expected: {
    // gbdt-pares-3 (100 trees, the catalogue-level feature; pt: DEFERIDO ≥ 91).
    decisao: 'DEFERIDO',
    score: 98.5,
    model_version: 'lexical-1.0.0+gbdt-pares-3',
    fatores: ['mesmo_titulo', 'conteudo_reproduzido', 'identificacao'],
  },
}
