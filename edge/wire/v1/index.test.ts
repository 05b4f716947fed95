import { describe, expect, it } from 'vitest'
import { DEFAULT_POLICY, evaluateEquivalence, PolicySchema, type EvaluateRequest, type TaxonomyNode } from '../../../engine/index'
import * as Py from '../../../test/contract/python-models'
import { allExamples, fullExample, stringlyTyped, testPageHumano } from '../../../test/contract/original-examples'
import {
  parseV1EvaluateRequest,
  parseV1PolicyVersion,
  parseV1TaxonomyVersion,
  renderV1BatchCreated,
  renderV1Evaluate,
  renderV1Job,
  renderV1JobItem,
  roundHalfEven,
  toNativePolicy,
  type V1Evaluate,
} from './index'

function parsed(body: unknown): V1Evaluate {
  const r = parseV1EvaluateRequest(body)
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.value
}

const evaluate = (request: EvaluateRequest, taxonomy?: { version: string; nodes: TaxonomyNode[] }) =>
  evaluateEquivalence(request, { policy: DEFAULT_POLICY, policyVersion: 'p1', taxonomy, referenceDate: '2026-06-01' })

describe('v1 requests', () => {
  it.each(Object.entries(allExamples))('accepts the original clients’ %s', (_name, body) => {
    const v = parsed(body)
    expect(v.request.origem?.nome).toBe(body.origem.nome)
    expect(v.labels.policy_version).toBe(body.policy_version)
  })

  it('ignores fields the original did not know, whatever their type', () => {
    const v = parsed(allExamples.testPageDeferido)
    expect(v.request.origem).not.toHaveProperty('objetivos')
    expect(v.request.origem).not.toHaveProperty('credito')
    expect(v.request).not.toHaveProperty('expected')
    expect(v.request.origem?.codigo).toBe('INF210')
    const odd = parsed({ ...allExamples.testPageMinimal, origem: { ...allExamples.testPageMinimal.origem, codigo: { x: 1 }, objetivos: 7 } })
    expect(odd.request.origem).not.toHaveProperty('codigo')
  })

  it('coerces numbers and booleans sent as strings, as pydantic did', () => {
    const v = parsed(stringlyTyped)
    expect(v.request.origem).toMatchObject({ carga_horaria: 90, aprovado: true, ano_conclusao: 2022 })
    expect(v.returnEvidence).toBe(false)
    expect(parsed({ ...stringlyTyped, origem: { ...stringlyTyped.origem, aprovado: 'no' } }).request.origem?.aprovado).toBe(false)
  })

  it('reports what is wrong in the FastAPI shape', () => {
    const r = parseV1EvaluateRequest({ origem: { nome: 'x', ementa: 'abc', carga_horaria: 'sessenta' } })
    expect(r.ok).toBe(false)
    if (r.ok) return
    const locs = r.issues.map((i) => i.loc.join('.'))
    expect(locs).toContain('body.destino')
    expect(locs).toContain('body.origem.carga_horaria')
  })

  it('translates an inline PolicyInput onto the native policy (only the keys sent)', () => {
    const native = PolicySchema.parse(toNativePolicy(fullExample.policy))
    expect(native).toMatchObject({ score_deferido: 85, score_revisao: 70, exigir_criticos: true, confianca_minima: 0.5 })
    expect(native.carga_horaria.modo).toBe('igual_ou_maior')
    expect(native.nivel.penalidade_por_nivel).toBe(10)
    const partial = PolicySchema.parse(parsed(testPageHumano).request.policy)
    expect(partial.carga_horaria).toMatchObject({ modo: 'fracao', fracao_minima: 0.8, tolerancia: 0 })
    expect(partial.score_deferido).toBe(DEFAULT_POLICY.score_deferido)
    // A lone acceptance threshold below the native review default does not make the policy invalid.
    expect(PolicySchema.safeParse(toNativePolicy({ min_score_deferir: 10 })).success).toBe(true)
    expect(PolicySchema.safeParse(toNativePolicy({ min_score_complemento: 90 })).success).toBe(true)
  })

  it('refuses an inline policy out of the original’s ranges', () => {
    expect(parseV1EvaluateRequest({ ...fullExample, policy: { min_score_deferir: 150 } }).ok).toBe(false)
  })
})

describe('v1 answers', () => {
  it('validate against the original’s EvaluateResponse, in topics mode with topic numbers', async () => {
    const v = parsed({
      ...fullExample,
      destino: { ...fullExample.destino, ementa: 'Teorias administrativas. Planejamento estratégico. Cadeia de suprimentos. Logística reversa.' },
    })
    const native = await evaluate(v.request)
    const out = renderV1Evaluate({ response: native, requestId: 'req-ex-0001', labels: v.labels })
    expect(Py.EvaluateResponse.parse(out)).toBeTruthy()
    expect(out.request_id).toBe('req-ex-0001')
    expect(Number.isInteger(out.score)).toBe(true)
    expect(out.score_exato).toBe(native.score)
    expect(out.hard_rules.map((h) => h.rule)).toEqual(['input_minimo', 'aprovacao', 'carga_horaria', 'validade_temporal', 'nivel'])
    expect(out.regras).toEqual(native.hard_rules)
    expect(out.faltantes.length).toBe(native.faltantes.length)
    const total = native.meta.total_conceitos as number
    const covered = out.evidence!.covered_concepts.map((c) => c.node_id)
    expect([...covered, ...out.faltantes].sort()).toEqual(Array.from({ length: total }, (_, i) => i + 1))
    expect(out.policy_version).toBe('1.0')
    expect(out.meta.versao_politica_aplicada).toBe('p1')
    expect(Object.keys(out.timings_ms).sort()).toEqual(['decide', 'hard_rules', 'justify', 'map', 'score', 'total', 'validate_ms'])
  })

  it('report taxonomy concepts by their numeric node ids', async () => {
    const nodes: TaxonomyNode[] = [
      { id: '1001', area: 'Adm', subarea: 'F', conceito: 'Teorias Administrativas', descricao: '', palavras_chave: ['teorias administrativas'], nivel: 'basico', critico: false },
      { id: '1012', area: 'Adm', subarea: 'G', conceito: 'Logística reversa', descricao: '', palavras_chave: ['logística reversa'], nivel: 'basico', critico: true },
    ]
    const v = parsed({ ...fullExample, destino: { ...fullExample.destino, ementa: 'Teorias administrativas e suas escolas. Logística reversa na cadeia de suprimentos.' } })
    const native = await evaluate(v.request, { version: 't1', nodes })
    const out = renderV1Evaluate({ response: native, requestId: 'r', nodes })
    expect(Py.EvaluateResponse.parse(out)).toBeTruthy()
    expect(out.criticos_faltantes).toEqual([1012])
    expect(out.faltantes).toContain(1012)
    expect(out.evidence?.covered_concepts.map((c) => c.node_id)).toEqual([1001])
    expect(out.taxonomy_version).toBe('t1')
  })

  it('on a hard-rule block: score 0, evidence null, meta.blocked_by_hard_rules', async () => {
    const v = parsed({ ...fullExample, origem: { ...fullExample.origem, aprovado: false } })
    const native = await evaluate(v.request)
    expect(native.decisao).toBe('INDEFERIDO')
    const out = renderV1Evaluate({ response: native, requestId: 'r', labels: v.labels })
    expect(Py.EvaluateResponse.parse(out)).toBeTruthy()
    expect(out).toMatchObject({ score: 0, evidence: null, meta: { blocked_by_hard_rules: true } })
    expect(out.hard_rules.find((h) => h.rule === 'aprovacao')).toMatchObject({ ok: false })
  })

  it('leave evidence out when the request asked so', async () => {
    const v = parsed(stringlyTyped)
    const out = renderV1Evaluate({ response: await evaluate(v.request), requestId: 'r', returnEvidence: v.returnEvidence })
    expect(out.evidence).toBeNull()
    expect(out).not.toHaveProperty('evidencias')
  })

  it('round the score half to even, as Python’s round()', () => {
    expect([roundHalfEven(90.5), roundHalfEven(91.5), roundHalfEven(90.63), roundHalfEven(0.49)]).toEqual([90, 92, 91, 0])
  })
})

describe('v1 jobs', () => {
  const at = new Date('2026-01-02T03:04:05Z')
  const job = { id: 'j1', tenantId: 't', total: 2, done: 1, failed: 1, createdAt: at, updatedAt: at, completedAt: at, callbackUrl: null }

  it('speak the original’s lowercase states', () => {
    expect(Py.BatchCreated.parse(renderV1BatchCreated(job))).toBeTruthy()
    const done = renderV1Job({ ...job, status: 'completed' })
    expect(Py.JobStatus.parse(done).status).toBe('done')
    expect(renderV1Job({ ...job, status: 'running' }).status).toBe('running')
  })

  it('give item results with the stored columns', async () => {
    const response = await evaluate(parsed(fullExample).request)
    const base = { idx: 0, attempts: 1, resultId: null, requestId: 'req-ex-0001' }
    const items = [
      renderV1JobItem({ ...base, id: 'a', status: 'done', lastError: null, result: { id: 'res1', requestId: 'job:req', createdAt: at, response } }),
      renderV1JobItem({ ...base, id: 'b', status: 'dead', lastError: 'body.origem: Field required', result: null }),
      renderV1JobItem({ ...base, id: 'c', status: 'failed', lastError: 'timeout', result: null }),
    ]
    const list = Py.JobResults.parse(items)
    expect(list[0]).toMatchObject({ status: 'done', result_id: 'res1', result: { request_id: 'req-ex-0001', decision: response.decisao } })
    expect(list.map((i) => i.status)).toEqual(['done', 'failed', 'queued'])
  })
})

describe('v1 admin bodies', () => {
  it('take integer node ids and a PolicyInput config', () => {
    const t = parseV1TaxonomyVersion({ tenant_id: 'ignored', version: '2026.01', nodes: [{ id: 1012, area: 'A', subarea: 'B', conceito: 'C', descricao: 'D', critico: 'true' }] })
    expect(t.ok && t.value.nodes[0]).toMatchObject({ id: '1012', nivel: 'basico', critico: true })
    const p = parseV1PolicyVersion({ version: 'v3', config: { min_score_deferir: 80, tolerancia_carga: 0.75 } })
    expect(p.ok && PolicySchema.parse(p.value.config)).toMatchObject({ score_deferido: 80, carga_horaria: { fracao_minima: 0.75 } })
  })
})
