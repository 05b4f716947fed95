import { describe, expect, it } from 'vitest'
import { calculo1, calculo1Antigo, estruturasDeDados, historiaDaArte } from '../__fixtures__/courses'
import { evaluate } from '../__fixtures__/evaluate'
import { PolicySchema } from '../policy'
import artefact from './gbdt-pares-3.json' with { type: 'json' }
import { MODEL_FEATURE_NAMES } from './features'
import { compileModel, ModelArtefactSchema, predict, topFactors } from './gbdt'
import { DEFAULT_MODEL_VERSION, MODEL_VERSIONS, modelByVersion, scorerFor, scoringModel } from './registry'

describe('the shipped model artefact', () => {
  it('is a valid gbdt artefact over known features, with its training report', () => {
    const a = ModelArtefactSchema.parse(artefact)
    expect(MODEL_VERSIONS).toContain(a.versao)
    expect(DEFAULT_MODEL_VERSION).toBe(a.versao)
    for (const f of a.features) expect(MODEL_FEATURE_NAMES).toContain(f)
    expect(a.limiares.score_revisao).toBeLessThanOrEqual(a.limiares.score_deferido)
    const report = a.relatorio as { validacao_cruzada: { folds: number }; reservado: object }
    expect(report.validacao_cruzada.folds).toBeGreaterThanOrEqual(2)
    expect(Object.keys(report.reservado).length).toBeGreaterThan(0)
  })

  it('chooses its thresholds per language, and keeps the earlier version loadable', () => {
    const a = ModelArtefactSchema.parse(artefact)
    for (const lang of ['pt', 'en']) {
      const t = a.limiares_por_idioma?.[lang]
      expect(t, lang).toBeDefined()
      expect(t!.score_revisao).toBeLessThanOrEqual(t!.score_deferido)
      expect(modelByVersion(a.versao)!.thresholdsByLanguage[lang]).toEqual(t)
    }
    const first = modelByVersion('gbdt-pares-1')
    expect(first?.version).toBe('gbdt-pares-1')
    expect(first?.thresholdsByLanguage).toEqual({})
  })

  it('explains itself: the contributions add up to the prediction', () => {
    const model = modelByVersion(DEFAULT_MODEL_VERSION)!
    const vector = MODEL_FEATURE_NAMES.map((_, i) => (i % 3) / 2)
    const p = predict(model, vector)
    let roots = model.base
    for (const r of model.roots) roots += model.value[r]!
    const logit = roots + p.contributions.reduce((a, b) => a + b, 0)
    expect(1 / (1 + Math.exp(-logit))).toBeCloseTo(p.probability, 12)
    const factors = topFactors(vector, p)
    expect(factors.length).toBeLessThanOrEqual(3)
    const sizes = factors.map((f) => Math.abs(f.efeito))
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a))
  })

  it('rejects an artefact that names an unknown feature or points a child backwards', () => {
    const tree = { feature: [0, -1, -1], threshold: [0.5, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, -1, 1] }
    const base = { versao: 't', tipo: 'gbdt', base: 0, limiares: { score_deferido: 90, score_revisao: 10 } }
    expect(() => compileModel({ ...base, features: ['cobertura'], arvores: [tree] })).not.toThrow()
    expect(() => compileModel({ ...base, features: ['altura'], arvores: [tree] })).toThrow(/unknown feature/)
    expect(() => compileModel({ ...base, features: ['cobertura'], arvores: [{ ...tree, left: [0, -1, -1] }] })).toThrow(/bad children/)
    expect(() => compileModel({ ...base, features: ['cobertura'], arvores: [{ ...tree, value: [0] }] })).toThrow(/ragged/)
  })
})

describe('scoring with the model', () => {
  it('names the model in model_version and meta, and lists the deciding features in Portuguese', async () => {
    const r = await evaluate({ origem: calculo1, destino: calculo1Antigo })
    expect(r.model_version).toBe(`lexical-1.0.0+${DEFAULT_MODEL_VERSION}`)
    expect(r.meta).toMatchObject({ pontuacao: 'modelo', modelo: DEFAULT_MODEL_VERSION })
    const factors = r.meta.fatores_modelo as { fator: string; descricao: string; efeito: number }[]
    expect(factors.length).toBeGreaterThan(0)
    expect(r.justificativa_detalhada).toContain(`Fatores que mais pesaram no score (modelo ${DEFAULT_MODEL_VERSION})`)
    expect(r.justificativa_detalhada).toContain(factors[0]!.descricao)
    expect(r.justificativa_detalhada).toMatch(/a favor|contra/)
  })

  it('is deterministic: the same request and versions give the same answer', async () => {
    const clock = () => 0
    const a = await evaluate({ origem: estruturasDeDados, destino: estruturasDeDados }, { clock })
    const b = await evaluate({ origem: estruturasDeDados, destino: estruturasDeDados }, { clock })
    expect(b).toEqual(a)
  })

  it('keeps the hand-set score as the named scorer `manual`', async () => {
    const r = await evaluate({ origem: calculo1, destino: calculo1Antigo }, { policy: { pontuacao: 'manual' } })
    expect(r.model_version).toBe('lexical-1.0.0')
    expect(r.meta.pontuacao).toBe('manual')
    expect(r.meta).not.toHaveProperty('fatores_modelo')
    expect(r.justificativa_detalhada).not.toContain('Fatores que mais pesaram')
  })

  it('lets a policy set its own thresholds on the model score', async () => {
    const pair = { origem: calculo1, destino: calculo1Antigo }
    const base = await evaluate(pair)
    const lenient = await evaluate(pair, { policy: { modelo: { score_deferido: Math.floor(base.score) } } })
    expect(lenient.score).toBe(base.score)
    expect(lenient.decisao).toBe('DEFERIDO')
    const strict = await evaluate(pair, { policy: { modelo: { score_revisao: 100, score_deferido: 100 } } })
    expect(strict.decisao).toBe('INDEFERIDO')
    // Hard rules still come first whatever the thresholds.
    const unapproved = await evaluate({ ...pair, origem: { ...calculo1, aprovado: false } }, { policy: { modelo: { score_deferido: 0 } } })
    expect(unapproved.decisao).toBe('INDEFERIDO')
  })

  it('decides a Portuguese pair on the Portuguese thresholds, unless the policy sets its own', async () => {
    const pair = { origem: calculo1, destino: calculo1Antigo }
    const pt = modelByVersion(DEFAULT_MODEL_VERSION)!.thresholdsByLanguage.pt!
    const base = await evaluate(pair)
    const expected = base.score >= pt.score_deferido ? 'DEFERIDO' : base.score < pt.score_revisao ? 'INDEFERIDO' : 'ANALISE_HUMANA'
    expect(base.decisao).toBe(expected)
    // A policy threshold replaces the model's in every language (here only the INDEFERIDO one is set).
    const own = await evaluate(pair, { policy: { modelo: { score_revisao: 0 } } })
    const global = modelByVersion(DEFAULT_MODEL_VERSION)!.thresholds
    expect(own.decisao).toBe(own.score >= global.score_deferido ? 'DEFERIDO' : 'ANALISE_HUMANA')
    // The earlier model stays selectable and names itself.
    const old = await evaluate(pair, { policy: { modelo: { versao: 'gbdt-pares-1' } } })
    expect(old.model_version).toBe('lexical-1.0.0+gbdt-pares-1')
  })

  it('refuses an unknown model version or crossed thresholds in a policy', () => {
    expect(PolicySchema.safeParse({ modelo: { versao: DEFAULT_MODEL_VERSION } }).success).toBe(true)
    const unknown = PolicySchema.safeParse({ modelo: { versao: 'gbdt-inexistente' } })
    expect(unknown.success).toBe(false)
    expect(unknown.error?.issues[0]?.path).toEqual(['modelo', 'versao'])
    expect(PolicySchema.safeParse({ modelo: { score_deferido: 40, score_revisao: 60 } }).success).toBe(false)
    expect(PolicySchema.safeParse({ pontuacao: 'outro' }).success).toBe(false)
  })

  it('names the target catalogue level among the deciding features, in Portuguese, against the credit', async () => {
    const course = (nome: string, ementa: string) => ({ nome, carga_horaria: null, ementa })
    const origem = course(
      'HIS 127 Women in American History',
      'Survey of the experiences of women in the United States from the colonial era to the present: work, family, suffrage, reform movements, civil rights and feminism.',
    )
    const ementa =
      'The history of women in the United States: colonial and early republic, work and family, suffrage, reform, the civil rights era, second-wave feminism and recent debates.'
    const upper = await evaluate({ origem, destino: course('HIST 3106 Women in U.S. History', ementa) })
    const lower = await evaluate({ origem, destino: course('HIST 16 Women in U.S. History', ementa) })
    const factor = (upper.meta.fatores_modelo as { fator: string; efeito: number; valor: number }[]).find((f) => f.fator === 'nivel_catalogo_destino')
    expect(factor).toMatchObject({ valor: 3 })
    expect(factor!.efeito).toBeLessThan(0)
    expect(upper.justificativa_detalhada).toContain('nível do destino pelo número de catálogo')
    expect(upper.score).toBeLessThan(lower.score)
    expect(upper.decisao).not.toBe('DEFERIDO')
  })

  it('scores with a semantic companion only when the semantic signals are there, and falls back to the lexical model', async () => {
    const lexical = modelByVersion(DEFAULT_MODEL_VERSION)!
    expect(lexical.requiresSemantic).toBe(false)
    // A one-split model on the syllabi's semantic similarity, accompanying the default model.
    const raw = {
      versao: 'teste-semantica',
      tipo: 'gbdt',
      features: ['semantica_ementas'],
      base_lexica: DEFAULT_MODEL_VERSION,
      base: 0,
      arvores: [{ feature: [0, -1, -1], threshold: [0.5, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, -3, 3] }],
      limiares: { score_deferido: 90, score_revisao: 10 },
    }
    const semantic = compileModel(raw)
    expect(semantic.requiresSemantic).toBe(true)
    const policy = PolicySchema.parse({})
    const scorer = scorerFor(lexical, policy, semantic)
    expect(scoringModel(scorer, true).model.version).toBe('teste-semantica')
    expect(scoringModel(scorer, false).model.version).toBe(lexical.version)
    expect(scoringModel(scorerFor(lexical, policy), true).model.version).toBe(lexical.version)
    // The shipped policy model has no companion: signals change nothing, and the lexical model never reads them.
    const pair = { origem: calculo1, destino: calculo1Antigo }
    const plain = await evaluate(pair)
    const withSignals = await evaluate(pair, { semantic: { titulos: 0.1, ementas: 0.1 } })
    expect(withSignals.score).toBe(plain.score)
    expect(withSignals.model_version).toBe(plain.model_version)
    // A semantic model must name the lexical model it accompanies, and only a semantic model may.
    expect(() => compileModel({ ...raw, base_lexica: undefined })).toThrow(/base_lexica/)
    expect(() => compileModel({ ...raw, features: ['cobertura'] })).toThrow(/base_lexica/)
    expect(MODEL_VERSIONS).not.toContain('teste-semantica')
  })

  it('refuses unrelated courses', async () => {
    const r = await evaluate({ origem: historiaDaArte, destino: estruturasDeDados })
    expect(r.decisao).toBe('INDEFERIDO')
    expect((r.meta.fatores_modelo as { efeito: number }[])[0]!.efeito).toBeLessThan(0)
  })
})
