import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createFsDocsAssets } from '../../edge/docs/assets-fs'
import type { Role } from '../../edge/context'
import { createEdgeFixture, type EdgeFixture } from '../edge/fixture'
import { allExamples, fullExample, testPageMinimal } from './original-examples'
import * as Py from './python-models'

/**
 * A client of the replaced Python service, unchanged, against `/v1`: every answer is parsed with
 * the transcription of its pydantic models (python-models.ts), its examples must be accepted and
 * its poller must finish. In process, over real Postgres, with the in-process batch tier.
 */

let f: EdgeFixture
const keys: Record<string, Record<Role, string>> = {}
const tenantIds: Record<string, string> = {}

const call = (method: string, path: string, init: { key?: string; body?: unknown; headers?: Record<string, string> } = {}) => f.call(method, path, init)

/** What a pydantic client does: the status it expects, then its model over the body (throws if it does not parse). */
async function expectModel<T extends z.ZodType>(res: Response, status: number, model: T): Promise<z.infer<T>> {
  const text = await res.text()
  expect(res.status, text).toBe(status)
  return model.parse(JSON.parse(text))
}

const evaluate = (body: unknown, key = keys.a!['api-client'], headers: Record<string, string> = {}) =>
  call('POST', '/v1/equivalences/evaluate', { key, body, headers })

beforeAll(async () => {
  f = await createEdgeFixture({ jobs: true, deps: { docsAssets: createFsDocsAssets() } })
  for (const name of ['a', 'b']) {
    const tenant = await f.createTenant(`${name}-${crypto.randomUUID().slice(0, 6)}`)
    tenantIds[name] = tenant.id
    keys[name] = tenant.keys
  }
})

afterAll(() => f?.close())

describe('/v1 evaluate', () => {
  it.each(Object.entries(allExamples))('accepts the original clients’ %s and answers its EvaluateResponse', async (_name, body) => {
    const out = await expectModel(await evaluate(body), 200, Py.EvaluateResponse)
    expect(out.request_id).toBe(body.request_id)
    // Labels are echoed, whether or not they exist here; meta names what decided.
    expect(out.policy_version).toBe(body.policy_version)
    expect(out.taxonomy_version).toBe(body.taxonomy_version)
    expect(out.meta.versao_politica_aplicada).toEqual(expect.any(String))
  })

  it('answers a repeat with the stored result and "cached": true', async () => {
    const body = { ...testPageMinimal, request_id: 'cached-0001' }
    const first = await expectModel(await evaluate(body), 200, Py.EvaluateResponse)
    const again = await expectModel(await evaluate(body), 200, Py.EvaluateResponse)
    expect(again.cached).toBe(true)
    expect({ ...again, cached: undefined }).toEqual({ ...first, cached: undefined })
  })

  it('evaluates a reused request_id with another body, warns, and keeps the first result', async () => {
    const body = { ...testPageMinimal, request_id: 'reused-0001' }
    const first = await expectModel(await evaluate(body), 200, Py.EvaluateResponse)
    const other = { ...body, origem: { ...body.origem, carga_horaria: 10 } }
    const second = await expectModel(await evaluate(other), 200, Py.EvaluateResponse)
    expect(second.request_id).toBe('reused-0001')
    expect(JSON.stringify(second.meta.avisos)).toMatch(/request_id/)
    const replayOfFirst = await expectModel(await evaluate(body), 200, Py.EvaluateResponse)
    expect(replayOfFirst.decisao).toBe(first.decisao)
    expect(replayOfFirst.cached).toBe(true)
  })

  it('lets the body’s request_id win over Idempotency-Key, which becomes X-Request-Id', async () => {
    const res = await evaluate({ ...testPageMinimal, request_id: 'body-wins-01' }, undefined, { 'Idempotency-Key': 'header-key-01' })
    expect(res.headers.get('X-Request-Id')).toBe('header-key-01')
    expect(Number(res.headers.get('X-Response-Time-ms'))).toBeGreaterThanOrEqual(0)
    expect((await expectModel(res, 200, Py.EvaluateResponse)).request_id).toBe('body-wins-01')
  })

  it('keeps the error shapes: 401, 403 for an auditor’s batch, 422 list', async () => {
    expect((await expectModel(await call('POST', '/v1/equivalences/evaluate', { body: fullExample }), 401, Py.ErrorDetail)).detail).toBe('Missing X-API-Key')
    expect((await expectModel(await evaluate(fullExample, 'nope'), 401, Py.ErrorDetail)).detail).toBe('Invalid API key')
    // An auditor evaluates single pairs, as any key could in the original; batches are for admins and api-clients.
    await expectModel(await evaluate({ ...fullExample, request_id: 'auditor-0001' }, keys.a!.auditor), 200, Py.EvaluateResponse)
    const batch = await call('POST', '/v1/equivalences/batch', { key: keys.a!.auditor, body: { items: [fullExample] } })
    expect((await expectModel(batch, 403, Py.ErrorDetail)).detail).toBe('Forbidden')
    const invalid = await expectModel(await evaluate({ origem: fullExample.origem }), 422, Py.ValidationError)
    expect(invalid.detail.map((d) => d.loc.join('.'))).toContain('body.destino')
  })

  it('ignores an api-client’s inline policy (said in meta.avisos); an admin’s is a simulation', async () => {
    const lax = { ...fullExample, request_id: 'policy-0001', origem: { ...fullExample.origem, carga_horaria: 10 }, policy: { tolerancia_carga: 0.1 } }
    const client = await expectModel(await evaluate(lax), 200, Py.EvaluateResponse)
    expect(JSON.stringify(client.meta.avisos)).toMatch(/ignorada/)
    expect(client.hard_rules.find((r) => r.rule === 'carga_horaria')?.ok).toBe(false)
    const admin = await expectModel(await evaluate({ ...lax, request_id: 'policy-0002' }, keys.a!.admin), 200, Py.EvaluateResponse)
    expect(admin.meta.simulacao).toBe(true)
    expect(admin.hard_rules.find((r) => r.rule === 'carga_horaria')?.ok).toBe(true)
  })
})

describe('/v1 admin', () => {
  it('creates taxonomy and policy versions and a binding with the original’s bodies and answers', async () => {
    const admin = keys.a!.admin
    const tv = await expectModel(
      await call('POST', '/admin/taxonomy_versions', {
        key: admin,
        body: {
          tenant_id: 'ignored',
          version: '2026.01',
          nodes: [
            { id: 1001, area: 'Adm', subarea: 'Fund', conceito: 'Teorias Administrativas', descricao: 'Escolas', palavras_chave: ['teorias administrativas'], nivel: 'basico', critico: false },
            { id: 1012, area: 'Adm', subarea: 'Gestão', conceito: 'Planejamento Estratégico', descricao: 'Modelos', palavras_chave: ['planejamento estratégico', 'swot'], nivel: 'intermediario', critico: true },
          ],
        },
      }),
      200,
      Py.TaxonomyVersionCreated,
    )
    expect(tv).toMatchObject({ tenant_id: tenantIds.a, version: '2026.01', nodes: 2 })
    for (const [version, config] of [
      ['strict', { min_score_deferir: 99, min_score_complemento: 98, tolerancia_carga: 1.0 }],
      ['lax', { min_score_deferir: 1, min_score_complemento: 0, tolerancia_carga: 0.1, exigir_criticos: false }],
    ] as const) {
      const pv = await expectModel(await call('POST', '/admin/policy_versions', { key: admin, body: { version, config } }), 200, Py.PolicyVersionCreated)
      expect(pv).toMatchObject({ tenant_id: tenantIds.a, version })
    }
    const binding = await expectModel(
      await call('POST', '/admin/bindings', { key: admin, body: { course_id: 'ADM-01', taxonomy_version: '2026.01', policy_version: 'strict' } }),
      200,
      Py.BindingCreated,
    )
    expect(binding).toMatchObject({ tenant_id: tenantIds.a, course_id: 'ADM-01' })

    // The binding decides for an api-client, whatever policy_version it names (v1 and v2 alike).
    const pair = { ...fullExample, course_id: 'ADM-01', policy_version: 'lax', policy: undefined }
    const v1 = await expectModel(await evaluate({ ...pair, request_id: 'bound-0001' }), 200, Py.EvaluateResponse)
    expect(v1.meta.versao_politica_aplicada).toBe('strict')
    expect(v1.policy_version).toBe('lax')
    expect(v1.decisao).not.toBe('DEFERIDO')
    const v2 = await call('POST', '/v2/equivalences/evaluate', { key: keys.a!['api-client'], body: { ...pair, request_id: 'bound-0002', taxonomy_version: undefined } })
    expect(v2.status).toBe(200)
    expect(((await v2.json()) as { policy_version: string }).policy_version).toBe('strict')
  })

  it('answers 403 Forbidden to non-admins and 404 / 400 with the original’s texts on requeue', async () => {
    expect((await expectModel(await call('POST', '/admin/policy_versions', { key: keys.a!['api-client'], body: { version: 'x', config: {} } }), 403, Py.ErrorDetail)).detail).toBe('Forbidden')
    const missing = await call('POST', `/admin/dlq/requeue/${crypto.randomUUID()}`, { key: keys.a!.admin })
    expect((await expectModel(missing, 404, Py.ErrorDetail)).detail).toBe('JobItem not found')
  })
})

describe('/v1 batch and jobs', () => {
  it('takes a batch with an invalid item, and a pydantic-style poller stops at done', async () => {
    const items = [
      { ...allExamples.testPageDeferido, request_id: 'batch-1-deferido' },
      { ...allExamples.testPageIndeferido, request_id: 'batch-2-indeferido' },
      { request_id: 'batch-3-invalido', origem: { nome: 'Sem ementa', carga_horaria: 60 } },
    ]
    const created = await expectModel(await call('POST', '/v1/equivalences/batch', { key: keys.a!['api-client'], body: { items } }), 200, Py.BatchCreated)
    expect(created.total).toBe(3)

    // The original's test page: poll while queued/running and not all done, then read the results.
    let status: z.infer<typeof Py.JobStatus>
    for (;;) {
      status = await expectModel(await call('GET', `/v1/jobs/${created.job_id}`, { key: keys.a!['api-client'] }), 200, Py.JobStatus)
      const allDone = status.progress.done >= status.progress.total
      if (!((status.status === 'queued' || status.status === 'running') && !allDone)) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(status.status).toBe('done')
    expect(status.tenant_id).toBe(tenantIds.a)
    const results = await expectModel(await call('GET', `/v1/jobs/${created.job_id}/results`, { key: keys.a!['api-client'] }), 200, Py.JobResults)
    expect(results.map((r) => r.status)).toEqual(['done', 'done', 'failed'])
    expect(results[0]!.result).toMatchObject({ request_id: 'batch-1-deferido' })
    expect(results[0]!.result_id).toBe(results[0]!.result!.id)
    expect(results[2]!.error).toMatch(/ementa/)
  })

  it('answers a request_id a batch item was given with that item’s stored result and "cached": true, for its tenant only', async () => {
    const body = { ...allExamples.testPageDeferido, request_id: 'from-batch-0001' }
    const created = await expectModel(await call('POST', '/v1/equivalences/batch', { key: keys.a!['api-client'], body: { items: [body] } }), 200, Py.BatchCreated)
    for (;;) {
      const status = await expectModel(await call('GET', `/v1/jobs/${created.job_id}`, { key: keys.a!['api-client'] }), 200, Py.JobStatus)
      if (status.status !== 'queued' && status.status !== 'running') break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const [item] = await expectModel(await call('GET', `/v1/jobs/${created.job_id}/results`, { key: keys.a!['api-client'] }), 200, Py.JobResults)
    expect(item!.status).toBe('done')

    const res = await evaluate(body)
    expect(res.headers.get('Idempotent-Replayed')).toBe('true')
    const answer = await expectModel(res, 200, Py.EvaluateResponse)
    expect(answer).toMatchObject({ cached: true, request_id: 'from-batch-0001', decisao: item!.result!.decision, score: item!.result!.score })
    expect(answer.meta).toMatchObject({ job_id: created.job_id, client_request_id: 'from-batch-0001' })
    // Answered from the batch's row: nothing stored under the client's id.
    const stored = await f.database.pool.query("SELECT count(*)::int AS n FROM equivalence_results WHERE request_id = 'from-batch-0001'")
    expect(stored.rows[0].n).toBe(0)

    // Another body under that id is evaluated (not the batch's answer); another tenant's batch never answers.
    const other = await expectModel(await evaluate({ ...body, origem: { ...body.origem, carga_horaria: 10 } }), 200, Py.EvaluateResponse)
    expect(other.cached).not.toBe(true)
    const elsewhere = await expectModel(await evaluate(body, keys.b!['api-client']), 200, Py.EvaluateResponse)
    expect(elsewhere.cached).not.toBe(true)
    expect(elsewhere.meta.job_id).toBeUndefined()
  })

  it('is 404 for an unknown job and for another tenant’s', async () => {
    const created = await expectModel(
      await call('POST', '/v1/equivalences/batch', { key: keys.a!['api-client'], body: { items: [{ ...testPageMinimal, request_id: 'iso-1' }] } }),
      200,
      Py.BatchCreated,
    )
    await expectModel(await call('GET', `/v1/jobs/${created.job_id}`, { key: keys.b!['api-client'] }), 404, Py.ErrorDetail)
    await expectModel(await call('GET', `/v1/jobs/${crypto.randomUUID()}/results`, { key: keys.a!['api-client'] }), 404, Py.ErrorDetail)
  })
})

describe('operations in the original’s form', () => {
  it('exports the original’s request metric names', async () => {
    await call('GET', '/health')
    const text = await (await call('GET', '/metrics', { key: keys.a!.admin })).text()
    expect(text).toMatch(/http_requests_total\{path="\/health",method="GET",status="200"\} \d+/)
    expect(text).toMatch(/http_request_latency_ms_bucket\{le="50",path="\/v1\/equivalences\/evaluate",method="POST"\} \d+/)
  })

  it('documents every route with an example request (when it takes a body) and an example answer', async () => {
    type Media = { example?: unknown; examples?: Record<string, unknown>; schema?: { $ref?: string; example?: unknown } }
    const doc = (await (await call('GET', '/openapi.json')).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, Media> }; responses: Record<string, { content?: Record<string, Media> }> }>>
      components: { schemas: Record<string, { example?: unknown }> }
    }
    const exampleOf = (m: Media | undefined) =>
      m?.example ?? (m?.examples && Object.keys(m.examples).length ? m.examples : undefined) ?? m?.schema?.example ??
      (m?.schema?.$ref ? doc.components.schemas[m.schema.$ref.split('/').pop()!]?.example : undefined)
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })))
    // Every group the service serves is in the document (a route left out of it would go unchecked).
    const paths = Object.keys(doc.paths)
    for (const group of ['/v1/', '/v2/', '/admin/', '/results', '/precedents', '/calibrations', '/api-keys', '/jobs', '/health']) {
      expect(paths.some((path) => path.includes(group)), group).toBe(true)
    }
    // The schema with its references resolved, as zod reads JSON Schema (the examples left out).
    const resolved = (s: unknown): unknown => {
      if (Array.isArray(s)) return s.map(resolved)
      if (!s || typeof s !== 'object') return s
      const ref = (s as { $ref?: unknown }).$ref
      if (typeof ref === 'string') return resolved(doc.components.schemas[ref.split('/').pop()!])
      return Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'example').map(([k, v]) => [k, resolved(v)]))
    }
    const missing: string[] = []
    const invalid: string[] = []
    const check = (where: string, media: Media) => {
      const example = exampleOf(media)
      if (example === undefined) return missing.push(where)
      const parsed = z.fromJSONSchema(resolved(media.schema) as Parameters<typeof z.fromJSONSchema>[0]).safeParse(example)
      if (!parsed.success) invalid.push(`${where}: ${z.prettifyError(parsed.error)}`)
    }
    for (const { route, op } of routes) {
      // Every media type a body may be sent as has its example, and it is what its schema describes.
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) check(`${route} request ${type}`, media)
      const ok = Object.entries(op.responses).filter(([status]) => status.startsWith('2'))
      if (ok.length === 0) missing.push(`${route} no success answer`)
      for (const [status, answer] of ok) {
        // A success without a body (204, a redirect) has nothing to show; every body has an example.
        for (const [type, media] of Object.entries(answer.content ?? {})) check(`${route} ${status} ${type}`, media)
      }
    }
    expect(missing).toEqual([])
    expect(invalid).toEqual([])
    expect(routes.length).toBeGreaterThanOrEqual(40)
  })

  it('serves /docs offline and redirects /doc and /redoc to it', async () => {
    const page = await (await call('GET', '/docs')).text()
    const assets = [...page.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(assets.length).toBe(3)
    for (const src of assets) {
      expect(src).toMatch(/^\/docs\/assets\//)
      expect((await call('GET', src)).status).toBe(200)
    }
    for (const path of ['/doc', '/redoc']) {
      const res = await call('GET', path)
      expect(res.headers.get('Location')).toBe('/docs')
    }
    expect(await expectModel(await call('GET', '/health'), 200, Py.Health)).toEqual({ status: 'alive' })
  })
})
