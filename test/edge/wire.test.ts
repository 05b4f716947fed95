import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { VersionCache } from '../../services/resolve-versions'
import { createApp } from '../../edge/app'
import { createLogger } from '../../services/logger'
import { type EdgeFixture, type TenantFixture, createEdgeFixture, samplePair } from './fixture'

let f: EdgeFixture
let t: TenantFixture
beforeAll(async () => {
  f = await createEdgeFixture()
  t = await f.createTenant()
})
afterAll(() => f.close())

/**
 * Requests as clients of the replaced service send them: every optional field they know,
 * including ones this service does not use (kept, never rejected). Our own text.
 */
const legacyRequest = {
  request_id: 'sig-2024-000981',
  course_id: 'MAT101',
  origem: {
    nome: 'CALCULO DIFERENCIAL E INTEGRAL I',
    codigo: 'MA111',
    instituicao: 'Universidade de Origem',
    carga_horaria: 90,
    credito: 6,
    ementa:
      'LIMITES E CONTINUIDADE. DERIVADAS E REGRAS DE DERIVACAO. APLICACOES DA DERIVADA. INTEGRAL DEFINIDA E INDEFINIDA. TEOREMA FUNDAMENTAL DO CALCULO.',
    objetivos: 'Dominar as ferramentas do cálculo de uma variável.',
    aprovado: true,
    nivel: 'graduacao',
    ano_conclusao: 2021,
  },
  destino: {
    nome: 'Cálculo I',
    codigo: 'MAT101',
    instituicao: 'Universidade de Destino',
    carga_horaria: 80,
    credito: 5,
    ementa: '1 - Limites e continuidade. 2 - Derivadas. 3 - Aplicações da derivada. 4 - Integrais. 5 - Teorema fundamental do cálculo.',
    nivel: 'graduacao',
  },
  context: { sistema: 'SIGAA', usuario: 'secretaria' },
  options: { explain: true },
  data_referencia: '2024-02-01',
}

/** Top-level fields of the replaced service's answer and their JSON types. */
const responseShape: Record<string, string> = {
  decisao: 'string',
  score: 'number',
  breakdown: 'object',
  hard_rules: 'array',
  faltantes: 'array',
  criticos_faltantes: 'array',
  justificativa_curta: 'string',
  justificativa_detalhada: 'string',
  evidence: 'array',
  degraded_mode: 'boolean',
  model_version: 'string',
  policy_version: 'string',
  taxonomy_version: 'string|null',
  timings_ms: 'object',
  meta: 'object',
}
const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)

describe('wire compatibility with the replaced service', () => {
  it('accepts a legacy request unchanged and answers every field it documented', async () => {
    const res = await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body: legacyRequest })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/application\/json/)
    const body = await res.json()
    for (const [field, type] of Object.entries(responseShape)) {
      expect([field, type.split('|')]).toEqual([field, expect.arrayContaining([typeOf(body[field])])])
    }
    expect(['DEFERIDO', 'INDEFERIDO', 'ANALISE_HUMANA']).toContain(body.decisao)
    expect(body.breakdown).toEqual(expect.objectContaining({ cobertura: expect.any(Number), cobertura_critica: expect.any(Number), penalidade_nivel: expect.any(Number) }))
    for (const rule of body.hard_rules) expect(rule).toEqual(expect.objectContaining({ regra: expect.any(String), detalhe: expect.any(String) }))
    expect(body.meta.request_id).toBe(legacyRequest.request_id)
  })

  it('honours Idempotency-Key like request_id', async () => {
    const init = { key: t.keys['api-client'], body: samplePair(), headers: { 'Idempotency-Key': 'idem-1' } }
    const first = await f.call('POST', '/v2/equivalences/evaluate', init)
    const second = await f.call('POST', '/v2/equivalences/evaluate', init)
    expect(second.headers.get('Idempotent-Replayed')).toBe('true')
    expect(await second.json()).toEqual(await first.json())
  })

  it('reads a body without Content-Type as JSON, as FastAPI did; another declared type is 422', async () => {
    const bytes = () => new TextEncoder().encode(JSON.stringify(samplePair()))
    const untyped = await f.app.request('/v2/equivalences/evaluate', { method: 'POST', headers: { 'X-API-Key': t.keys['api-client'] }, body: bytes() })
    expect(untyped.status).toBe(200)
    const text = await f.app.request('/v2/equivalences/evaluate', {
      method: 'POST',
      headers: { 'X-API-Key': t.keys['api-client'], 'Content-Type': 'text/plain' },
      body: bytes(),
    })
    expect(text.status).toBe(422)
    expect((await text.json()).detail[0]).toEqual(expect.objectContaining({ loc: ['body'], type: 'model_attributes_type' }))
  })

  it('echoes X-Request-Id and X-Trace-Id', async () => {
    const res = await f.call('GET', '/health', { headers: { 'X-Request-Id': 'abc-123', 'X-Trace-Id': 'trace-9' } })
    expect(await res.json()).toEqual({ status: 'alive' })
    expect(res.headers.get('X-Request-Id')).toBe('abc-123')
    expect(res.headers.get('X-Trace-Id')).toBe('trace-9')
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff')
  })

  it('writes one access-log line per request, without keys or syllabus text', async () => {
    f.logs.length = 0
    await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body: samplePair(), headers: { 'X-Request-Id': 'log-1' } })
    const lines = f.logs.map((l) => JSON.parse(l)).filter((l) => l.request_id === 'log-1')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toEqual(
      expect.objectContaining({ tenant_id: t.id, route: '/v2/equivalences/evaluate', status: 200, decision: expect.any(String), degraded: false }),
    )
    expect(typeof lines[0].duration_ms).toBe('number')
    const raw = f.logs.join('\n')
    expect(raw).not.toContain(t.keys['api-client'])
    expect(raw).not.toContain('Teorema fundamental')
  })
})

describe('error shapes', () => {
  const evaluate = (init: Parameters<EdgeFixture['call']>[2]) => f.call('POST', '/v2/equivalences/evaluate', init)

  it('401 without and with a wrong key', async () => {
    expect(await (await evaluate({ body: samplePair() })).json()).toEqual({ detail: 'Missing X-API-Key' })
    expect(await (await evaluate({ body: samplePair(), key: 'nope' })).json()).toEqual({ detail: 'Invalid API key' })
  })

  it('403 for a role without access', async () => {
    const res = await f.call('GET', '/admin/api-keys', { key: t.keys.auditor })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ detail: expect.any(String) })
  })

  it('404 for an unknown route and an unknown id', async () => {
    expect(await (await f.call('GET', '/v1/nothing', { key: t.keys.admin })).json()).toEqual({ detail: 'Not Found' })
    const res = await f.call('GET', `/v1/results/${crypto.randomUUID()}`, { key: t.keys.admin })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Result not found' })
  })

  it('422 with the issue list for {} and for malformed JSON', async () => {
    const empty = await evaluate({ body: {}, key: t.keys['api-client'] })
    expect(empty.status).toBe(422)
    const { detail } = await empty.json()
    expect(detail).toContainEqual({ loc: ['body', 'destino'], msg: 'Field required', type: 'missing' })
    for (const issue of detail) expect(Object.keys(issue).sort()).toEqual(['loc', 'msg', 'type'])
    const broken = await evaluate({ rawBody: '{"origem": ', key: t.keys['api-client'] })
    expect(broken.status).toBe(422)
    expect(await broken.json()).toEqual({ detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] })
  })

  it('422 naming an unknown version; 422 on a bad query parameter', async () => {
    const res = await evaluate({ body: samplePair({ taxonomy_version: 'v-missing' }), key: t.keys['api-client'] })
    expect(await res.json()).toEqual({
      detail: [{ loc: ['body', 'taxonomy_version'], msg: "Unknown taxonomy_version 'v-missing'", type: 'value_error' }],
    })
    const q = await f.call('GET', '/v1/results?limit=0&decisao=TALVEZ', { key: t.keys.auditor })
    expect(q.status).toBe(422)
    const locs = (await q.json()).detail.map((i: { loc: unknown[] }) => i.loc.join('.'))
    expect(locs).toEqual(expect.arrayContaining(['query.limit', 'query.decisao']))
    const cursor = await f.call('GET', '/v1/results?cursor=garbage', { key: t.keys.auditor })
    expect(cursor.status).toBe(422)
  })

  it('409 for a request_id reused with another body', async () => {
    await evaluate({ body: samplePair({ request_id: 'dup' }), key: t.keys['api-client'] })
    const res = await evaluate({ body: samplePair({ request_id: 'dup', course_id: 'other' }), key: t.keys['api-client'] })
    expect(res.status).toBe(409)
    expect(await res.json()).toEqual({ detail: expect.stringContaining('dup') })
  })

  it('413 in the detail shape for an oversized body', async () => {
    const small = await createEdgeFixture({ env: { BODY_LIMIT_BYTES: '2048' } })
    try {
      const tt = await small.createTenant()
      const res = await small.call('POST', '/v2/equivalences/evaluate', {
        key: tt.keys['api-client'],
        rawBody: JSON.stringify(samplePair({ context: { pad: 'x'.repeat(5000) } })),
      })
      expect(res.status).toBe(413)
      expect(await res.json()).toEqual({ detail: expect.stringContaining('2048') })
    } finally {
      await small.close()
    }
  })

  it('500 with a generic message for an unexpected failure, logged with the request id', async () => {
    const logs: string[] = []
    // A version cache passed through deps whose default-policy look-up fails unexpectedly.
    const failing: VersionCache = {
      get: (_tenantId, key, load) => (key === 'policy-default' ? Promise.reject(new Error('relation "secret_table" does not exist')) : load()),
      invalidate: () => undefined,
    }
    const app = createApp({ config: f.config, db: f.database.db, versions: failing, logger: createLogger('info', (l) => logs.push(l)) })
    const res = await app.request('/v2/equivalences/evaluate', {
      method: 'POST',
      headers: { 'X-API-Key': t.keys['api-client'], 'Content-Type': 'application/json', 'X-Request-Id': 'boom-1' },
      body: JSON.stringify(samplePair()),
    })
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ detail: 'Internal server error' })
    const error = logs.map((l) => JSON.parse(l)).find((l) => l.level === 'error')
    expect(error).toEqual(expect.objectContaining({ request_id: 'boom-1', kind: 'INTERNAL' }))
    expect(error.error).toContain('secret_table')
  })
})
