import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EvaluateRequestSchema } from '../../engine/index'
import { runAuthCases, type PreparedRequest } from './auth-cases'
import { type EdgeFixture, type TenantFixture, createEdgeFixture, samplePair } from './fixture'

let f: EdgeFixture
let a: TenantFixture
let b: TenantFixture
/** Ids and versions owned by tenant A. */
const owned = { resultId: '', keyId: '', policy: 'pol-a', taxonomy: 'tax-a' }

beforeAll(async () => {
  f = await createEdgeFixture()
  a = await f.createTenant()
  b = await f.createTenant()
  const res = await f.call('POST', '/v2/equivalences/evaluate', { key: a.keys['api-client'], body: samplePair() })
  owned.resultId = (await f.call('GET', '/v1/results', { key: a.keys.auditor }).then((r) => r.json())).items[0].id
  expect(res.status).toBe(200)
  owned.keyId = a.keyIds.auditor
  expect((await f.call('POST', '/admin/policies', { key: a.keys.admin, body: { version: owned.policy, config: {} } })).status).toBe(201)
  const tax = { version: owned.taxonomy, nodes: [{ id: 'calc.limites', conceito: 'Limites', palavras_chave: ['continuidade'] }] }
  expect((await f.call('POST', '/admin/taxonomies', { key: a.keys.admin, body: tax })).status).toBe(201)
})
afterAll(() => f.close())

const evaluate = (): PreparedRequest => ({ method: 'POST', path: '/v2/equivalences/evaluate', body: samplePair() })

describe('authentication and roles', () => {
  describe('POST /v2/equivalences/evaluate', () => runAuthCases(() => f, evaluate))
  it('every role evaluates a single pair, on /v2 and /v1 (an auditor checks pairs while reviewing, as in the console)', async () => {
    const t = await f.createTenant()
    for (const role of ['admin', 'auditor', 'api-client'] as const) {
      for (const path of ['/v2/equivalences/evaluate', '/v1/equivalences/evaluate']) {
        const res = await f.call('POST', path, { key: t.keys[role], body: samplePair() })
        expect(res.status, `${role} ${path}`).toBe(200)
      }
    }
    const stored = await f.database.pool.query('SELECT count(*)::int AS n FROM equivalence_results WHERE tenant_id = $1', [t.id])
    expect(stored.rows[0].n).toBe(6)
  })
  describe('GET /v1/results', () => runAuthCases(() => f, () => ({ method: 'GET', path: '/v1/results' })))
  describe('POST /v1/results/{id}/reviews', () =>
    runAuthCases(() => f, () => ({ method: 'POST', path: `/v1/results/${owned.resultId}/reviews`, body: { label: 'DEFERIDO' } }), {
      forbidden: ['api-client'],
    }))
  const adminRoutes: PreparedRequest[] = [
    { method: 'GET', path: '/admin/api-keys' },
    { method: 'POST', path: '/admin/api-keys', body: { role: 'api-client' } },
    { method: 'GET', path: '/admin/policies' },
    { method: 'POST', path: '/admin/taxonomies', body: { version: 'x', nodes: [{ id: 'a', conceito: 'A' }] } },
    { method: 'GET', path: '/admin/bindings' },
    { method: 'GET', path: '/admin/audit/verify' },
  ]
  describe.each(adminRoutes)('$method $path', (route) => runAuthCases(() => f, () => route, { forbidden: ['api-client', 'auditor'] }))
})

describe('tenant isolation: another tenant’s id is 404', () => {
  const foreign = (): PreparedRequest[] => [
    { method: 'GET', path: `/v1/results/${owned.resultId}` },
    { method: 'POST', path: `/v1/results/${owned.resultId}/reviews`, body: { label: 'INDEFERIDO' } },
    { method: 'POST', path: `/admin/api-keys/${owned.keyId}/revoke` },
    { method: 'POST', path: `/admin/api-keys/${owned.keyId}/rotate` },
    { method: 'GET', path: `/admin/policies/${owned.policy}` },
    { method: 'GET', path: `/admin/taxonomies/${owned.taxonomy}` },
    { method: 'POST', path: `/admin/taxonomies/${owned.taxonomy}/activate` },
    { method: 'POST', path: `/admin/taxonomies/${owned.taxonomy}/deprecate` },
  ]
  it('every id route answers 404 to tenant B and leaves tenant A’s rows alone', async () => {
    for (const r of foreign()) {
      const res = await f.call(r.method, r.path, { key: b.keys.admin, body: r.body })
      expect([r.path, res.status]).toEqual([r.path, 404])
      expect(typeof (await res.json()).detail).toBe('string')
    }
    const stillActive = await f.call('GET', '/admin/api-keys', { key: a.keys.admin }).then((r) => r.json())
    expect(stillActive.items.find((k: { id: string }) => k.id === owned.keyId).status).toBe('active')
    const tax = await f.call('GET', `/admin/taxonomies/${owned.taxonomy}`, { key: a.keys.admin }).then((r) => r.json())
    expect(tax.status).toBe('draft')
  })

  it('a version name of another tenant is unknown to evaluate (422 naming it)', async () => {
    const res = await f.call('POST', '/v2/equivalences/evaluate', { key: b.keys['api-client'], body: samplePair({ policy_version: owned.policy }) })
    expect(res.status).toBe(422)
    expect((await res.json()).detail).toEqual([{ loc: ['body', 'policy_version'], msg: `Unknown policy_version '${owned.policy}'`, type: 'value_error' }])
  })

  it('lists only the caller’s results', async () => {
    const page = await f.call('GET', '/v1/results', { key: b.keys.auditor }).then((r) => r.json())
    expect(page.items.map((i: { id: string }) => i.id)).not.toContain(owned.resultId)
  })
})

describe('inline policy', () => {
  /** Too little workload and far apart in content: refused under the server's policy. */
  const weak = () =>
    samplePair({
      origem: { nome: 'Introdução à Música', carga_horaria: 20, ementa: 'Teoria musical básica. Escalas e acordes. Ritmo e compasso.' },
    })
  const permissive = {
    cobertura_minima: 0,
    score_deferido: 0,
    score_revisao: 0,
    exigir_criticos: false,
    carga_horaria: { modo: 'fracao', fracao_minima: 0, tolerancia: 0 },
  }

  it('cannot change an api-client’s decision, and meta says it was ignored', async () => {
    const plain = await f.call('POST', '/v2/equivalences/evaluate', { key: a.keys['api-client'], body: weak() }).then((r) => r.json())
    const res = await f.call('POST', '/v2/equivalences/evaluate', { key: a.keys['api-client'], body: { ...weak(), policy: permissive } })
    const body = await res.json()
    expect(res.status).toBe(200)
    expect(plain.decisao).not.toBe('DEFERIDO')
    expect(body.decisao).toBe(plain.decisao)
    expect(body.score).toBe(plain.score)
    expect(body.policy_version).toBe(plain.policy_version)
    expect(body.meta.avisos.join(' ')).toMatch(/ignorada/)
  })

  it('is an admin’s what-if, recorded as a simulation', async () => {
    const res = await f.call('POST', '/v2/equivalences/evaluate', { key: a.keys.admin, body: { ...weak(), policy: permissive } })
    const body = await res.json()
    expect(body.policy_version).toBe('inline-simulation')
    const stored = await f.call('GET', `/v1/results?limit=1`, { key: a.keys.auditor }).then((r) => r.json())
    expect(stored.items[0].simulation).toBe(true)
  })
})

describe('fuzz: malformed evaluate bodies', () => {
  const validPair = samplePair()
  const malformed = fc.oneof(
    fc.string().map((s) => ({ raw: s })),
    fc.jsonValue().map((v) => ({ raw: JSON.stringify(v) })),
    fc
      .record({ field: fc.constantFrom('origem', 'destino', 'nome', 'ementa', 'carga_horaria', 'aprovado', 'ano_conclusao', 'request_id'), value: fc.anything() })
      .map(({ field, value }) => {
        const body: Record<string, unknown> = structuredClone(validPair)
        const destino = body.destino as Record<string, unknown>
        if (field in body) body[field] = value
        else destino[field] = value
        return { raw: JSON.stringify(body) ?? '' }
      }),
  )

  it('500 malformed bodies: all 4xx, none 5xx, nothing written', async () => {
    const t = await f.createTenant()
    const before = await f.call('GET', '/v1/results', { key: t.keys.auditor }).then((r) => r.json())
    let tried = 0
    await fc.assert(
      fc.asyncProperty(malformed, async ({ raw }) => {
        let parsed: unknown
        try {
          parsed = JSON.parse(raw)
        } catch {
          parsed = undefined
        }
        fc.pre(!EvaluateRequestSchema.safeParse(parsed).success)
        tried++
        const res = await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], rawBody: raw })
        expect(res.status).toBeGreaterThanOrEqual(400)
        expect(res.status).toBeLessThan(500)
        const body = await res.json()
        expect(body).toHaveProperty('detail')
      }),
      { numRuns: 500, seed: 20261129 },
    )
    expect(tried).toBeGreaterThan(400)
    const after = await f.call('GET', '/v1/results', { key: t.keys.auditor }).then((r) => r.json())
    expect(after.items).toEqual(before.items)
    expect(after.items).toHaveLength(0)
  })
})
