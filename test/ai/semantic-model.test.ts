import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../edge/config'
import { createEdgeSemantic } from '../../edge/semantic'
import { DEFAULT_MODEL_VERSION, EvaluateRequestSchema, PolicySchema, type EvaluateRequest } from '../../engine/index'
import { registerModel } from '../../engine/model/registry'
import { createSemanticServices, embedPairSignals, evaluateWithSemantic, pairSignalTexts, parseAiConfig } from '../../services/ai/index'
import { emptyTally } from '../../services/ai/metrics'
import { createEdgeFixture, type EdgeFixture, type TenantFixture } from '../edge/fixture'
import { startOpenAiStandIn, type OpenAiStandIn } from '../harness/openai-compatible'

/**
 * Issue 14: a scoring model fitted on the semantic pair signals, end to end. It is trained here
 * by the real command (`bench/train.ts --mapper semantic`, against the provider stand-in) on
 * invented pairs, registered, named by a tenant's policy (`modelo.versao`) and served through the
 * HTTP app: with the provider up it scores (the cosines computed by the same function training
 * used); with the provider down its lexical base does, and the answer says so.
 */
const run = promisify(execFile)
const VERSION = 'teste-semantico-1'

const BANK: Record<string, { titles: [string, string]; topics: string[] }> = {
  calculo: {
    titles: ['Cálculo Diferencial e Integral', 'Matemática para Engenharia'],
    topics: ['Limites e continuidade', 'Derivadas e regras de derivação', 'Aplicações da derivada', 'Integral definida', 'Técnicas de integração', 'Teorema fundamental do cálculo', 'Séries numéricas', 'Máximos e mínimos'],
  },
  algebra: {
    titles: ['Álgebra Linear', 'Geometria Analítica e Vetores'],
    topics: ['Matrizes e determinantes', 'Sistemas lineares', 'Espaços vetoriais', 'Transformações lineares', 'Autovalores e autovetores', 'Diagonalização', 'Produto interno', 'Bases e dimensão'],
  },
  programacao: {
    titles: ['Algoritmos e Programação', 'Introdução à Computação'],
    topics: ['Lógica de programação', 'Variáveis e tipos de dados', 'Estruturas condicionais', 'Laços de repetição', 'Vetores e matrizes', 'Funções e procedimentos', 'Recursividade', 'Arquivos'],
  },
  penal: {
    titles: ['Direito Penal', 'Teoria do Delito'],
    topics: ['Teoria geral do crime', 'Tipicidade', 'Ilicitude', 'Culpabilidade', 'Concurso de pessoas', 'Penas privativas de liberdade', 'Medidas de segurança', 'Extinção da punibilidade'],
  },
  anatomia: {
    titles: ['Anatomia Humana', 'Morfologia do Corpo Humano'],
    topics: ['Sistema esquelético', 'Sistema muscular', 'Sistema nervoso central', 'Sistema cardiovascular', 'Sistema respiratório', 'Sistema digestório', 'Sistema urinário', 'Sistema endócrino'],
  },
}
const AREAS = Object.keys(BANK)
const PLACES = ['Aurora', 'Bosque', 'Cerrado', 'Duna', 'Estuário', 'Floresta', 'Geada', 'Horizonte', 'Ilha', 'Jardim', 'Lago', 'Monte', 'Nascente', 'Oásis', 'Planície', 'Restinga', 'Serra', 'Trilha', 'Vale', 'Várzea']

const syllabus = (area: string, shift: number) => {
  const t = BANK[area]!.topics
  return Array.from({ length: 6 }, (_, k) => t[(k + shift) % t.length]!).join('. ') + '.'
}

/** Invented labelled pairs: the same area (other title, topics in another order) is equivalent, another area is not. */
function labelledPairs(n: number) {
  return Array.from({ length: n }, (_, i) => {
    const area = AREAS[i % AREAS.length]!
    const equivalent = i % 2 === 0
    const other = equivalent ? area : AREAS[(i + 1 + (i % 3)) % AREAS.length]!
    const place = PLACES[i % PLACES.length]!
    return {
      id: `sem-${i}`,
      lang: 'pt',
      label: equivalent ? 'equivalent' : 'not_equivalent',
      origem: { nome: `${BANK[other]!.titles[1]} ${place}`, carga_horaria: 60, ementa: syllabus(other, i), aprovado: true },
      destino: { nome: `${BANK[area]!.titles[0]} ${PLACES[(i + 7) % PLACES.length]}`, carga_horaria: 60, ementa: syllabus(area, i + 3) },
    }
  })
}

let api: OpenAiStandIn
let f: EdgeFixture
let t: TenantFixture
let dir: string
let artefact: { versao: string; base_lexica: string; features: string[] }
const env = () => ({ EMBED_URL: api.baseUrl, AI_RETRIES: '0', AI_TIMEOUT_MS: '2000', AI_BREAKER_FAILURES: '1000' })
const tsx = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', ...args], { env: { ...process.env, ...env() }, cwd: process.cwd(), maxBuffer: 16 << 20 })

beforeAll(async () => {
  api = await startOpenAiStandIn()
  dir = mkdtempSync(join(tmpdir(), 'sem14-'))
  writeFileSync(join(dir, 'pares.jsonl'), labelledPairs(60).map((p) => JSON.stringify(p)).join('\n') + '\n')
  // The real training command, through the stand-in provider (the semantic features only, so
  // that the factors the answer names are the semantic ones).
  await tsx([
    'bench/train.ts',
    join(dir, 'pares.jsonl'),
    '--mapper', 'semantic',
    '--base', DEFAULT_MODEL_VERSION,
    '--version', VERSION,
    '--features', 'semantica_titulos,semantica_ementas',
    '--trees', '10',
    '--min-precision', '0.5',
    '--min-accuracy', '0.5',
    '--out', join(dir, 'modelo.json'),
  ])
  artefact = JSON.parse(readFileSync(join(dir, 'modelo.json'), 'utf8'))
  registerModel(artefact)
  const config = parseConfig({ DATABASE_DRIVER: 'pglite', ...env() })
  f = await createEdgeFixture({ env: env(), deps: { semantic: createEdgeSemantic(config) } })
  t = await f.createTenant()
  const created = await f.call('POST', '/admin/policies', { key: t.keys.admin, body: { version: 'semantica', config: { modelo: { versao: VERSION } }, is_default: true } })
  expect(created.status).toBe(201)
}, 180_000)
afterAll(async () => {
  await f?.close()
  await api?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})
beforeEach(() => api.reset())

const request = (suffix: string): EvaluateRequest =>
  EvaluateRequestSchema.parse({
    origem: { nome: 'Matemática para Engenharia', carga_horaria: 60, ementa: `${syllabus('calculo', 2)} ${suffix}`, aprovado: true },
    destino: { nome: 'Cálculo Diferencial e Integral', carga_horaria: 60, ementa: syllabus('calculo', 5) },
  })

interface Answer {
  decisao: string
  score: number
  degraded_mode: boolean
  model_version: string
  justificativa: string
  evidence: unknown
  meta: {
    modelo?: string
    fatores_modelo?: { fator: string; descricao: string }[]
    semantico: { estado: string; chamadas_provedor: number; textos_enviados: number; similaridades_par?: { titulos: number; ementas: number } }
  }
}
const evaluate = async (body: unknown) => {
  const res = await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body })
  expect(res.status).toBe(200)
  return (await res.json()) as Answer
}
/** What must not change between two evaluations of one input under the same versions. */
const decisionOf = (a: Answer) => ({
  decisao: a.decisao,
  score: a.score,
  degraded_mode: a.degraded_mode,
  model_version: a.model_version,
  justificativa: a.justificativa,
  evidence: a.evidence,
  modelo: a.meta.modelo,
  fatores: a.meta.fatores_modelo,
})

describe('a semantic scoring model named by the policy', () => {
  it('was fitted by the training command on the semantic features, beside its lexical base', () => {
    expect(artefact).toMatchObject({ versao: VERSION, base_lexica: DEFAULT_MODEL_VERSION, features: ['semantica_titulos', 'semantica_ementas'] })
    expect(PolicySchema.parse({ modelo: { versao: VERSION } }).modelo.versao).toBe(VERSION)
    // A version is one set of weights; a semantic model needs a known lexical base.
    expect(() => registerModel({ ...artefact, base: 1.5 })).toThrow(/already registered/)
    expect(registerModel(artefact).version).toBe(VERSION)
    expect(() => registerModel({ ...artefact, versao: 'sem-base', base_lexica: 'nao-existe' })).toThrow(/unknown lexical base/)
    expect(() => PolicySchema.parse({ modelo: { versao: 'sem-base' } })).toThrow()
  })

  it('scores through the HTTP API with the provider up, from one provider request, and the same input gives the same answer', async () => {
    const first = await evaluate(request('Unidade um.'))
    expect(first.model_version.startsWith('hibrido-1:lexical-1.0.0+openai:')).toBe(true)
    expect(first.model_version.endsWith(`+${VERSION}`)).toBe(true)
    expect(first.meta.modelo).toBe(VERSION)
    expect(first.meta.semantico).toMatchObject({ estado: 'ok', chamadas_provedor: 1 })
    // The factors are the semantic features, in Portuguese.
    expect(first.meta.fatores_modelo!.length).toBeGreaterThan(0)
    for (const factor of first.meta.fatores_modelo!) {
      expect(['semantica_titulos', 'semantica_ementas']).toContain(factor.fator)
      expect(factor.descricao).toMatch(/^semelhança semântica d(os nomes|as ementas) \(embeddings\)$/)
    }
    // The four pair texts went in the evaluation's one batch, and the cosines are the training function's.
    const texts = pairSignalTexts(request('Unidade um.'))
    for (const text of texts) expect(api.embeddedTexts).toContain(text)
    const services = createSemanticServices(parseAiConfig(env()))!
    const expected = await embedPairSignals(services.embeddings, 'other', request('Unidade um.'), emptyTally())
    expect(first.meta.semantico.similaridades_par).toEqual(expected)

    const again = await evaluate(request('Unidade um.'))
    expect(again.meta.semantico.chamadas_provedor).toBe(0)
    expect(decisionOf(again)).toEqual(decisionOf(first))
  })

  it.each(['500', 'hang'] as const)('provider %s → 200, its lexical base scores and the answer names it; repeatable', async (mode) => {
    api.mode = mode
    const down = await evaluate(request(`Modo ${mode}.`))
    expect(down.model_version).toBe(`lexical-1.0.0+${DEFAULT_MODEL_VERSION}`)
    expect(down.meta.modelo).toBe(DEFAULT_MODEL_VERSION)
    expect(down.meta.semantico.estado).toBe('fallback_lexical')
    expect(down.meta.semantico.similaridades_par).toBeUndefined()
    for (const factor of down.meta.fatores_modelo ?? []) expect(factor.fator.startsWith('semantica_')).toBe(false)
    const again = await evaluate(request(`Modo ${mode}.`))
    expect(decisionOf(again)).toEqual(decisionOf(down))
  })

  it('with em_falha: analise_humana the degraded answer is scored by the lexical base too', async () => {
    api.mode = '500'
    const services = createSemanticServices(parseAiConfig(env()))!
    const policy = PolicySchema.parse({ modelo: { versao: VERSION }, semantico: { em_falha: 'analise_humana' } })
    const ctx = { policy, policyVersion: 'p', referenceDate: '2026-01-01', clock: () => 0 }
    const a = await evaluateWithSemantic(request('Degradado.'), ctx, services, 'tenant-x')
    expect(a.degraded_mode).toBe(true)
    expect(a.decisao).toBe('ANALISE_HUMANA')
    expect(a.model_version).toMatch(new RegExp(`^hibrido-1:.*\\+${DEFAULT_MODEL_VERSION}$`))
    expect(a.meta.modelo).toBe(DEFAULT_MODEL_VERSION)
    expect((a.meta.semantico as { estado: string }).estado).toBe('degradado')
    const b = await evaluateWithSemantic(request('Degradado.'), ctx, services, 'tenant-x')
    expect({ ...b, timings_ms: null, meta: { ...b.meta, semantico: null } }).toEqual({ ...a, timings_ms: null, meta: { ...a.meta, semantico: null } })
  })

  it('a policy on the lexical base is not scored by the semantic model, signals or not', async () => {
    const services = createSemanticServices(parseAiConfig(env()))!
    const policy = PolicySchema.parse({ modelo: { versao: DEFAULT_MODEL_VERSION } })
    const a = await evaluateWithSemantic(request('Base.'), { policy, policyVersion: 'p', referenceDate: '2026-01-01' }, services, 'tenant-y')
    expect(a.model_version.endsWith(`+${DEFAULT_MODEL_VERSION}`)).toBe(true)
    expect((a.meta.semantico as { similaridades_par?: unknown }).similaridades_par).toBeUndefined()
    // Nor are the four pair texts embedded for it.
    expect(api.embeddedTexts).not.toContain('Cálculo Diferencial e Integral')
  })

  it('npm run eval --mapper semantic reports the lexical summary, scored by the model the policy names', async () => {
    writeFileSync(join(dir, 'politica.json'), JSON.stringify({ modelo: { versao: VERSION } }))
    const file = join(dir, 'pares.jsonl')
    const semantic = await tsx(['bench/eval.ts', file, '--mapper', 'semantic', '--policy', join(dir, 'politica.json'), '--model', join(dir, 'modelo.json')])
    const lexical = await tsx(['bench/eval.ts', file])
    expect(semantic.stdout).toContain(`: model ${VERSION} (pairs scored by: ${VERSION} 60)`)
    expect(lexical.stdout).toContain(`: model ${DEFAULT_MODEL_VERSION} (pairs scored by: ${DEFAULT_MODEL_VERSION} 60)`)
    // The same summary: the same lines, numbers aside, plus what the semantic tier cost.
    const shape = (out: string) =>
      out
        .split('\n')
        .filter((l) => !l.startsWith('semantic:'))
        .map((l) =>
          l
            .replace(/\[semantic [^\]]+\]/, '')
            .replace(new RegExp(`${VERSION}|${DEFAULT_MODEL_VERSION}`, 'g'), 'M')
            .replace(/\s*n\/a|\d+(\.\d+)?/g, '#')
            .replace(/\s+/g, ' ')
            .replace(' :', ':'),
        )
    expect(shape(semantic.stdout)).toEqual(shape(lexical.stdout))
    expect(semantic.stdout).toMatch(/semantic: provider calls \{"openai:text-embedding-3-small:ok":\d+\}/)
  }, 120_000)
})
