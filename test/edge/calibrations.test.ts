import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEdgeFixture, type EdgeFixture, type TenantFixture } from './fixture'

/**
 * /v2/admin/calibrations over the real app and Postgres: reviewed results in, a proposal with its
 * report out; activation is a new policy version made current, and reverting makes the old one
 * current again. Syllabi written for the test.
 */
let f: EdgeFixture
let tt: TenantFixture
let other: TenantFixture

const limites = 'Limites e continuidade de funções reais. Derivadas e regras de derivação. Aplicações da derivada. Integral definida e indefinida. Teorema fundamental do cálculo.'
const course = (nome: string, ementa: string) => ({ nome, carga_horaria: 90, ementa })
/**
 * Three kinds of pair, each a course of its own: the model scores them high, middling and low. The
 * base policy names gbdt-pares-1, whose one DEFERIDO threshold (96) sends the middling pair to a
 * person; gbdt-pares-2's Portuguese threshold (84) would already credit it.
 */
const templates = {
  alto: { origem: course('Cálculo I', limites), destino: course('Cálculo I', limites) },
  medio: { origem: course('Cálculo Diferencial e Integral I', limites), destino: course('Cálculo I', limites) },
  baixo: {
    origem: course('História da Arte Moderna', 'Impressionismo e pós-impressionismo. Vanguardas europeias. Arte moderna no Brasil. Crítica de arte e museus.'),
    destino: course('Cálculo I', limites),
  },
} as const
/** What the reviewers said: they credit the middling pairs too, so the calibrated DEFERIDO threshold must come down to them. */
const labels = { alto: 'DEFERIDO', medio: 'DEFERIDO', baixo: 'INDEFERIDO' } as const
const PER_KIND = 12

const scores: Record<string, number> = {}

beforeAll(async () => {
  f = await createEdgeFixture()
  tt = await f.createTenant()
  other = await f.createTenant()
  const base = await f.call('POST', '/admin/policies', { key: tt.keys.admin, body: { version: 'base', config: { modelo: { versao: 'gbdt-pares-1' } }, is_default: true } })
  expect(base.status).toBe(201)
  for (const [kind, pair] of Object.entries(templates)) {
    for (let i = 0; i < PER_KIND; i++) {
      const res = await f.call('POST', '/v2/equivalences/evaluate', {
        key: tt.keys['api-client'],
        body: { ...pair, request_id: `${kind}-${i}`, course_id: `curso-${kind}` },
      })
      expect(res.status).toBe(200)
      scores[kind] = ((await res.json()) as { score: number }).score
    }
  }
  const page = (await f.call('GET', '/v1/results?limit=100', { key: tt.keys.auditor }).then((r) => r.json())) as {
    items: { id: string; request_id: string }[]
  }
  expect(page.items).toHaveLength(3 * PER_KIND)
  for (const item of page.items) {
    const kind = item.request_id.split('-')[0] as keyof typeof labels
    const review = await f.call('POST', `/v1/results/${item.id}/reviews`, { key: tt.keys.auditor, body: { label: labels[kind] } })
    expect(review.status).toBeLessThan(300)
  }
}, 120_000)

afterAll(() => f?.close())

type Wire = {
  id: string
  status: string
  limiares_propostos: { score_deferido: number; score_revisao: number }
  activated_policy_version: string | null
  report: Report
}
type Summary = {
  precisao_deferido: number
  precisao_deferido_ic95: number[]
  taxa_automacao: number
  confusao: Record<string, Record<string, number>>
}
type Report = {
  revisoes: number
  atual: Summary
  proposto: Summary
  casos_alterados: Record<string, unknown>[]
  validacao_cruzada: { folds: number }
  concordancia: { atual: number; proposto: number }
}

describe('/v2/admin/calibrations', () => {
  let calibration: Wire

  it('refuses too few reviews with a 422 naming min_revisoes', async () => {
    const res = await f.call('POST', '/v2/admin/calibrations', { key: tt.keys.admin, body: { course_id: 'curso-sem-revisoes' } })
    expect(res.status).toBe(422)
    const { detail } = (await res.json()) as { detail: { loc: string[]; msg: string }[] }
    expect(detail[0]!.loc).toEqual(['body', 'min_revisoes'])
    expect(detail[0]!.msg).toContain('0 reviewed')
    const few = await f.call('POST', '/v2/admin/calibrations', { key: tt.keys.admin, body: { min_revisoes: 100 } })
    expect(few.status).toBe(422)
    const bad = await f.call('POST', '/v2/admin/calibrations', { key: tt.keys.admin, body: { precisao_minima_deferido: 2 } })
    expect(bad.status).toBe(422)
  })

  it('proposes the thresholds the reviews call for, with the report before activation', async () => {
    expect(scores.medio).toBeLessThan(scores.alto!)
    const res = await f.call('POST', '/v2/admin/calibrations', { key: tt.keys.admin, body: { precisao_minima_deferido: 0.95, precisao_minima_indeferido: 0.9 } })
    expect(res.status).toBe(201)
    calibration = (await res.json()) as Wire
    expect(calibration.status).toBe('proposta')
    const t = calibration.limiares_propostos
    // Every middling pair was credited by its reviewer and nothing scored between them and the refused ones.
    expect(t.score_deferido).toBeLessThanOrEqual(scores.medio!)
    expect(t.score_deferido).toBeGreaterThan(scores.baixo!)
    expect(t.score_revisao).toBeGreaterThan(scores.baixo!)
    const r = calibration.report
    expect(r.revisoes).toBe(3 * PER_KIND)
    expect(r.proposto.precisao_deferido).toBe(1)
    expect(r.proposto.precisao_deferido_ic95[0]!).toBeGreaterThan(0.8)
    expect(r.proposto.taxa_automacao).toBe(1)
    expect(r.atual.taxa_automacao).toBeLessThan(1)
    expect(r.atual.confusao.DEFERIDO!.ANALISE_HUMANA).toBe(PER_KIND)
    expect(r.casos_alterados).toHaveLength(PER_KIND)
    expect(r.casos_alterados[0]).toMatchObject({ decisao_atual: 'ANALISE_HUMANA', decisao_proposta: 'DEFERIDO', revisao: 'DEFERIDO', course_id: 'curso-medio' })
    expect(r.validacao_cruzada.folds).toBe(3)
    expect(r.concordancia.proposto).toBeGreaterThan(r.concordancia.atual)

    const again = await f.call('GET', `/v2/admin/calibrations/${calibration.id}`, { key: tt.keys.admin })
    expect(await again.json()).toEqual(calibration)

    // Agreement with the reviewers, per tenant and course ('*': tenant-wide), on /metrics.
    const metrics = await (await f.call('GET', '/metrics', { key: tt.keys.admin })).text()
    expect(metrics).toContain(`ee_review_agreement{tenant="${tt.id}",course="*",limiares="propostos"} ${r.concordancia.proposto}`)
    expect(metrics).toContain(`ee_review_agreement{tenant="${tt.id}",course="*",limiares="atuais"} ${r.concordancia.atual}`)
    expect(metrics).toContain(`ee_review_agreement_cases{tenant="${tt.id}",course="*"} ${3 * PER_KIND}`)
  })

  it('is the admin’s and the tenant’s only', async () => {
    expect((await f.call('GET', `/v2/admin/calibrations/${calibration.id}`, { key: other.keys.admin })).status).toBe(404)
    expect((await f.call('POST', `/v2/admin/calibrations/${calibration.id}/activate`, { key: other.keys.admin })).status).toBe(404)
    expect((await f.call('GET', `/v2/admin/calibrations/${calibration.id}`, { key: tt.keys.auditor })).status).toBe(403)
    expect((await f.call('POST', '/v2/admin/calibrations', { key: tt.keys['api-client'], body: {} })).status).toBe(403)
    expect((await f.call('GET', '/v2/admin/calibrations/not-a-uuid', { key: tt.keys.admin })).status).toBe(422)
  })

  it('activates as a new policy version, and reverts to the old one', async () => {
    // A syllabus the reviews never saw (one more sentence, same score), so no precedent decides it.
    const unseen = { ...templates.medio, origem: { ...templates.medio.origem, ementa: `${limites} Lista de exercícios.` } }
    const evaluateMedio = async (id: string) => {
      const res = await f.call('POST', '/v2/equivalences/evaluate', { key: tt.keys['api-client'], body: { ...unseen, request_id: id } })
      return (await res.json()) as { decisao: string; policy_version: string }
    }
    expect((await evaluateMedio('antes')).decisao).toBe('ANALISE_HUMANA')

    const res = await f.call('POST', `/v2/admin/calibrations/${calibration.id}/activate`, { key: tt.keys.admin })
    expect(res.status).toBe(200)
    const activated = (await res.json()) as Wire
    expect(activated.status).toBe('ativada')
    const version = activated.activated_policy_version!
    expect(version).toMatch(/^base-cal-/)
    const policy = (await f.call('GET', `/admin/policies/${version}`, { key: tt.keys.admin }).then((r) => r.json())) as {
      is_default: boolean
      config: { modelo: { score_deferido: number } }
    }
    expect(policy.is_default).toBe(true)
    expect(policy.config.modelo.score_deferido).toBe(calibration.limiares_propostos.score_deferido)
    const after = await evaluateMedio('depois')
    expect(after).toMatchObject({ decisao: 'DEFERIDO', policy_version: version })

    const reverted = await f.call('POST', `/v2/admin/calibrations/${calibration.id}/revert`, { key: tt.keys.admin })
    expect(reverted.status).toBe(200)
    expect(await evaluateMedio('revertido')).toMatchObject({ decisao: 'ANALISE_HUMANA', policy_version: 'base' })
    const kept = await f.call('GET', `/admin/policies/${version}`, { key: tt.keys.admin })
    expect(kept.status).toBe(200)

    // Activating again makes the same calibrated version current; no second version is made.
    const again = (await f.call('POST', `/v2/admin/calibrations/${calibration.id}/activate`, { key: tt.keys.admin }).then((r) => r.json())) as Wire
    expect(again.activated_policy_version).toBe(version)
    expect(await evaluateMedio('de-novo')).toMatchObject({ decisao: 'DEFERIDO', policy_version: version })
  })
})
