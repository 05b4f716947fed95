import { describe, expect, it } from 'vitest'
import { calculo1 } from './__fixtures__/courses'
import { PolicySchema } from './policy'
import { EvaluateRequestSchema, toValidationIssues } from './schemas'

const valid = { origem: calculo1, destino: calculo1 }

function issuesOf(body: unknown) {
  const parsed = EvaluateRequestSchema.safeParse(body)
  if (parsed.success) throw new Error('expected the payload to be rejected')
  return toValidationIssues(parsed.error)
}

describe('EvaluateRequestSchema rejects bad payloads with FastAPI-style issues', () => {
  describe.each([
    ['missing destino', { origem: calculo1 }, ['body', 'destino'], 'missing'],
    ['neither origem nor origens', { destino: calculo1 }, ['body', 'origem'], 'value_error'],
    ['both origem and origens', { ...valid, origens: [calculo1] }, ['body', 'origens'], 'value_error'],
    ['workload as text', { ...valid, origem: { ...calculo1, carga_horaria: 'sessenta' } }, ['body', 'origem', 'carga_horaria'], 'number_type'],
    ['fractional workload', { ...valid, origem: { ...calculo1, carga_horaria: 60.5 } }, ['body', 'origem', 'carga_horaria'], 'int_type'],
    ['negative workload', { ...valid, destino: { ...calculo1, carga_horaria: -1 } }, ['body', 'destino', 'carga_horaria'], 'greater_than_equal'],
    ['empty nome', { ...valid, origem: { ...calculo1, nome: '  ' } }, ['body', 'origem', 'nome'], 'string_too_short'],
    ['nome too long', { ...valid, origem: { ...calculo1, nome: 'x'.repeat(301) } }, ['body', 'origem', 'nome'], 'string_too_long'],
    ['ementa too long', { ...valid, destino: { ...calculo1, ementa: 'a'.repeat(20_001) } }, ['body', 'destino', 'ementa'], 'string_too_long'],
    ['missing ementa', { ...valid, destino: { nome: 'X' } }, ['body', 'destino', 'ementa'], 'missing'],
    ['aprovado as text', { ...valid, origem: { ...calculo1, aprovado: 'sim' } }, ['body', 'origem', 'aprovado'], 'boolean_type'],
    ['too many origens', { destino: calculo1, origens: Array.from({ length: 21 }, () => calculo1) }, ['body', 'origens'], 'too_long'],
    ['empty origens', { destino: calculo1, origens: [] }, ['body', 'origens'], 'too_short'],
    ['bad origem inside origens', { destino: calculo1, origens: [calculo1, { nome: 'X' }] }, ['body', 'origens', 1, 'ementa'], 'missing'],
    ['bad reference date', { ...valid, data_referencia: '01/02/2024' }, ['body', 'data_referencia'], 'date_from_datetime_parsing'],
    ['origem not an object', { ...valid, origem: 'Cálculo' }, ['body', 'origem'], 'object_type'],
    ['inline policy out of range', { ...valid, policy: { cobertura_minima: 2 } }, ['body', 'policy', 'cobertura_minima'], 'less_than_equal'],
    ['inline policy with an unknown key', { ...valid, policy: { limiar: 0.5 } }, ['body', 'policy'], 'extra_forbidden'],
    ['request_id too long', { ...valid, request_id: 'r'.repeat(201) }, ['body', 'request_id'], 'string_too_long'],
  ])('%s', (_name, body, loc, type) => {
    it('names the field, says why, and types the error', () => {
      const issues = issuesOf(body)
      const issue = issues.find((i) => JSON.stringify(i.loc) === JSON.stringify(loc))
      expect(issue, JSON.stringify(issues)).toBeDefined()
      expect(issue!.type).toBe(type)
      expect(issue!.msg.length).toBeGreaterThan(0)
    })
  })

  it('reports every problem at once', () => {
    const issues = issuesOf({ origem: { nome: '' }, destino: {} })
    expect(issues.map((i) => i.loc.join('.'))).toEqual(
      expect.arrayContaining(['body.origem.nome', 'body.origem.ementa', 'body.destino.nome', 'body.destino.ementa']),
    )
    expect(issues.find((i) => i.loc.join('.') === 'body.destino.nome')?.msg).toBe('Field required')
  })

  it('uses the given location prefix', () => {
    const parsed = EvaluateRequestSchema.safeParse({ destino: calculo1 })
    expect(parsed.success).toBe(false)
    if (!parsed.success) expect(toValidationIssues(parsed.error, ['body', 'items', 3])[0]!.loc.slice(0, 3)).toEqual(['body', 'items', 3])
  })
})

describe('EvaluateRequestSchema reports every problem at once', () => {
  it('names both the missing destino and the missing origin for an empty body', () => {
    const result = EvaluateRequestSchema.safeParse({})
    expect(result.success).toBe(false)
    const locs = result.success ? [] : toValidationIssues(result.error).map((i) => i.loc.join('.'))
    expect(locs).toEqual(expect.arrayContaining(['body.destino', 'body.origem']))
  })
})

describe('EvaluateRequestSchema accepts what the Python clients send', () => {
  it('ignores unknown extra fields instead of rejecting them', () => {
    const parsed = EvaluateRequestSchema.parse({
      ...valid,
      origem: { ...calculo1, departamento: 'MAT', semestre: '2019/1' },
      legado: true,
    })
    expect(parsed.origem).not.toHaveProperty('departamento')
    expect(parsed).not.toHaveProperty('legado')
  })

  it('accepts every optional field of the wire contract and fills defaults', () => {
    const parsed = EvaluateRequestSchema.parse({
      origem: { ...calculo1, codigo: 'MAT0025', instituicao: 'UnB', credito: 6, objetivos: 'Dominar o cálculo.', nivel: 'graduacao', ano_conclusao: 2020 },
      destino: { nome: 'Cálculo', ementa: 'Limites. Derivadas.', carga_horaria: null, nivel: 2 },
      request_id: 'req-1',
      course_id: 'curso-42',
      policy_version: 'v3',
      taxonomy_version: 't1',
      policy: { score_deferido: 80 },
      context: { canal: 'secretaria' },
      options: { detalhado: true },
      data_referencia: '2024-02-01',
    })
    expect(parsed.origem?.aprovado).toBe(true)
    expect(parsed.destino.carga_horaria).toBeNull()
    expect(parsed.policy?.score_revisao).toBe(15)
  })

  it('a workload may be omitted (unknown)', () => {
    const parsed = EvaluateRequestSchema.parse({ origem: { nome: 'A', ementa: 'x' }, destino: { nome: 'B', ementa: 'y' } })
    expect(parsed.origem?.carga_horaria).toBeNull()
  })
})

describe('PolicySchema', () => {
  it('fills every default from an empty object', () => {
    const p = PolicySchema.parse({})
    expect(p.carga_horaria).toEqual({ modo: 'fracao', fracao_minima: 0.75, tolerancia: 0.1 })
    expect(p.exigir_aprovacao).toBe(true)
  })

  it('rejects a review threshold above the credit threshold', () => {
    expect(PolicySchema.safeParse({ score_deferido: 50, score_revisao: 60 }).success).toBe(false)
  })
})
