import { z } from '@hono/zod-openapi'

/**
 * OpenAPI descriptions of the `/v1` answers (what the renderers of this folder produce), with
 * examples. Loose objects: the additive fields are documented, and more may come.
 */

const int = () => z.number().int()
const Decisao = z.enum(['DEFERIDO', 'INDEFERIDO', 'ANALISE_HUMANA'])
const Timings = z
  .object({ validate_ms: int(), hard_rules: int(), map: int(), score: int(), decide: int(), justify: int(), total: int() })
  .openapi('V1TimingsMs')
const Breakdown = z
  .looseObject({ cobertura: z.number().min(0).max(1), cobertura_critica: z.number().min(0).max(1), penalidade_nivel: z.number().min(0).max(1) })
  .openapi('V1ScoreBreakdown')
const HardRule = z
  .object({ rule: z.enum(['aprovacao', 'carga_horaria', 'nivel', 'validade_temporal', 'input_minimo']), ok: z.boolean(), details: z.string().nullable() })
  .openapi('V1HardRuleResult')
const Evidence = z
  .object({
    covered_concepts: z.array(z.object({ node_id: int(), weight: z.number(), confidence: z.number(), evidence: z.array(z.string()) })),
    missing_concepts: z.array(int()),
    missing_critical_concepts: z.array(int()),
  })
  .openapi('V1EvidenceBlock')

const exampleTimings = { validate_ms: 0, hard_rules: 0, map: 1, score: 0, decide: 0, justify: 0, total: 1 }

export const V1EvaluateResponseSchema = z
  .looseObject({
    request_id: z.string(),
    decisao: Decisao,
    score: int().min(0).max(100),
    score_exato: z.number().openapi({ description: 'Additive: the exact score' }),
    breakdown: Breakdown,
    hard_rules: z.array(HardRule),
    regras: z.array(z.object({ regra: z.string(), passou: z.boolean().nullable(), detalhe: z.string() })).openapi({ description: 'Additive: every native rule' }),
    faltantes: z.array(int()),
    faltantes_nomes: z.array(z.string()),
    criticos_faltantes: z.array(int()),
    criticos_faltantes_nomes: z.array(z.string()),
    justificativa_curta: z.string(),
    justificativa_detalhada: z.string(),
    evidence: Evidence.nullable(),
    evidencias: z.array(z.record(z.string(), z.unknown())).optional().openapi({ description: 'Additive: evidence spans in both syllabi' }),
    degraded_mode: z.boolean(),
    model_version: z.string(),
    policy_version: z.string().openapi({ description: 'The label sent (else the version that decided)' }),
    taxonomy_version: z.string(),
    timings_ms: Timings,
    meta: z.record(z.string(), z.unknown()),
    cached: z.literal(true).optional().openapi({ description: 'A stored result answered again' }),
  })
  .openapi('V1EvaluateResponse', {
    example: {
      request_id: 'req-0001',
      decisao: 'DEFERIDO',
      score: 91,
      score_exato: 90.63,
      breakdown: { cobertura: 0.92, cobertura_critica: 1, penalidade_nivel: 0 },
      hard_rules: [
        { rule: 'input_minimo', ok: true, details: null },
        { rule: 'aprovacao', ok: true, details: 'Disciplina de origem cursada com aprovação.' },
        { rule: 'carga_horaria', ok: true, details: 'Carga horária suficiente.' },
        { rule: 'validade_temporal', ok: true, details: 'Não aplicável: a política não limita a idade da disciplina cursada.' },
        { rule: 'nivel', ok: true, details: 'Não aplicável: nível da disciplina não informado.' },
      ],
      regras: [{ regra: 'aprovacao', passou: true, detalhe: 'Disciplina de origem cursada com aprovação.' }],
      faltantes: [4],
      faltantes_nomes: ['Integrais'],
      criticos_faltantes: [],
      criticos_faltantes_nomes: [],
      justificativa_curta: 'DEFERIDO: conteúdo e carga horária compatíveis.',
      justificativa_detalhada: 'Decisão: DEFERIDO ...',
      evidence: { covered_concepts: [{ node_id: 1, weight: 1, confidence: 0.95, evidence: ['Limites e continuidade'] }], missing_concepts: [4], missing_critical_concepts: [] },
      degraded_mode: false,
      model_version: 'lexical-1',
      policy_version: '1.0',
      taxonomy_version: '2026.01',
      timings_ms: exampleTimings,
      meta: { request_id: 'req-0001', blocked_by_hard_rules: false, versao_politica_aplicada: 'builtin-default', versao_taxonomia_aplicada: null },
    },
  })

export const V1BatchRequestSchema = z
  .object({ items: z.array(z.unknown()).min(1).max(10_000), callback_url: z.url().optional() })
  .openapi('V1BatchRequest', {
    example: {
      items: [
        {
          request_id: 'batch-1',
          origem: { nome: 'Banco de Dados', carga_horaria: 60, ementa: 'SQL, modelagem relacional e transações.' },
          destino: { nome: 'Sistemas de Banco de Dados', carga_horaria: 60, ementa: 'SQL. Transações. Índices.' },
          taxonomy_version: '2026.01',
          policy_version: 'v3',
        },
      ],
    },
  })

export const V1BatchCreatedSchema = z
  .object({ job_id: z.string(), status: z.literal('QUEUED'), total: int() })
  .openapi('V1BatchCreated', { example: { job_id: '0b9c7c2e-8f4e-4d8e-9a55-0f0c1f3f5e11', status: 'QUEUED', total: 1 } })

const JobState = z.enum(['queued', 'running', 'done', 'failed'])

export const V1JobSchema = z
  .looseObject({
    job_id: z.string(),
    tenant_id: z.string(),
    status: JobState,
    progress: z.object({ done: int(), failed: int(), total: int() }),
    estado: z.string().openapi({ description: 'Additive: the native state' }),
  })
  .openapi('V1Job', {
    example: {
      job_id: '0b9c7c2e-8f4e-4d8e-9a55-0f0c1f3f5e11',
      tenant_id: '7d1d7a7e-2f0a-4b59-9a8c-2b1c0e7b2a10',
      status: 'done',
      progress: { done: 1, failed: 0, total: 1 },
      estado: 'completed',
    },
  })

export const V1JobItemsSchema = z
  .array(
    z.looseObject({
      item_id: z.string(),
      status: JobState,
      result_id: z.string().nullable(),
      error: z.string().nullable(),
      result: z
        .looseObject({
          id: z.string(),
          request_id: z.string(),
          decision: Decisao,
          score: int(),
          breakdown: Breakdown,
          missing: z.array(int()),
          missing_critical: z.array(int()),
          justificativa_curta: z.string(),
          justificativa_detalhada: z.string(),
          degraded_mode: z.boolean(),
          model_version: z.string(),
          policy_version: z.string(),
          taxonomy_version: z.string(),
          timings_ms: Timings,
          created_at: z.string(),
        })
        .nullable(),
    }),
  )
  .openapi('V1JobResults', {
    example: [
      {
        item_id: '5f2d1c7b-3a4e-4f6a-8b9c-0d1e2f3a4b5c',
        status: 'done',
        result_id: 'c1f0e9d8-7b6a-4c5d-9e8f-0a1b2c3d4e5f',
        error: null,
        result: {
          id: 'c1f0e9d8-7b6a-4c5d-9e8f-0a1b2c3d4e5f',
          request_id: 'batch-1',
          decision: 'DEFERIDO',
          score: 88,
          breakdown: { cobertura: 0.9, cobertura_critica: 1, penalidade_nivel: 0 },
          missing: [3],
          missing_critical: [],
          justificativa_curta: 'DEFERIDO: conteúdo e carga horária compatíveis.',
          justificativa_detalhada: 'Decisão: DEFERIDO ...',
          degraded_mode: false,
          model_version: 'lexical-1',
          policy_version: 'v3',
          taxonomy_version: '2026.01',
          timings_ms: exampleTimings,
          created_at: '2026-12-01T12:00:00.000Z',
        },
      },
    ],
  })

export const V1TaxonomyCreatedSchema = z
  .object({ taxonomy_version_id: z.string(), tenant_id: z.string(), version: z.string(), nodes: int(), index_job: z.literal('queued') })
  .openapi('V1TaxonomyVersionCreated', {
    example: { taxonomy_version_id: 'a3c1…', tenant_id: '7d1d…', version: '2026.01', nodes: 2, index_job: 'queued' },
  })
export const V1PolicyCreatedSchema = z
  .object({ policy_version_id: z.string(), tenant_id: z.string(), version: z.string() })
  .openapi('V1PolicyVersionCreated', { example: { policy_version_id: 'b4d2…', tenant_id: '7d1d…', version: 'v3' } })
export const V1BindingCreatedSchema = z
  .looseObject({ binding_id: z.string(), tenant_id: z.string(), course_id: z.string() })
  .openapi('V1BindingCreated', { example: { binding_id: 'c5e3…', tenant_id: '7d1d…', course_id: 'ADM-01', policy_version: 'v3', taxonomy_version: '2026.01' } })
export const V1RequeuedSchema = z
  .object({ ok: z.literal(true), item_id: z.string(), job_id: z.string() })
  .openapi('V1Requeued', { example: { ok: true, item_id: '5f2d…', job_id: '0b9c…' } })

export const V1RateLimitedSchema = z
  .object({ detail: z.literal('Rate limit exceeded'), retry_after_seconds: int() })
  .openapi('RateLimited', { example: { detail: 'Rate limit exceeded', retry_after_seconds: 12 } })
