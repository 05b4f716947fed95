/**
 * Requests shaped like the ones the replaced service's clients send: the examples of its test
 * page (`app/templates/test_ui.html`: extra fields such as `instituicao`, `codigo`, `credito`,
 * `objetivos` as a list, `context`, `expected`, `note`, and an inline `policy` of one key) and
 * `tests/request_example.json` (a full `PolicyInput`, `options`). Written by us with the same
 * fields; the course texts are our own.
 */

export const fullExample = {
  request_id: 'req-ex-0001',
  origem: {
    nome: 'Fundamentos de Administração',
    carga_horaria: 60,
    ementa: 'Teorias administrativas, planejamento, organização, direção e controle; missão e visão.',
    aprovado: true,
    nivel: 'basico',
    ano_conclusao: 2021,
  },
  destino: {
    nome: 'Teoria Geral da Administração',
    carga_horaria: 60,
    ementa: 'Teorias administrativas. Planejamento e organização. Direção e controle.',
    nivel: 'intermediario',
  },
  policy: {
    min_score_deferir: 85,
    min_score_complemento: 70,
    tolerancia_carga: 1.0,
    exigir_criticos: true,
    weights: { cobertura: 0.6, critica: 0.4, nivel: 0.1 },
    confidence_cutoff: 0.5,
  },
  taxonomy_version: '2026.01',
  policy_version: '1.0',
  options: { return_evidence: true, allow_degraded_fallback: true },
}

export const testPageDeferido = {
  request_id: 'ex-deferido-101',
  origem: {
    instituicao: 'Universidade A',
    codigo: 'INF210',
    nome: 'Banco de Dados',
    carga_horaria: 60,
    credito: 4,
    nivel: 'intermediario',
    ementa: 'Modelo relacional, álgebra relacional, SQL, normalização, transações e controle de concorrência.',
    objetivos: ['Projetar esquemas relacionais', 'Escrever consultas SQL'],
  },
  destino: {
    instituicao: 'Universidade B',
    codigo: 'BD100',
    nome: 'Sistemas de Banco de Dados',
    carga_horaria: 60,
    credito: 4,
    nivel: 'intermediario',
    ementa: 'Modelo relacional, SQL, normalização, transações e índices.',
    objetivos: ['Modelar dados', 'Otimizar consultas'],
  },
  context: { aluno: 'Aluna Exemplo', matricula: '202000001' },
  taxonomy_version: '2026.01',
  policy_version: 'v3',
  expected: 'deferido',
}

export const testPageIndeferido = {
  request_id: 'ex-indeferido-102',
  origem: {
    instituicao: 'Universidade C',
    codigo: 'MAT101',
    nome: 'Cálculo I',
    carga_horaria: 20,
    credito: 6,
    nivel: 'intermediario',
    ementa: 'Limites, derivadas e suas aplicações, integrais e técnicas de integração.',
    objetivos: ['Calcular derivadas', 'Calcular integrais'],
  },
  destino: {
    instituicao: 'Instituto D',
    codigo: 'MAT001',
    nome: 'Matemática Elementar',
    carga_horaria: 30,
    credito: 2,
    nivel: 'basico',
    ementa: 'Álgebra elementar, funções e trigonometria.',
    objetivos: ['Resolver equações'],
  },
  context: { aluno: 'Aluno Exemplo', matricula: '202000002' },
  taxonomy_version: '2026.01',
  policy_version: 'v3',
  expected: 'indeferido',
}

export const testPageHumano = {
  request_id: 'ex-humano-103',
  origem: {
    instituicao: 'Universidade E',
    codigo: 'FIS200',
    nome: 'Física III',
    carga_horaria: 60,
    credito: 4,
    nivel: 'intermediario',
    ementa: 'Campos elétricos e magnéticos, lei de Gauss, lei de Ampère e equações de Maxwell.',
    objetivos: ['Compreender o eletromagnetismo'],
  },
  destino: {
    instituicao: 'Universidade F',
    codigo: 'FIS300',
    nome: 'Eletromagnetismo',
    carga_horaria: 75,
    credito: 5,
    nivel: 'avancado',
    ementa: 'Campos eletromagnéticos, equações de Maxwell, ondas eletromagnéticas e circuitos.',
    objetivos: ['Aplicar a teoria em projetos'],
  },
  context: { aluno: 'Aluna Dois', matricula: '202000003' },
  taxonomy_version: '2026.01',
  policy_version: 'v3',
  policy: { tolerancia_carga: 0.8 },
  note: 'tópicos parecidos, carga e ênfase diferentes',
}

export const testPageMinimal = {
  request_id: 'min-exemplo-01',
  origem: { nome: 'Banco de Dados', carga_horaria: 60, ementa: 'SQL e modelagem relacional.', nivel: 'intermediario' },
  destino: { nome: 'Sistemas de Banco de Dados', carga_horaria: 60, ementa: 'SQL e índices.', nivel: 'intermediario' },
  taxonomy_version: '2026.01',
  policy_version: 'v3',
}

/** The test page's default textarea. */
export const testPageManual = {
  request_id: 'manual-1',
  origem: { nome: 'Curso A', carga_horaria: 60, ementa: 'Exemplo' },
  destino: { nome: 'Curso B', carga_horaria: 60, ementa: 'Exemplo' },
  taxonomy_version: '2026.01',
  policy_version: 'v3',
}

/** Numbers and booleans as strings, which pydantic's lax mode accepted. */
export const stringlyTyped = {
  request_id: 'lax-0001',
  origem: { nome: 'Cálculo I', carga_horaria: '90', aprovado: 'true', ano_conclusao: '2022', ementa: 'Limites. Derivadas. Integrais definidas e indefinidas.' },
  destino: { nome: 'Cálculo Diferencial', carga_horaria: '90', ementa: 'Limites. Derivadas. Integrais.' },
  taxonomy_version: '2026.01',
  policy_version: '1.0',
  options: { return_evidence: 'false' },
}

export const allExamples = {
  fullExample,
  testPageDeferido,
  testPageIndeferido,
  testPageHumano,
  testPageMinimal,
  testPageManual,
  stringlyTyped,
}
