/// <reference types="@cloudflare/vitest-pool-workers/types" />
import { SELF } from 'cloudflare:test'
import { describe, expect, inject, it } from 'vitest'
import type { z } from 'zod'
import { allExamples } from '../contract/original-examples'
import * as Py from '../contract/python-models'

/**
 * The `/v1` contract inside workerd: the real Workers entry answers the replaced service's clients
 * with shapes that parse with the transcription of its pydantic models (test/contract/).
 */
const { keys } = inject('workerd')

const call = (method: string, path: string, key?: string, body?: unknown) =>
  SELF.fetch(`http://edge.test${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...(key ? { 'X-API-Key': key } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

async function expectModel<T extends z.ZodType>(res: Response, status: number, model: T): Promise<z.infer<T>> {
  const text = await res.text()
  expect(res.status, text).toBe(status)
  return model.parse(JSON.parse(text))
}

describe('/v1 inside workerd', () => {
  it.each(Object.entries(allExamples))('answers the original’s %s with its EvaluateResponse', async (name, body) => {
    const out = await expectModel(await call('POST', '/v1/equivalences/evaluate', keys.client, { ...body, request_id: `wd-${name}` }), 200, Py.EvaluateResponse)
    expect(out.request_id).toBe(`wd-${name}`)
    expect(out.policy_version).toBe(body.policy_version)
  })

  it('replays with "cached": true and keeps the error shapes', async () => {
    const body = { ...allExamples.testPageMinimal, request_id: 'wd-cached-1' }
    await expectModel(await call('POST', '/v1/equivalences/evaluate', keys.client, body), 200, Py.EvaluateResponse)
    expect((await expectModel(await call('POST', '/v1/equivalences/evaluate', keys.client, body), 200, Py.EvaluateResponse)).cached).toBe(true)
    expect((await expectModel(await call('POST', '/v1/equivalences/evaluate', undefined, body), 401, Py.ErrorDetail)).detail).toBe('Missing X-API-Key')
    // Every role evaluates a single pair (auditors too); the admin calls are the admin's alone.
    await expectModel(await call('POST', '/v1/equivalences/evaluate', keys.auditor, { ...body, request_id: 'wd-auditor-1' }), 200, Py.EvaluateResponse)
    expect((await expectModel(await call('GET', '/admin/taxonomy_versions', keys.auditor), 403, Py.ErrorDetail)).detail).toBe('Forbidden')
    await expectModel(await call('POST', '/v1/equivalences/evaluate', keys.client, {}), 422, Py.ValidationError)
  })

  it('takes the original’s admin calls, and the binding then decides for api-clients', async () => {
    const tv = await expectModel(
      await call('POST', '/admin/taxonomy_versions', keys.admin, {
        version: 'wd-2026.01',
        nodes: [{ id: 1001, area: 'Adm', subarea: 'Fund', conceito: 'Banco de dados relacional', descricao: 'SQL', palavras_chave: ['sql', 'modelo relacional'], nivel: 'basico', critico: true }],
      }),
      200,
      Py.TaxonomyVersionCreated,
    )
    expect(tv.nodes).toBe(1)
    await expectModel(await call('POST', '/admin/policy_versions', keys.admin, { version: 'wd-strict', config: { min_score_deferir: 100, min_score_complemento: 99 } }), 200, Py.PolicyVersionCreated)
    await expectModel(await call('POST', '/admin/policy_versions', keys.admin, { version: 'wd-lax', config: { min_score_deferir: 1, min_score_complemento: 0 } }), 200, Py.PolicyVersionCreated)
    await expectModel(await call('POST', '/admin/bindings', keys.admin, { course_id: 'WD-BD', taxonomy_version: 'wd-2026.01', policy_version: 'wd-strict' }), 200, Py.BindingCreated)
    const out = await expectModel(
      await call('POST', '/v1/equivalences/evaluate', keys.client, { ...allExamples.testPageDeferido, request_id: 'wd-bound-1', course_id: 'WD-BD', policy_version: 'wd-lax' }),
      200,
      Py.EvaluateResponse,
    )
    expect(out.meta.versao_politica_aplicada).toBe('wd-strict')
    expect((await expectModel(await call('POST', '/admin/dlq/requeue/00000000-0000-4000-8000-000000000000', keys.admin), 404, Py.ErrorDetail)).detail).toBe('JobItem not found')
  })

  it('serves /metrics with the original’s names and /docs from the bundle', async () => {
    await call('GET', '/health')
    expect(await (await call('GET', '/metrics', keys.admin)).text()).toMatch(/http_requests_total\{path="\/health",method="GET",status="200"\}/)
    const css = await call('GET', '/docs/assets/swagger-ui.css')
    expect(css.status).toBe(200)
    expect(css.headers.get('Content-Type')).toMatch(/text\/css/)
    expect((await call('GET', '/docs/assets/swagger-ui-bundle.js')).status).toBe(200)
  })
})
