import type { CourseInput } from '../schemas'

/** Syllabi written for the tests (never copied from real data sets). */

export const calculo1: CourseInput = {
  nome: 'Cálculo 1',
  carga_horaria: 90,
  ementa:
    'Números reais e funções de uma variável. Limites e continuidade. Derivadas e regras de derivação. ' +
    'Aplicações da derivada: taxas de variação, máximos e mínimos. Integral definida e indefinida. ' +
    'Teorema fundamental do cálculo. Técnicas de integração.',
}

export const calculo1Antigo: CourseInput = {
  nome: 'CALCULO I',
  carga_horaria: 90,
  ementa:
    '1 - NUMEROS REAIS E FUNCOES DE UMA VARIAVEL 2 - LIMITES E CONTINUIDADE 3 - DERIVADAS.4 - APLICACOES DA DE-RIVADA: MAXIMOS E MINIMOS 5 - INTEGRAL DEFINIDA E INDEFINIDA 6 - TECNICAS DE INTEGRACAO',
}

export const calculo2: CourseInput = {
  nome: 'Cálculo 2',
  carga_horaria: 90,
  ementa:
    'Sequências e séries numéricas. Séries de potências e de Taylor. Funções de várias variáveis. ' +
    'Derivadas parciais e gradiente. Integrais duplas e triplas. Limites e continuidade em várias variáveis.',
}

export const estruturasDeDados: CourseInput = {
  nome: 'Estruturas de Dados',
  carga_horaria: 60,
  ementa:
    'Listas encadeadas; pilhas e filas; árvores binárias de busca; árvores balanceadas; tabelas hash; ' +
    'filas de prioridade e heaps; grafos: representação e percursos; análise de complexidade de algoritmos.',
}

export const algoritmosEProgramacao: CourseInput = {
  nome: 'Algoritmos e Programação de Computadores',
  carga_horaria: 60,
  ementa:
    'Conceitos de algoritmos. Variáveis, tipos de dados e expressões. Estruturas de decisão e repetição. ' +
    'Vetores, matrizes e cadeias de caracteres. Funções e procedimentos. Depuração de programas.',
}

export const historiaDaArte: CourseInput = {
  nome: 'História da Arte Moderna',
  carga_horaria: 60,
  ementa:
    'Impressionismo e pós-impressionismo. Vanguardas europeias: cubismo, futurismo, expressionismo. ' +
    'Arte moderna no Brasil e a Semana de 1922. Crítica de arte e museus.',
}

export const probabilidadeEstatistica: CourseInput = {
  nome: 'Probabilidade e Estatística',
  carga_horaria: 60,
  ementa:
    'Estatística descritiva. Probabilidade e variáveis aleatórias. Distribuições binomial e normal. ' +
    'Intervalos de confiança. Testes de hipóteses. Regressão linear simples.',
}

export const estatisticaAplicada: CourseInput = {
  nome: 'Estatística Aplicada à Engenharia',
  carga_horaria: 60,
  ementa:
    'Estatística descritiva e gráficos. Distribuição normal. Controle estatístico de processos. ' +
    'Planejamento de experimentos industriais. Confiabilidade de sistemas.',
}

export const spanishI: CourseInput = {
  nome: 'SPAN 1 Elementary Spanish I',
  carga_horaria: null,
  ementa:
    'Beginning study of Spanish grammar, vocabulary and pronunciation. Present tense verbs, greetings, ' +
    'daily routines, family and food. Reading short dialogues and writing simple paragraphs. ' +
    'Course Justification This course meets a general education requirement. Grade Options Letter Grade.',
}

export const spanishII: CourseInput = {
  nome: 'SPAN 2 Elementary Spanish II',
  carga_horaria: null,
  ementa:
    'Continuation of Elementary Spanish I. Past tenses, commands, travel and health vocabulary. ' +
    'Reading short stories and writing narrative paragraphs about daily routines.',
}

export const spanishFirstTerm: CourseInput = {
  nome: 'SPAN 101 Spanish I',
  carga_horaria: null,
  ementa:
    'Introduction to Spanish grammar, vocabulary and pronunciation: present tense verbs, greetings, ' +
    'family, food and daily routines. Reading dialogues and writing simple paragraphs.',
}
