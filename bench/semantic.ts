/**
 * Semantic tier benchmark: `npm run bench:semantic` (tsx bench/semantic.ts).
 *
 * Against the OpenAI-compatible stand-in (test/harness/openai-compatible.ts) on loopback:
 * 1. cache: 1,000 pairs whose 100 distinct target syllabi repeat (200 distinct origins), 16 at a
 *    time: embedding calls, texts sent, and texts sent more than once (must be 0); again under a
 *    policy naming a semantic scoring model (a one-split model registered here), whose pair
 *    signals add the two titles and the two whole syllabi to each evaluation's batch;
 * 2. provider down for the whole run (no answer at all, then 500s): 1,000 evaluations, none may
 *    fail; latency p50/p99/max against the bound the timeout and retries set;
 * 3. the same through the HTTP app in process (real Postgres, results stored): 1,000
 *    POST /v2/equivalences/evaluate with the provider down, status codes counted (none may be 5xx).
 * Syllabi are generated here from an invented topic bank (no dataset text).
 */
import pLimit from 'p-limit'
import { DEFAULT_MODEL_VERSION, evaluateEquivalence, EvaluateRequestSchema, PolicySchema, type EvaluateRequest, type Policy } from '../engine/index'
import { registerModel } from '../engine/model/registry'
import { createCountingAiMetrics, createSemanticServices, evaluateWithSemantic, parseAiConfig } from '../services/ai/index'
import { parseConfig } from '../edge/config'
import { createEdgeSemantic } from '../edge/semantic'
import { createEdgeFixture } from '../test/edge/fixture'
import { startOpenAiStandIn, type StandInMode } from '../test/harness/openai-compatible'

const PAIRS = Number(process.env.BENCH_PAIRS ?? 1_000)
const TARGETS = 100
const ORIGINS = 200
const CONCURRENCY = 16
const TIMEOUT_MS = Number(process.env.BENCH_AI_TIMEOUT_MS ?? 250)
const RETRIES = 2
const MAX_BACKOFF_MS = 2_000

const BANK: Record<string, string[]> = {
  calculo: ['Limites e continuidade', 'Derivadas e regras de derivação', 'Aplicações da derivada', 'Integral definida', 'Técnicas de integração', 'Teorema fundamental do cálculo', 'Séries numéricas', 'Funções de várias variáveis', 'Derivadas parciais', 'Integrais múltiplas'],
  algebra: ['Matrizes e determinantes', 'Sistemas lineares', 'Espaços vetoriais', 'Transformações lineares', 'Autovalores e autovetores', 'Diagonalização', 'Produto interno', 'Ortogonalidade', 'Bases e dimensão', 'Formas quadráticas'],
  programacao: ['Algoritmos e lógica de programação', 'Variáveis e tipos de dados', 'Estruturas condicionais', 'Laços de repetição', 'Vetores e matrizes', 'Funções e procedimentos', 'Recursividade', 'Ponteiros', 'Arquivos', 'Depuração de programas'],
  penal: ['Teoria geral do crime', 'Tipicidade', 'Ilicitude', 'Culpabilidade', 'Concurso de pessoas', 'Penas privativas de liberdade', 'Medidas de segurança', 'Extinção da punibilidade', 'Crimes contra a pessoa', 'Crimes contra o patrimônio'],
  anatomia: ['Sistema esquelético', 'Sistema muscular', 'Sistema nervoso central', 'Sistema cardiovascular', 'Sistema respiratório', 'Sistema digestório', 'Sistema urinário', 'Sistema endócrino', 'Sistema reprodutor', 'Anatomia de superfície'],
}
const AREAS = Object.keys(BANK)

/** Deterministic pseudo-random numbers (mulberry32), so every run builds the same syllabi. */
function rng(seed: number) {
  return () => {
    seed |= 0
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function syllabus(area: string, seed: number, n: number): string {
  const random = rng(seed)
  const topics = [...BANK[area]!].sort(() => random() - 0.5).slice(0, n)
  return `${topics.map((t, i) => `${i + 1}. ${t}`).join('. ')}. Unidade ${seed}.`
}

const targets = Array.from({ length: TARGETS }, (_, i) => ({ area: AREAS[i % AREAS.length]!, ementa: syllabus(AREAS[i % AREAS.length]!, 1000 + i, 6) }))
const origins = Array.from({ length: ORIGINS }, (_, i) => ({ area: AREAS[i % AREAS.length]!, ementa: syllabus(AREAS[i % AREAS.length]!, 5000 + i, 7) }))

const requests: EvaluateRequest[] = Array.from({ length: PAIRS }, (_, i) => {
  const t = targets[i % TARGETS]!
  const o = origins[(i * 7) % ORIGINS]!
  return EvaluateRequestSchema.parse({
    origem: { nome: `Disciplina ${o.area}`, carga_horaria: 60, ementa: o.ementa },
    destino: { nome: `Disciplina ${t.area}`, carga_horaria: 60, ementa: t.ementa },
  })
})

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
const ms = (x: number) => `${x.toFixed(1)} ms`

async function runAll(policy: Policy, evaluate: (r: EvaluateRequest) => Promise<{ decisao: string; degraded_mode: boolean; meta: Record<string, unknown> }>) {
  const limit = pLimit(CONCURRENCY)
  const latencies: number[] = []
  const outcomes = { ok: 0, failed: 0, degraded: 0, fallback: 0, decisions: {} as Record<string, number> }
  const t0 = performance.now()
  await Promise.all(
    requests.map((r) =>
      limit(async () => {
        const start = performance.now()
        try {
          const res = await evaluate(r)
          outcomes.ok++
          if (res.degraded_mode) outcomes.degraded++
          if ((res.meta.semantico as { estado?: string } | undefined)?.estado === 'fallback_lexical') outcomes.fallback++
          outcomes.decisions[res.decisao] = (outcomes.decisions[res.decisao] ?? 0) + 1
        } catch {
          outcomes.failed++
        }
        latencies.push(performance.now() - start)
      }),
    ),
  )
  void policy
  const wall = performance.now() - t0
  latencies.sort((a, b) => a - b)
  return { outcomes, wall, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1]! }
}

const api = await startOpenAiStandIn()
// The cache run keeps the default timeout (a loaded loopback server must not time out and be asked again).
const cacheEnv = { EMBED_URL: api.baseUrl }
const env = { EMBED_URL: api.baseUrl, AI_TIMEOUT_MS: String(TIMEOUT_MS), AI_RETRIES: String(RETRIES) }
try {
  // 1. Repeated syllabi: each distinct text reaches the provider at most once.
  {
    const metrics = createCountingAiMetrics()
    const services = createSemanticServices(parseAiConfig(cacheEnv), { metrics })!
    const policy = PolicySchema.parse({})
    const run = await runAll(policy, (r) => evaluateWithSemantic(r, { policy, policyVersion: 'bench', referenceDate: '2026-01-01' }, services, 'bench-tenant'))
    const sent = api.embeddedTexts
    const distinctSent = new Set(sent).size
    console.log(`cache: ${PAIRS} pairs, ${TARGETS} distinct targets, ${ORIGINS} distinct origins, ${CONCURRENCY} at a time`)
    console.log(`  evaluations ok ${run.outcomes.ok}, failed ${run.outcomes.failed}, lexical fallback ${run.outcomes.fallback}; decisions ${JSON.stringify(run.outcomes.decisions)}`)
    console.log(`  embedding calls ${api.calls.embeddings}; texts sent ${sent.length}, distinct ${distinctSent}, sent more than once ${sent.length - distinctSent}`)
    console.log(`  cache hits ${JSON.stringify(metrics.totals.cacheHits)}; tokens ${metrics.totals.tokens}`)
    console.log(`  wall ${ms(run.wall)} (${((PAIRS / run.wall) * 1000).toFixed(0)} evaluations/s), p50 ${ms(run.p50)}, p99 ${ms(run.p99)}`)
  }

  // 1b. The same with a semantic scoring model: the pair signals ride in the same batches and caches.
  {
    api.reset()
    registerModel({
      versao: 'bench-semantico',
      tipo: 'gbdt',
      features: ['semantica_ementas'],
      base_lexica: DEFAULT_MODEL_VERSION,
      base: 0,
      arvores: [{ feature: [0, -1, -1], threshold: [0.5, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, -3, 3] }],
      limiares: { score_deferido: 90, score_revisao: 10 },
    })
    const metrics = createCountingAiMetrics()
    const services = createSemanticServices(parseAiConfig(cacheEnv), { metrics })!
    const policy = PolicySchema.parse({ modelo: { versao: 'bench-semantico' } })
    const run = await runAll(policy, (r) => evaluateWithSemantic(r, { policy, policyVersion: 'bench', referenceDate: '2026-01-01' }, services, 'bench-tenant-2'))
    const sent = api.embeddedTexts
    const distinctSent = new Set(sent).size
    console.log(`cache, policy on a semantic scoring model (pair signals): ${PAIRS} pairs`)
    console.log(`  evaluations ok ${run.outcomes.ok}, failed ${run.outcomes.failed}, lexical fallback ${run.outcomes.fallback}; decisions ${JSON.stringify(run.outcomes.decisions)}`)
    console.log(`  embedding calls ${api.calls.embeddings}; texts sent ${sent.length}, distinct ${distinctSent}, sent more than once ${sent.length - distinctSent}`)
    console.log(`  cache hits ${JSON.stringify(metrics.totals.cacheHits)}; tokens ${metrics.totals.tokens}`)
    console.log(`  wall ${ms(run.wall)} (${((PAIRS / run.wall) * 1000).toFixed(0)} evaluations/s), p50 ${ms(run.p50)}, p99 ${ms(run.p99)}`)
  }

  // 2. Provider down for the whole run.
  const bound = (RETRIES + 1) * TIMEOUT_MS + RETRIES * MAX_BACKOFF_MS
  for (const mode of ['hang', '500'] as StandInMode[]) {
    for (const em_falha of ['lexical', 'analise_humana'] as const) {
      api.reset()
      api.mode = mode
      const services = createSemanticServices(parseAiConfig(env), {})!
      const policy = PolicySchema.parse({ semantico: { em_falha } })
      const run = await runAll(policy, (r) => evaluateWithSemantic(r, { policy, policyVersion: 'bench', referenceDate: '2026-01-01' }, services, 'bench-down'))
      console.log(`provider down (${mode}), em_falha=${em_falha}: ${PAIRS} evaluations`)
      console.log(`  answered ${run.outcomes.ok}, failed ${run.outcomes.failed}; degraded ${run.outcomes.degraded}, lexical fallback ${run.outcomes.fallback}; decisions ${JSON.stringify(run.outcomes.decisions)}`)
      console.log(`  provider requests ${api.calls.embeddings} (the circuit opened after the first failures)`)
      console.log(`  p50 ${ms(run.p50)}, p99 ${ms(run.p99)}, max ${ms(run.max)}; bound (retries+1)·timeout + retries·max back-off = ${bound} ms`)
    }
  }

  // 3. Provider down, through the HTTP app: every answer must be a 2xx.
  {
    api.reset()
    api.mode = 'hang'
    const config = parseConfig({ DATABASE_DRIVER: 'pglite', ...env })
    const f = await createEdgeFixture({ env, deps: { semantic: createEdgeSemantic(config) } })
    try {
      const t = await f.createTenant()
      const statuses: Record<number, number> = {}
      const policy = PolicySchema.parse({})
      const run = await runAll(policy, async (r) => {
        const res = await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body: r })
        statuses[res.status] = (statuses[res.status] ?? 0) + 1
        const json = (await res.json()) as { decisao: string; degraded_mode: boolean; meta: Record<string, unknown> }
        if (res.status >= 500) throw new Error(`HTTP ${res.status}`)
        return json
      })
      const fivexx = Object.entries(statuses).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0)
      console.log(`HTTP, provider down (hang), em_falha=lexical: ${PAIRS} POST /v2/equivalences/evaluate`)
      console.log(`  statuses ${JSON.stringify(statuses)}, 5xx ${fivexx}; lexical fallback ${run.outcomes.fallback}; provider requests ${api.calls.embeddings}`)
      console.log(`  p50 ${ms(run.p50)}, p99 ${ms(run.p99)}, max ${ms(run.max)} (bound ${bound} ms + the request's own work)`)
    } finally {
      await f.close()
    }
  }

  // Reference: the lexical engine alone on the same pairs.
  const policy = PolicySchema.parse({})
  const lexical = await runAll(policy, (r) => evaluateEquivalence(r, { policy, policyVersion: 'bench', referenceDate: '2026-01-01' }))
  console.log(`lexical only: p50 ${ms(lexical.p50)}, p99 ${ms(lexical.p99)}`)
} finally {
  await api.close()
}
