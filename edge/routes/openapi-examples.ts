import { DEFAULT_POLICY } from '../../engine/index'
import { evaluateRequestExample, evaluateResponseExample } from './examples'

/**
 * Examples for the routes whose schemas carry none (admin, results, reviews, precedents,
 * calibrations, readiness): added to `/openapi.json` as it is built, so every route of the document
 * shows a request (when it takes a body) and an answer without each route file repeating them.
 * Component schemas get theirs (every route answering one shows it); a list answer
 * `{items: [Component], next_cursor?}` is built from its component's example; the rest by route.
 * test/contract/v1.contract.test.ts checks every route has them and that they match their schemas.
 */

const at = '2026-12-01T12:00:00.000Z'
const tenantId = '7d0f3c1e-2b6a-4f7e-9d0c-5a1b2c3d4e5f'
const resultId = '3f6d1a2b-9c4e-4b7a-8e1f-2a3b4c5d6e7f'
const keyId = 'c1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8'
const jobId = '0b9c7c2e-8f4e-4d8e-9a55-0f0c1f3f5e11'
const itemId = '5e4d3c2b-1a09-4f8e-b7d6-c5b4a3928170'
const reviewId = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d'
const precedentId = '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f'
const calibrationId = '6f5e4d3c-2b1a-4098-8f7e-6d5c4b3a2910'

const apiKey = {
  id: keyId,
  prefix: 'ee_Zx8pQm2',
  name: 'SGA secretaria',
  role: 'api-client',
  status: 'active',
  expires_at: null,
  last_used_at: '2026-12-01T11:58:02.000Z',
  created_at: at,
}
const taxonomyVersion = { id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', version: '2026.01', status: 'active', node_count: 2, created_at: at }
const taxonomyNodes = [
  { id: '1001', area: 'Matemática', subarea: 'Cálculo', conceito: 'Limites', descricao: 'Limites e continuidade de funções reais.', palavras_chave: ['limite', 'continuidade'], nivel: 1, critico: true },
  { id: '1002', area: 'Matemática', subarea: 'Cálculo', conceito: 'Derivadas', descricao: '', palavras_chave: ['derivada'], nivel: 1, critico: false },
]
const binding = { id: 'b7c6d5e4-f3a2-4b1c-9d8e-7f6a5b4c3d2e', course_id: 'MAT101', policy_version: '2026.1', taxonomy_version: '2026.01', active_from: '2026-02-01', created_at: at }
const resultSummary = {
  id: resultId,
  request_id: 'sec-2026-0001',
  course_id: 'MAT101',
  decisao: 'DEFERIDO',
  score: 90.63,
  degraded_mode: false,
  simulation: false,
  created_at: at,
}
const review = { id: reviewId, result_id: resultId, label: 'DEFERIDO', notes: 'Conferido com o plano de ensino.', created_at: at }
const reviewV2 = { ...review, motivo: 'Conteúdo equivalente conferido com o plano de ensino.', reviewer_key_id: keyId }
const { request_id: _id, ...inputs } = evaluateRequestExample
const precedent = {
  id: precedentId,
  origem: 'Cálculo Diferencial e Integral I',
  destino: 'Cálculo I',
  origin_key: '||calculo diferencial e integral i',
  target_key: '||calculo i',
  decisao: 'DEFERIDO',
  motivo: 'Conteúdo equivalente conferido com o plano de ensino.',
  status: 'active',
  valid_from: '2026-12-01',
  valid_until: null,
  result_id: resultId,
  review_id: reviewId,
  reviewer_key_id: keyId,
  policy_version: '2026.1',
  taxonomy_version: '2026.01',
  model_version: 'lexical-1',
  created_at: at,
  revoked_at: null,
}
const calibrationParams = { precisao_minima_deferido: 0.95, precisao_minima_indeferido: 0.9, min_revisoes: 30, min_revisoes_por_idioma: 30 }
const calibration = {
  id: calibrationId,
  status: 'proposta',
  job_status: 'done',
  status_url: `/v2/admin/calibrations/${calibrationId}`,
  attempts: 1,
  error: null,
  course_id: null,
  base_policy_version: '2026.1',
  params: calibrationParams,
  limiares_propostos: { score_deferido: 82, score_revisao: 40 },
  limiares_propostos_por_idioma: { en: { score_deferido: 90, score_revisao: 30 }, pt: { score_deferido: 82, score_revisao: 40 } },
  activated_policy_version: null,
  activated_at: null,
  created_at: at,
  started_at: at,
  finished_at: at,
  report: {
    revisoes: 120,
    descartadas: 0,
    modo_limiares: 'por_idioma',
    limiares_atuais: { score_deferido: 75, score_revisao: 15 },
    limiares_propostos: { score_deferido: 82, score_revisao: 40 },
    concordancia: { atual: 0.41, proposto: 0.63 },
    concordancia_mensal: [{ mes: '2026-11', revisoes: 120, automaticas: 48, concordantes: 45, concordancia: 0.375, concordancia_automaticas: 0.9375 }],
  },
}
const queuedCalibration = {
  ...calibration,
  job_status: 'queued',
  attempts: 0,
  limiares_propostos: null,
  limiares_propostos_por_idioma: null,
  started_at: null,
  finished_at: null,
  report: null,
}

/** By component schema name. */
export const componentExamples: Record<string, unknown> = {
  ApiKey: apiKey,
  CreateApiKey: { role: 'api-client', name: 'SGA secretaria', expires_at: '2027-12-31T23:59:59.000Z' },
  CreatedApiKey: { ...apiKey, last_used_at: null, key: 'ee_Zx8pQm2vT7rLw4nB6yHcK1dF9sA3jE5uW0oN2iM8gT4' },
  PolicyVersion: { id: 'e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b', version: '2026.1', config: DEFAULT_POLICY, is_default: true, created_at: at },
  CreatePolicy: { version: '2026.1', config: { score_deferido: 80, score_revisao: 40, carga_horaria: { modo: 'fracao', fracao_minima: 0.75 } } },
  TaxonomyVersion: taxonomyVersion,
  TaxonomyWithNodes: { ...taxonomyVersion, nodes: taxonomyNodes },
  CreateTaxonomy: { version: '2026.01', nodes: taxonomyNodes },
  CourseBinding: binding,
  CreateBinding: { course_id: 'MAT101', policy_version: '2026.1', taxonomy_version: '2026.01', active_from: '2026-02-01' },
  AuditHead: { seq: 1842, hash: 'b1946ac92492d2347c6235b4d2611184b1946ac92492d2347c6235b4d2611184', created_at: at },
  AuditVerification: {
    ok: true,
    checked: 1842,
    results: 1790,
    broken_at: null,
    reason: null,
    result_id: null,
    head: { seq: 1842, hash: 'b1946ac92492d2347c6235b4d2611184b1946ac92492d2347c6235b4d2611184' },
  },
  DeadJobItem: { item_id: itemId, job_id: jobId, index: 7, attempts: 5, error: 'provider timed out', died_at: at },
  ResultSummary: resultSummary,
  Result: { ...resultSummary, response: evaluateResponseExample },
  ResultSummaryV2: {
    ...(({ simulation: _s, ...rest }) => rest)(resultSummary),
    origem_nome: 'Cálculo Diferencial e Integral I',
    origem_instituicao: null,
    destino_nome: 'Cálculo I',
    review_state: 'revisado',
    assigned_key_id: null,
  },
  ResultV2: {
    ...resultSummary,
    input_hash: '5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592',
    inputs,
    inputs_purged_at: null,
    review_state: 'revisado',
    reviews: [reviewV2],
    precedentes: [{ id: precedentId, status: 'active', decisao: 'DEFERIDO' }],
    response: evaluateResponseExample,
  },
  ReviewRequest: { label: 'DEFERIDO', notes: 'Conferido com o plano de ensino.' },
  Review: review,
  ReviewV2: reviewV2,
  Precedent: precedent,
  Calibration: calibration,
  CreateCalibration: { policy_version: '2026.1', course_id: null, precisao_minima_deferido: 0.95, precisao_minima_indeferido: 0.9, min_revisoes: 30, min_revisoes_por_idioma: 30 },
  CalibrationList: { items: [calibration] },
  ReviewAgreement: { course_id: null, meses: calibration.report.concordancia_mensal },
}

type Examples = { request?: unknown; answer?: unknown }

/** By `METHOD path`, for bodies that are no component (or that differ from the component's example). */
export const operationExamples: Record<string, Examples> = {
  'GET /ready': { answer: { status: 'ready', checks: { database: 'ok', redis: 'ok' } } },
  'POST /admin/bindings': { answer: { ...binding, binding_id: binding.id, tenant_id: tenantId } },
  'POST /admin/api-keys/{id}/revoke': { answer: { ...apiKey, status: 'revoked' } },
  'POST /admin/taxonomies/{version}/deprecate': { answer: { ...taxonomyVersion, status: 'deprecated' } },
  'POST /admin/jobs/taxonomy-index': { request: { taxonomy_version: '2026.01' }, answer: { taxonomy_version: '2026.01', status: 'QUEUED' } },
  'POST /admin/jobs/{id}/requeue': { answer: { job_id: jobId, requeued: 1, item_ids: [itemId] } },
  'POST /admin/jobs/{id}/items/{item_id}/requeue': { answer: { job_id: jobId, requeued: 1, item_ids: [itemId] } },
  'GET /admin/jobs/callback-secret': {
    answer: {
      secret: 'whsec_4f3a9c1d7e2b8a6f5c0d9e1b3a7f2c8d4f3a9c1d7e2b8a6f5c0d9e1b3a7f2c8d',
      header: 'X-Equivalence-Signature',
      scheme: 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>; reject if |now - t| > 300 s',
    },
  },
  'POST /v2/admin/precedents/{id}/expire': { request: { valid_until: '2027-06-30' }, answer: { ...precedent, valid_until: '2027-06-30' } },
  'POST /v2/admin/precedents/{id}/revoke': { answer: { ...precedent, status: 'revoked', revoked_at: at } },
  'POST /v2/admin/calibrations': { answer: queuedCalibration },
  'POST /v2/admin/calibrations/{id}/activate': {
    answer: { ...calibration, status: 'ativada', activated_policy_version: '2026.1-cal-6f5e4d3c', activated_at: at },
  },
  'GET /v2/jobs/{id}/results.csv': {
    answer:
      'idx,status,result_id,decisao,score,degraded_mode,origem,destino,justificativa_curta,erro\r\n' +
      `0,completed,${resultId},DEFERIDO,90.63,false,Cálculo Diferencial e Integral I,Cálculo I,Deferido: a origem cobre o conteúdo do destino.,\r\n`,
  },
}

type Media = { schema?: { $ref?: string; type?: unknown; properties?: Record<string, { type?: unknown; items?: { $ref?: string } }> }; example?: unknown; examples?: unknown }
type Operation = { requestBody?: { content?: Record<string, Media> }; responses?: Record<string, { content?: Record<string, Media> }> }
type Document = { paths?: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, { example?: unknown }> } }

const refName = (ref: string | undefined) => ref?.split('/').pop()

/** The document with the examples above filled in where it has none. Mutates and returns `doc`. */
export function withExamples<T>(doc: T): T {
  const d = doc as Document
  const schemas = d.components?.schemas ?? {}
  for (const [name, example] of Object.entries(componentExamples)) {
    if (schemas[name] && schemas[name].example === undefined) schemas[name].example = example
  }
  const known = (media: Media) =>
    media.example !== undefined || media.examples !== undefined || (media.schema as { example?: unknown } | undefined)?.example !== undefined ||
    (refName(media.schema?.$ref) !== undefined && schemas[refName(media.schema?.$ref)!]?.example !== undefined)
  // `{items: [Component], next_cursor?}`: a page of one.
  const listOf = (media: Media) => {
    const items = media.schema?.properties?.items
    const example = schemas[refName(items?.items?.$ref) ?? '']?.example
    if (example === undefined) return undefined
    return { items: [example], ...('next_cursor' in (media.schema?.properties ?? {}) ? { next_cursor: null } : {}) }
  }
  for (const [path, ops] of Object.entries(d.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      const given = operationExamples[`${method.toUpperCase()} ${path}`] ?? {}
      // A route's own example beats its component's; one the route declared itself is kept.
      const own = (media: Media) => media.example !== undefined || media.examples !== undefined
      for (const media of Object.values(op.requestBody?.content ?? {})) {
        if (!own(media) && given.request !== undefined) media.example = given.request
      }
      for (const [status, answer] of Object.entries(op.responses ?? {})) {
        if (!status.startsWith('2')) continue
        for (const media of Object.values(answer.content ?? {})) {
          if (own(media)) continue
          const example = given.answer ?? (known(media) ? undefined : listOf(media))
          if (example !== undefined) media.example = example
        }
      }
    }
  }
  return doc
}
