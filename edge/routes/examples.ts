/**
 * Examples for the native (`/v2`) routes' OpenAPI description: one request and one answer each,
 * shaped as the routes produce them (the `/v1` ones sit with their schemas in edge/wire/v1/).
 */

const origem = {
  nome: 'Cálculo Diferencial e Integral I',
  carga_horaria: 90,
  aprovado: true,
  ano_conclusao: 2022,
  ementa: 'Limites e continuidade. Derivadas e aplicações. Integral definida e indefinida.',
}
const destino = { nome: 'Cálculo I', carga_horaria: 80, ementa: '1 - Limites. 2 - Derivadas. 3 - Aplicações da derivada. 4 - Integrais.' }

export const evaluateRequestExample = { request_id: 'sec-2026-0001', origem, destino, course_id: 'MAT101', data_referencia: '2026-02-01' }

export const evaluateResponseExample = {
  decisao: 'DEFERIDO',
  score: 90.63,
  breakdown: { cobertura: 0.9, cobertura_critica: 1, penalidade_nivel: 0, similaridade_titulo: 0.5 },
  hard_rules: [
    { regra: 'aprovacao', passou: true, detalhe: 'Disciplina de origem cursada com aprovação.' },
    { regra: 'carga_horaria', passou: true, detalhe: 'Carga horária suficiente: 90 h cursadas para 80 h do destino (mínimo 75% = 60 h).' },
    { regra: 'idade', passou: null, detalhe: 'A política não limita a idade da disciplina cursada.' },
  ],
  faltantes: [],
  criticos_faltantes: [],
  justificativa_curta: 'Deferido: a origem cobre o conteúdo do destino.',
  justificativa_detalhada: 'Deferido com score 90.63 ...',
  evidence: [
    {
      conceito: 'Limites',
      conceito_id: 'topico-1',
      origem: { trecho: 'Limites e continuidade', inicio: 0, fim: 22, indice_origem: 0 },
      destino: { trecho: 'Limites', inicio: 4, fim: 11 },
      confianca: 1,
    },
  ],
  degraded_mode: false,
  model_version: 'lexical-1',
  policy_version: 'builtin-default',
  taxonomy_version: null,
  timings_ms: { total: 0.41, analise: 0.12, regras: 0.01, mapeamento: 0.2, decisao: 0.08 },
  meta: { request_id: 'sec-2026-0001', fonte_conceitos: 'ementa', total_conceitos: 4 },
}

export const batchRequestExample = {
  items: [evaluateRequestExample, { ...evaluateRequestExample, request_id: 'sec-2026-0002', course_id: undefined }],
  callback_url: 'https://sga.example.edu.br/hooks/equivalencias',
}

export const batchAcceptedExample = { job_id: '0b9c7c2e-8f4e-4d8e-9a55-0f0c1f3f5e11', status: 'QUEUED', total: 2 }

export const jobExample = {
  job_id: '0b9c7c2e-8f4e-4d8e-9a55-0f0c1f3f5e11',
  status: 'COMPLETED',
  progress: { done: 2, failed: 0, total: 2 },
  created_at: '2026-12-01T12:00:00.000Z',
  updated_at: '2026-12-01T12:00:01.000Z',
  completed_at: '2026-12-01T12:00:01.000Z',
  callback_url: 'https://sga.example.edu.br/hooks/equivalencias',
  errors: [],
}

export const jobItemsExample = [
  { index: 0, item_id: '5f2d1c7b-3a4e-4f6a-8b9c-0d1e2f3a4b5c', status: 'DONE', attempts: 1, result: evaluateResponseExample, error: null },
]
