import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import canonicalize from 'canonicalize'
import { createHash } from 'node:crypto'
import { createEdgeFixture, type EdgeFixture, type TenantFixture } from '../edge/fixture'
import { consoleClient } from './client'

/**
 * Precedents end to end through the API: a review makes a rule; the identical pair then gets the
 * reviewer's decision citing it; validity dates, revoke, a changed syllabus, the policy switch and
 * tenant isolation all hand the decision back to the engine. Inputs are stored and hash to
 * the input_hash the audit chain carries.
 */
describe('precedents', () => {
  let f: EdgeFixture
  let t: TenantFixture
  let other: TenantFixture

  const pair = (over: { origemEmenta?: string; nome?: string } = {}) => ({
    origem: {
      nome: over.nome ?? 'Introdução à Programação',
      codigo: 'INF100',
      instituicao: 'Universidade Federal do Exemplo',
      carga_horaria: 60,
      ano_conclusao: 2023,
      ementa: over.origemEmenta ?? 'Conceitos básicos de algoritmos. Variáveis, tipos e expressões. Estruturas condicionais. Laços de repetição. Funções e procedimentos.',
    },
    destino: {
      nome: 'Algoritmos e Programação I',
      codigo: 'ALG1',
      carga_horaria: 72,
      ementa: '1 - Algoritmos e pseudocódigo. 2 - Estruturas condicionais e de repetição. 3 - Vetores e matrizes. 4 - Funções. 5 - Ordenação e busca. 6 - Arquivos.',
    },
  })

  async function evaluate(tenant: TenantFixture, body: Record<string, unknown>) {
    const res = await f.call('POST', '/v1/equivalences/evaluate', { key: tenant.keys['api-client'], body })
    expect(res.status).toBe(200)
    const json = (await res.json()) as { decisao: string; justificativa_curta: string; meta: Record<string, unknown> }
    const { rows } = await f.database.pool.query('SELECT id FROM equivalence_results WHERE tenant_id = $1 AND request_id = $2', [tenant.id, json.meta.request_id])
    return { ...json, id: rows[0].id as string }
  }
  const review = (tenant: TenantFixture, id: string, label = 'INDEFERIDO') =>
    f.call('POST', `/v1/results/${id}/reviews`, { key: tenant.keys.auditor, body: { label, notes: 'revisado' } })
  const v2 = async (tenant: TenantFixture, path: string, role: 'admin' | 'auditor' = 'admin', method = 'GET', body?: unknown) => {
    const res = await f.call(method, path, { key: tenant.keys[role], body })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }

  beforeAll(async () => {
    f = await createEdgeFixture()
    t = await f.createTenant()
    other = await f.createTenant()
  })
  afterAll(() => f.close())

  it('stores the inputs with the result; they hash to the input_hash of the audited event', async () => {
    const first = await evaluate(t, pair())
    const got = await v2(t, `/v2/results/${first.id}`, 'auditor')
    expect(got.status).toBe(200)
    expect(got.body).toMatchObject({ review_state: 'pendente', reviews: [], inputs: { origem: { nome: 'Introdução à Programação' } } })
    const hash = createHash('sha256').update(canonicalize(got.body.inputs)!).digest('hex')
    expect(hash).toBe(got.body.input_hash)
    const { rows } = await f.database.pool.query(`SELECT payload FROM audit_events WHERE tenant_id = $1 AND target = $2 AND action = 'result.created'`, [t.id, first.id])
    expect(rows[0].payload.input_hash).toBe(hash)
    expect((await v2(other, `/v2/results/${first.id}`)).status).toBe(404)
  })

  it('a review makes a precedent the identical pair then follows, citing reviewer, date and rule', async () => {
    const first = await evaluate(t, pair())
    expect(first.decisao).toBe('ANALISE_HUMANA')
    expect((await review(t, first.id)).status).toBe(201)

    const again = await evaluate(t, pair())
    expect(again.decisao).toBe('INDEFERIDO')
    const p = again.meta.precedente as Record<string, string>
    expect(p).toMatchObject({ decisao: 'INDEFERIDO', resultado_id: first.id, decisao_motor: 'ANALISE_HUMANA' })
    expect(again.justificativa_curta).toContain(p.id)
    expect(again.justificativa_curta).toContain(t.keys.auditor.slice(0, 6))
    expect(again.justificativa_curta).toContain(new Date().toISOString().slice(0, 10))

    const reviews = await v2(t, `/v2/results/${first.id}/reviews`, 'auditor')
    expect(reviews.body.items).toEqual([expect.objectContaining({ label: 'INDEFERIDO', notes: 'revisado' })])
    expect((await v2(other, `/v2/results/${first.id}/reviews`, 'auditor')).status).toBe(404)
    const list = await v2(t, '/v2/results?review_state=revisado', 'auditor')
    expect(list.body.items).toEqual([expect.objectContaining({ id: first.id, review_state: 'revisado', destino_nome: 'Algoritmos e Programação I' })])

    // The same courses listed in another order, with other spacing and accents, are the same pair.
    const spaced = pair({ nome: '  INTRODUCAO  à programação ' })
    expect((await evaluate(t, spaced)).decisao).toBe('INDEFERIDO')

    // Another tenant's identical pair is its own: the engine decides.
    expect((await evaluate(other, pair())).decisao).toBe('ANALISE_HUMANA')
  })

  it('a changed syllabus is noted and left to the engine, and the console says so', async () => {
    const changed = await evaluate(t, pair({ origemEmenta: 'Conceitos básicos de algoritmos. Estruturas condicionais. Laços de repetição. Vetores e matrizes.' }))
    expect(changed.meta.precedente).toBeUndefined()
    expect(changed.meta.precedente_divergente).toMatchObject({ motivo: 'ementa_alterada' })
    const client = consoleClient(f.app)
    await client.login(t.keys.auditor)
    const page = await (await client.get(`/console/resultados/${changed.id}`)).text()
    expect(page).toContain('Existe um precedente para este par')
    expect(page).toContain('a ementa mudou')
  })

  it('validity dates are respected and a revoke takes effect at once; each change is audited', async () => {
    const list = await v2(t, '/v2/admin/precedents?status=active')
    expect(list.status).toBe(200)
    const [rule] = list.body.items as { id: string }[]
    expect(rule).toBeDefined()
    expect((await v2(t, '/v2/admin/precedents', 'auditor')).status).toBe(403)

    // Ended yesterday: today's evaluation is the engine's; one dated before the end still follows it.
    const expired = await v2(t, `/v2/admin/precedents/${rule!.id}/expire`, 'admin', 'POST', { valid_until: '2026-01-31' })
    expect(expired.status).toBe(200)
    expect((await evaluate(t, { ...pair(), data_referencia: '2026-06-01' })).decisao).toBe('ANALISE_HUMANA')
    expect((await evaluate(t, { ...pair(), data_referencia: '2026-01-15' })).decisao).toBe('INDEFERIDO')

    expect((await v2(other, `/v2/admin/precedents/${rule!.id}/revoke`, 'admin', 'POST')).status).toBe(404)
    expect((await v2(t, `/v2/admin/precedents/${rule!.id}/revoke`, 'admin', 'POST')).status).toBe(200)
    expect((await evaluate(t, { ...pair(), data_referencia: '2026-01-15' })).decisao).toBe('ANALISE_HUMANA')

    const { rows } = await f.database.pool.query(`SELECT action FROM audit_events WHERE tenant_id = $1 AND action LIKE 'precedent.%' ORDER BY seq`, [t.id])
    expect(rows.map((r) => r.action)).toEqual(['precedent.created', 'precedent.expired', 'precedent.revoked'])
    expect((await v2(t, '/admin/audit/verify')).body.ok).toBe(true)
  })

  it('a policy with usar_precedentes false leaves every decision to the engine', async () => {
    const first = await evaluate(t, { ...pair(), destino: { ...pair().destino, nome: 'Algoritmos II' } })
    expect((await review(t, first.id, 'DEFERIDO')).status).toBe(201)
    const on = await evaluate(t, { ...pair(), destino: { ...pair().destino, nome: 'Algoritmos II' } })
    expect(on.decisao).toBe('DEFERIDO')
    const created = await f.call('POST', '/admin/policies', { key: t.keys.admin, body: { version: 'sem-precedentes', config: { usar_precedentes: false } } })
    expect(created.status).toBe(201)
    const off = await evaluate(t, { ...pair(), destino: { ...pair().destino, nome: 'Algoritmos II' }, policy_version: 'sem-precedentes' })
    expect(off.decisao).toBe('ANALISE_HUMANA')
    expect(off.meta.precedente).toBeUndefined()
  })
})
