import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CreateTaxonomyRequest } from '../../edge/routes/admin/taxonomies'
import { type EdgeFixture, type TenantFixture, createEdgeFixture, samplePair } from './fixture'

let f: EdgeFixture
let t: TenantFixture
beforeAll(async () => {
  f = await createEdgeFixture()
  t = await f.createTenant()
})
afterAll(() => f.close())

const admin = (method: string, path: string, body?: unknown) => f.call(method, path, { key: t.keys.admin, body })

const taxonomy: CreateTaxonomyRequest = {
  version: 'calc-2024',
  nodes: [
    { id: 'calc.limites', area: 'Matemática', conceito: 'Limites e continuidade', palavras_chave: ['limite', 'continuidade'], critico: true },
    { id: 'calc.derivadas', area: 'Matemática', conceito: 'Derivadas', palavras_chave: ['derivada', 'regras de derivação'] },
    { id: 'calc.integrais', area: 'Matemática', conceito: 'Integrais', palavras_chave: ['integral', 'teorema fundamental'] },
  ],
}

describe('admin: versions, bindings and evaluation under them', () => {
  it('validates taxonomy nodes: duplicate ids and keywords, bad ids', async () => {
    const res = await admin('POST', '/admin/taxonomies', {
      version: 'bad',
      nodes: [
        { id: 'a', conceito: 'A', palavras_chave: ['x1', 'X1'] },
        { id: 'a', conceito: 'B' },
        { id: 'has space', conceito: 'C' },
      ],
    })
    expect(res.status).toBe(422)
    const locs = (await res.json()).detail.map((i: { loc: (string | number)[] }) => i.loc.join('.'))
    expect(locs).toEqual(expect.arrayContaining(['body.nodes.0.palavras_chave.1', 'body.nodes.1.id', 'body.nodes.2.id']))
  })

  it('validates policies with the policy schema', async () => {
    const res = await admin('POST', '/admin/policies', { version: 'p-bad', config: { cobertura_minima: 2, desconhecido: true } })
    expect(res.status).toBe(422)
    const locs = (await res.json()).detail.map((i: { loc: (string | number)[] }) => i.loc.join('.'))
    expect(locs).toEqual(expect.arrayContaining(['body.config.cobertura_minima']))
  })

  it('creates, activates and binds; evaluate resolves the binding; deprecate; 409 on duplicates', async () => {
    const pol = await admin('POST', '/admin/policies', { version: 'pol-2024', config: { cobertura_minima: 0.7 }, is_default: true })
    expect(pol.status).toBe(201)
    expect((await pol.json()).config.cobertura_minima).toBe(0.7)
    expect((await admin('POST', '/admin/policies', { version: 'pol-2024', config: {} })).status).toBe(409)

    const created = await admin('POST', '/admin/taxonomies', taxonomy)
    expect(created.status).toBe(201)
    expect(await created.json()).toEqual(expect.objectContaining({ version: 'calc-2024', status: 'draft', node_count: 3 }))
    expect((await admin('POST', '/admin/taxonomies', taxonomy)).status).toBe(409)

    // A draft can be neither bound nor used.
    const early = await admin('POST', '/admin/bindings', { course_id: 'MAT101', policy_version: 'pol-2024', taxonomy_version: 'calc-2024' })
    expect(early.status).toBe(422)
    const draftUse = await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body: samplePair({ taxonomy_version: 'calc-2024' }) })
    expect(draftUse.status).toBe(422)

    expect((await admin('POST', '/admin/taxonomies/calc-2024/activate')).status).toBe(200)
    const bound = await admin('POST', '/admin/bindings', {
      course_id: 'MAT101',
      policy_version: 'pol-2024',
      taxonomy_version: 'calc-2024',
      active_from: '2020-01-01',
    })
    expect(bound.status).toBe(200)
    const bindings = await admin('GET', '/admin/bindings').then((r) => r.json())
    expect(bindings.items).toEqual([expect.objectContaining({ course_id: 'MAT101', policy_version: 'pol-2024', taxonomy_version: 'calc-2024' })])

    const res = await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body: samplePair({ course_id: 'MAT101' }) })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect([body.policy_version, body.taxonomy_version]).toEqual(['pol-2024', 'calc-2024'])

    // Without a binding or versions: the tenant's default policy, concepts from the syllabus.
    const plain = await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body: samplePair() }).then((r) => r.json())
    expect([plain.policy_version, plain.taxonomy_version]).toEqual(['pol-2024', null])

    const deprecated = await admin('POST', '/admin/taxonomies/calc-2024/deprecate')
    expect((await deprecated.json()).status).toBe('deprecated')
    const got = await admin('GET', '/admin/taxonomies/calc-2024').then((r) => r.json())
    expect(got.nodes.map((n: { id: string }) => n.id)).toEqual(['calc.limites', 'calc.derivadas', 'calc.integrais'])
    const policies = await admin('GET', '/admin/policies').then((r) => r.json())
    expect(policies.items.map((p: { version: string }) => p.version)).toEqual(['pol-2024'])
  })
})

describe('admin: API keys', () => {
  it('shows the plaintext once, lists prefix and role, rotates (old key stops at once, new works)', async () => {
    const created = await admin('POST', '/admin/api-keys', { role: 'api-client', name: 'SIGAA' })
    expect(created.status).toBe(201)
    const key = await created.json()
    expect(key.key.startsWith(key.prefix)).toBe(true)
    expect((await f.call('GET', '/v1/results', { key: key.key })).status).toBe(200)

    const list = await admin('GET', '/admin/api-keys').then((r) => r.json())
    const listed = list.items.find((k: { id: string }) => k.id === key.id)
    expect(listed).toEqual(expect.objectContaining({ prefix: key.prefix, role: 'api-client', name: 'SIGAA', status: 'active' }))
    expect(JSON.stringify(list)).not.toContain(key.key)

    const rotated = await admin('POST', `/admin/api-keys/${key.id}/rotate`)
    expect(rotated.status).toBe(201)
    const fresh = await rotated.json()
    expect(fresh.key).not.toBe(key.key)
    expect(fresh.role).toBe('api-client')
    expect((await f.call('GET', '/v1/results', { key: key.key })).status).toBe(401)
    expect((await f.call('GET', '/v1/results', { key: fresh.key })).status).toBe(200)
    expect((await admin('POST', `/admin/api-keys/${key.id}/rotate`)).status).toBe(404)
  })
})

describe('results and reviews', () => {
  it('filters, paginates with a cursor, and records reviews; the audit chain verifies', async () => {
    const tt = await f.createTenant()
    for (let i = 0; i < 5; i++) {
      await f.call('POST', '/v2/equivalences/evaluate', { key: tt.keys['api-client'], body: samplePair({ request_id: `r-${i}`, course_id: i % 2 ? 'odd' : 'even' }) })
    }
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
      const page = await f.call('GET', `/v1/results?limit=2${q}`, { key: tt.keys.auditor }).then((r) => r.json())
      seen.push(...page.items.map((i: { request_id: string }) => i.request_id))
      cursor = page.next_cursor
    } while (cursor)
    expect(seen).toEqual(['r-4', 'r-3', 'r-2', 'r-1', 'r-0'])

    const odd = await f.call('GET', '/v1/results?course_id=odd', { key: tt.keys.auditor }).then((r) => r.json())
    expect(odd.items.map((i: { request_id: string }) => i.request_id)).toEqual(['r-3', 'r-1'])
    const future = await f.call('GET', `/v1/results?from=${new Date(Date.now() + 3600_000).toISOString()}`, { key: tt.keys.auditor }).then((r) => r.json())
    expect(future.items).toEqual([])

    const id = odd.items[0].id
    const one = await f.call('GET', `/v1/results/${id}`, { key: tt.keys['api-client'] }).then((r) => r.json())
    expect(one.response.decisao).toBe(one.decisao)
    const review = await f.call('POST', `/v1/results/${id}/reviews`, { key: tt.keys.auditor, body: { label: 'INDEFERIDO', notes: 'Conteúdo insuficiente' } })
    expect(review.status).toBe(201)
    expect(await review.json()).toEqual(expect.objectContaining({ result_id: id, label: 'INDEFERIDO', notes: 'Conteúdo insuficiente' }))
    const badLabel = await f.call('POST', `/v1/results/${id}/reviews`, { key: tt.keys.auditor, body: { label: 'ANALISE_HUMANA' } })
    expect(badLabel.status).toBe(422)

    const verify = await f.call('GET', '/admin/audit/verify', { key: tt.keys.admin }).then((r) => r.json())
    // The results' events, the review's and the precedent's it made (services/reviews.ts).
    expect(verify).toMatchObject({ ok: true, checked: 7, broken_at: null, reason: null })
    await f.database.pool.query("UPDATE audit_events SET payload = '{\"tampered\": true}' WHERE tenant_id = $1 AND seq = 2", [tt.id])
    const broken = await f.call('GET', '/admin/audit/verify', { key: tt.keys.admin }).then((r) => r.json())
    expect(broken).toMatchObject({ ok: false, checked: 1, broken_at: 2, reason: 'hash_mismatch' })
  })
})

describe('docs', () => {
  it('serves OpenAPI 3.1 with every route, and Swagger UI', async () => {
    const doc = await f.call('GET', '/openapi.json').then((r) => r.json())
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths).sort()).toEqual(
      expect.arrayContaining([
        '/health',
        '/ready',
        '/v2/equivalences/evaluate',
        '/v1/equivalences/evaluate',
        '/v1/results',
        '/v1/results/{id}',
        '/v1/results/{id}/reviews',
        '/admin/api-keys',
        '/admin/api-keys/{id}/revoke',
        '/admin/api-keys/{id}/rotate',
        '/admin/policies',
        '/admin/policies/{version}',
        '/admin/taxonomies',
        '/admin/taxonomies/{version}',
        '/admin/taxonomies/{version}/activate',
        '/admin/taxonomies/{version}/deprecate',
        '/admin/bindings',
        '/admin/audit/verify',
        '/admin/taxonomy_versions',
        '/admin/policy_versions',
      ]),
    )
    // The document itself is valid OpenAPI 3.1 (JSON Schema of the spec, references resolved).
    const validation = await new Validator().validate(doc)
    expect(validation.errors ?? []).toEqual([])
    expect(validation.valid).toBe(true)
    const ui = await f.call('GET', '/docs')
    expect(ui.status).toBe(200)
    expect(await ui.text()).toContain('/openapi.json')
  })

  it('exposes Prometheus metrics with requests, latency and decisions', async () => {
    const text = await f.call('GET', '/metrics', { key: t.keys.admin }).then((r) => r.text())
    expect(text).toMatch(/ee_http_requests_total\{method="POST",route="\/v2\/equivalences\/evaluate",status="200",ok="true"\} \d+/)
    expect(text).toMatch(/ee_http_request_duration_seconds_bucket/)
    expect(text).toMatch(new RegExp(`ee_decisions_total\\{tenant="${t.id}",decisao="[A-Z_]+"\\} \\d+`))
    expect(text).toMatch(/ee_errors_total\{kind="VALIDATION"\} \d+/)
  })
})
