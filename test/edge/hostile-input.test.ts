import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BATCH_PATH } from '../../edge/routes/equivalences/batch'
import type { Role } from '../../edge/context'
import { createEdgeFixture, type EdgeFixture } from './fixture'

/**
 * Hostile bodies against every POST route the app documents (read from its own /openapi.json, so a
 * new route is covered without touching this file): bodies shaped after the route's request schema
 * with strings that carry NUL, unpaired surrogates, SQL, internal id spaces, long runs — and, now and
 * then, any JSON value at all in place of a field. Whatever comes in: never a 5xx, and a request
 * refused with a 4xx leaves every table as it was (row counts, read straight from Postgres).
 */
type JsonSchema = {
  $ref?: string
  type?: string | string[]
  enum?: unknown[]
  const?: unknown
  format?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  allOf?: JsonSchema[]
  nullable?: boolean
  additionalProperties?: boolean | JsonSchema
}
type Operation = { path: string; schema: JsonSchema | null }

let f: EdgeFixture
let keys: Record<Role, string>
let operations: Operation[] = []
let components: Record<string, JsonSchema> = {}
let tables: string[] = []
const realIds: string[] = []

beforeAll(async () => {
  f = await createEdgeFixture({ jobs: true })
  const tenant = await f.createTenant(`fuzz-${crypto.randomUUID().slice(0, 6)}`)
  keys = tenant.keys
  realIds.push(...Object.values(tenant.keyIds))

  const doc = (await (await f.app.request('/openapi.json')).json()) as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>
    components?: { schemas?: Record<string, JsonSchema> }
  }
  components = doc.components?.schemas ?? {}
  operations = Object.entries(doc.paths)
    .filter(([, methods]) => methods.post)
    .map(([path, methods]) => ({ path, schema: methods.post!.requestBody?.content?.['application/json']?.schema ?? null }))
  const { rows } = await f.database.pool.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  )
  tables = rows.map((r) => r.tablename)
})

afterAll(() => f?.close())

const hostileString = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'Cálculo\u0000I',
    '\ud800',
    'x\udfffy',
    '\udc00\ud800',
    '',
    ' ',
    "'; DROP TABLE equivalence_results; --",
    '%00',
    `batch:${crypto.randomUUID()}:0`,
    '../../etc/passwd',
    '1e309',
    'a'.repeat(20_000),
  ),
  fc.string({ unit: fc.constantFrom('a', 'é', ' ', '.', '\u0000', '\ud800', '\udc00', '😀', '\n') }),
)

const plausibleString = (s: JsonSchema) =>
  s.format === 'uuid'
    ? fc.oneof(fc.uuid(), fc.constantFrom(...realIds))
    : s.format === 'date'
      ? fc.constantFrom('2026-01-01', '1999-12-31', '2026-02-30')
      : s.format === 'date-time'
        ? fc.constantFrom('2026-01-01T00:00:00Z', '2000-01-01T00:00:00Z', '2999-01-01T00:00:00.000Z')
        : s.format === 'uri' || s.format === 'url'
          ? fc.constantFrom('https://example.org/cb', 'http://127.0.0.1:9/x', 'file:///etc/passwd')
          : fc.constantFrom('v1', 'MAT101', 'Cálculo I', 'Limites. Derivadas. Integrais.', 'admin', 'DEFERIDO')

function resolve(s: JsonSchema): JsonSchema {
  if (!s.$ref) return s
  return resolve(components[s.$ref.replace('#/components/schemas/', '')] ?? {})
}

/** Bodies near the schema: the right shape, hostile leaves; depth-bounded. */
function bodyOf(raw: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(raw)
  const anything = fc.jsonValue({ maxDepth: 2 })
  if (depth > 6) return anything
  const alternatives = s.anyOf ?? s.oneOf
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => bodyOf(a, depth + 1)))
  if (s.allOf?.length) return bodyOf(Object.assign({}, ...s.allOf.map(resolve)), depth + 1)
  if (s.const !== undefined) return fc.constant(s.const)
  if (s.enum?.length) return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...s.enum) }, { weight: 1, arbitrary: hostileString })
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type
  const shaped: fc.Arbitrary<unknown> = (() => {
    switch (type) {
      case 'object': {
        const props = Object.entries(s.properties ?? {})
        const record = fc.record(
          Object.fromEntries(props.map(([k, v]) => [k, bodyOf(v, depth + 1)])),
          { requiredKeys: (s.required ?? []).filter((k) => props.some(([p]) => p === k)) },
        )
        return fc.tuple(record, fc.option(fc.dictionary(hostileString, anything, { maxKeys: 2 }), { freq: 5 })).map(
          ([r, extra]) => ({ ...(extra ?? {}), ...r }),
        )
      }
      case 'array':
        return fc.array(bodyOf(s.items ?? {}, depth + 1), { maxLength: 3 })
      case 'string':
        return fc.oneof({ weight: 2, arbitrary: plausibleString(s) }, { weight: 3, arbitrary: hostileString })
      case 'integer':
        return fc.oneof(fc.integer({ min: -5, max: 500 }), fc.constantFrom(0, -1, 2 ** 31, Number.MAX_SAFE_INTEGER))
      case 'number':
        return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0.5, 1e308))
      case 'boolean':
        return fc.boolean()
      default:
        return anything
    }
  })()
  return fc.oneof({ weight: 12, arbitrary: shaped }, { weight: 1, arbitrary: anything })
}

const pathParam = fc.oneof(fc.uuid(), fc.constantFrom(...['v1', '%00', '%ED%A0%80', 'x%00y']), fc.constant('REAL'))

async function counts(): Promise<Record<string, number>> {
  const sql = tables.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM "${t}"`).join(' UNION ALL ')
  const { rows } = await f.database.pool.query<{ t: string; n: number }>(sql)
  return Object.fromEntries(rows.map((r) => [r.t, r.n]))
}

/**
 * Bodies per route. The suite's default (10, ~250 bodies) keeps CI inside its ten minutes on two
 * cores; FUZZ_RUNS=120 (~3,000 bodies, ~16 min) is the hunt run before a release.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10)

describe('hostile input on every POST route', () => {
  it('finds the POST routes in the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThanOrEqual(10)
    expect(operations.map((o) => o.path)).toEqual(expect.arrayContaining(['/v1/equivalences/evaluate', '/v1/equivalences/batch']))
  })

  it('never answers 5xx, and a refused request writes nothing', async () => {
    const seen = new Map<string, Set<number>>()
    for (const op of operations) {
      const statuses = new Set<number>()
      seen.set(op.path, statuses)
      await fc.assert(
        fc.asyncProperty(
          op.schema ? bodyOf(op.schema) : fc.jsonValue({ maxDepth: 3 }),
          fc.array(pathParam, { minLength: 3, maxLength: 3 }),
          fc.constantFrom<Role>('admin', 'admin', 'api-client', 'auditor'),
          async (body, params, role) => {
            let i = 0
            const path = op.path.replace(/\{[^}]+\}/g, () => {
              const p = params[i++ % params.length]!
              return p === 'REAL' ? realIds[0]! : p
            })
            const before = await counts()
            const res = await f.app.request(path, {
              method: 'POST',
              headers: { 'X-API-Key': keys[role], 'Content-Type': 'application/json' },
              body: JSON.stringify(body),
            })
            const text = await res.text()
            statuses.add(res.status)
            expect(res.status, `${op.path} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500)
            if (res.status >= 400) {
              expect(await counts(), `${op.path} → ${res.status} wrote`).toEqual(before)
            } else {
              await f.jobs!.idle() // accepted batches settle before the next snapshot
            }
          },
        ),
        { numRuns: RUNS },
      )
    }
    // The bodies did reach the NUL / surrogate check (422), not only the validators' shape errors.
    const all = [...seen.values()].flatMap((s) => [...s])
    expect(all).toContain(422)
  }, Math.max(600_000, RUNS * 25 * 1_000)) // room for FUZZ_RUNS=… hunts: ~25 routes, about a second per 25 bodies

  it.each([
    ['/v1/equivalences/evaluate', { origem: { nome: 'A\u0000', carga_horaria: 60, ementa: 'x' }, destino: { nome: 'B', carga_horaria: 60, ementa: 'y' } }, ['body', 'origem', 'nome']],
    ['/v1/equivalences/evaluate', { request_id: 'r\ud800', origem: { nome: 'A', carga_horaria: 60, ementa: 'x' }, destino: { nome: 'B', carga_horaria: 60, ementa: 'y' } }, ['body', 'request_id']],
    ['/admin/policies', { version: 'p\u0000', config: {} }, ['body', 'version']],
    ['/admin/api-keys', { role: 'api-client', name: 'k\udc00' }, ['body', 'name']],
  ])('%s: a NUL or unpaired surrogate is a 422 naming the field', async (path, body, loc) => {
    const before = await counts()
    const res = await f.app.request(path, {
      method: 'POST',
      headers: { 'X-API-Key': keys.admin, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })
    expect(res.status).toBe(422)
    expect(((await res.json()) as { detail: { loc: unknown[] }[] }).detail[0]!.loc).toEqual(loc)
    expect(await counts()).toEqual(before)
  })

  it('a bad character deep in a batch is reported by its index', async () => {
    const pair = (i: number) => ({ origem: { nome: `A ${i}`, carga_horaria: 60, ementa: 'Limites.' }, destino: { nome: 'B', carga_horaria: 60, ementa: 'Limites.' } })
    const items = Array.from({ length: 50 }, (_, i) => pair(i))
    items[37]!.destino.ementa = 'Limites\u0000.'
    const res = await f.app.request(BATCH_PATH, {
      method: 'POST',
      headers: { 'X-API-Key': keys['api-client'], 'Content-Type': 'application/json' },
      body: JSON.stringify({ items }),
    })
    expect(res.status).toBe(422)
    expect(((await res.json()) as { detail: { loc: unknown[] }[] }).detail[0]!.loc).toEqual(['body', 'items', 37, 'destino', 'ementa'])
  })
})

describe('the /v1 batch fails a bad item alone', () => {
  it('a NUL in one item: the job is accepted, that item fails with its reason, the others are done', async () => {
    const pair = (i: number) => ({ origem: { nome: `Cálculo ${i}`, carga_horaria: 60, ementa: 'Limites. Derivadas. Integrais.' }, destino: { nome: 'Cálculo I', carga_horaria: 60, ementa: 'Limites. Derivadas. Integrais.' } })
    const items = [pair(0), pair(1), pair(2)]
    items[1]!.origem.ementa = 'Limites\u0000. Derivadas.'
    const res = await f.app.request('/v1/equivalences/batch', {
      method: 'POST',
      headers: { 'X-API-Key': keys['api-client'], 'Content-Type': 'application/json' },
      body: JSON.stringify({ items }),
    })
    expect(res.status).toBe(200)
    const { job_id: jobId } = (await res.json()) as { job_id: string }
    await f.jobs!.idle()
    const { rows } = await f.database.pool.query<{ idx: number; status: string; last_error: string | null }>('SELECT idx, status, last_error FROM job_items WHERE job_id = $1 ORDER BY idx', [jobId])
    expect(rows.map((r) => r.status)).toEqual(['done', 'dead', 'done'])
    expect(rows[1]!.last_error).toContain('NUL')
  })
})
