import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { evaluateEquivalence, type EvaluateRequest, type Policy } from '../../engine/index'
import { evaluateWithSemantic, type AiTally } from '../../services/ai/index'
import { CALCULO, CALCULO_OUTRAS_PALAVRAS, DIREITO, pair, policyOf, startAiFixture, type AiFixture } from './fixture'

let fx: AiFixture
beforeAll(async () => {
  fx = await startAiFixture()
})
afterAll(() => fx.close())
beforeEach(() => fx.api.reset())

const TENANT = 'tenant-a'
const ctx = (policy: Policy) => ({ policy, policyVersion: 'p1', referenceDate: '2026-01-01', clock: () => 0 })
type Services = ReturnType<AiFixture['services']>['services']
const run = (services: Services, request: EvaluateRequest, policy = policyOf(), tenant = TENANT) =>
  evaluateWithSemantic(request, ctx(policy), services, tenant)
type Semantico = AiTally & { estado: string; motivo?: string; textos_enviados: number }
const semantico = (r: { meta: Record<string, unknown> }) => r.meta.semantico as Semantico

describe('semantic mapping through embeddings', () => {
  it('maps with both signals in one batch call and names the hybrid in model_version', async () => {
    const { services } = fx.services()
    const r = await run(services, pair(CALCULO, CALCULO_OUTRAS_PALAVRAS))
    // The scoring model, when there is one, appends its own version.
    expect(r.model_version.startsWith('hibrido-1:lexical-1.0.0+openai:text-embedding-3-small:a0.6-p0.3-t0.8')).toBe(true)
    expect(r.degraded_mode).toBe(false)
    expect(semantico(r)).toMatchObject({ estado: 'ok', chamadas_provedor: 1 })
    // One request carried every topic of the target and every passage of the origin.
    expect(fx.api.calls.embeddings).toBe(1)
    expect(fx.api.embeddedTexts.length).toBeGreaterThanOrEqual(10)
    expect(semantico(r).textos_enviados).toBe(fx.api.embeddedTexts.length)

    const lexical = await evaluateEquivalence(pair(CALCULO, CALCULO_OUTRAS_PALAVRAS), ctx(policyOf()))
    expect(r.breakdown.cobertura).not.toBe(lexical.breakdown.cobertura)
  })

  it('ranks an unrelated course lower than a paraphrase', async () => {
    const { services } = fx.services()
    const same = await run(services, pair(CALCULO, CALCULO_OUTRAS_PALAVRAS))
    const other = await run(services, pair(CALCULO, DIREITO))
    expect(same.breakdown.cobertura).toBeGreaterThan(other.breakdown.cobertura + 0.2)
  })

  it('makes no provider call the second time: memory, then Redis, then Postgres', async () => {
    const request = pair(CALCULO, 'Cálculo de limites, derivadas e integrais; aplicações da derivada; séries.')
    const first = fx.services()
    await run(first.services, request)
    expect(fx.api.calls.embeddings).toBe(1)

    const again = await run(first.services, request)
    expect(fx.api.calls.embeddings).toBe(1)
    expect(semantico(again)).toMatchObject({ chamadas_provedor: 0 })
    expect(semantico(again).cache.memoria).toBeGreaterThan(0)

    // Another instance (empty memory) finds the vectors in Redis.
    const second = fx.services()
    const fromRedis = await run(second.services, request)
    expect(fx.api.calls.embeddings).toBe(1)
    expect(semantico(fromRedis).cache).toMatchObject({ memoria: 0, postgres: 0 })
    expect(semantico(fromRedis).cache.redis).toBeGreaterThan(0)

    // Redis flushed: Postgres still has them.
    const keys = await fx.upstash.redis.keys(`${fx.prefix}ai:emb:*`)
    await fx.upstash.redis.del(...keys)
    const third = fx.services()
    const fromPostgres = await run(third.services, request)
    expect(fx.api.calls.embeddings).toBe(1)
    expect(semantico(fromPostgres).cache.postgres).toBeGreaterThan(0)
    expect(fromPostgres.decisao).toBe(again.decisao)
    expect(fromPostgres.score).toBe(again.score)
  })

  it('never shares a cache entry between tenants', async () => {
    const request = pair(CALCULO, 'Derivadas parciais e integrais duplas; limites em várias variáveis.')
    const { services } = fx.services()
    await run(services, request, policyOf(), 'tenant-x')
    const calls = fx.api.calls.embeddings
    const other = await run(services, request, policyOf(), 'tenant-y')
    expect(fx.api.calls.embeddings).toBe(calls + 1)
    expect(semantico(other).cache).toEqual({ memoria: 0, redis: 0, postgres: 0, em_voo: 0 })
  })

  it('concurrent evaluations of the same texts send each text once', async () => {
    const request = pair(CALCULO, 'Sequências numéricas, séries de potências e convergência; limites e derivadas.')
    const { services } = fx.services()
    await Promise.all(Array.from({ length: 8 }, () => run(services, request, policyOf(), 'tenant-c')))
    expect(fx.api.calls.embeddings).toBe(1)
    expect(new Set(fx.api.embeddedTexts).size).toBe(fx.api.embeddedTexts.length)
  })

  it('with a taxonomy, embeds node texts and keeps node ids as concepts', async () => {
    const nodes = [
      { id: 'lim', area: 'mat', subarea: 'calc', conceito: 'Limites e continuidade', descricao: null, palavras_chave: ['limite'], nivel: 1, critico: false },
      { id: 'der', area: 'mat', subarea: 'calc', conceito: 'Derivadas', descricao: 'regras de derivação', palavras_chave: [], nivel: 1, critico: true },
      { id: 'pen', area: 'dir', subarea: 'penal', conceito: 'Teoria do crime', descricao: null, palavras_chave: [], nivel: 1, critico: false },
    ]
    const { services } = fx.services()
    const r = await evaluateWithSemantic(
      pair(CALCULO, CALCULO_OUTRAS_PALAVRAS),
      { ...ctx(policyOf()), taxonomy: { version: 't1', nodes: nodes as never } },
      services,
      TENANT,
    )
    expect(r.meta.fonte_conceitos).toBe('taxonomia')
    expect(r.evidence.map((e) => e.conceito_id)).not.toContain('pen')
    expect(semantico(r).estado).toBe('ok')
  })
})

describe('when the provider fails', () => {
  const request = () => pair(CALCULO, `Derivadas e integrais ${crypto.randomUUID()}; limites de funções.`)

  it.each(['500', '429', 'malformed', 'slow'] as const)('%s → lexical fallback by default, with the reason', async (mode) => {
    fx.api.mode = mode
    fx.api.slowMs = 1_000
    const { services, metrics } = fx.services({ AI_TIMEOUT_MS: '50' })
    const req = request()
    const r = await run(services, req)
    const lexical = await evaluateEquivalence(req, ctx(policyOf()))
    expect(r.model_version.startsWith('lexical-1.0.0')).toBe(true)
    expect(r.decisao).toBe(lexical.decisao)
    expect(r.score).toBe(lexical.score)
    expect(r.degraded_mode).toBe(false)
    const reason = { 500: 'server', 429: 'rate_limited', malformed: 'malformed', slow: 'timeout' }[mode]
    expect(semantico(r)).toMatchObject({ estado: 'fallback_lexical', motivo: reason })
    expect(metrics.totals.fallbacks[reason]).toBe(1)
  })

  it('em_falha: analise_humana → ANALISE_HUMANA with degraded_mode', async () => {
    fx.api.mode = '500'
    const { services } = fx.services()
    const r = await run(services, request(), policyOf({ em_falha: 'analise_humana' }))
    expect(r.decisao).toBe('ANALISE_HUMANA')
    expect(r.degraded_mode).toBe(true)
    expect(semantico(r)).toMatchObject({ estado: 'degradado', motivo: 'server' })
  })

  it('the circuit opens (no more calls), then closes when the provider is back', async () => {
    let now = 5_000_000
    fx.api.mode = '500'
    const { services } = fx.services({ AI_BREAKER_FAILURES: '2', AI_BREAKER_OPEN_MS: '60000' }, { now: () => now })
    await run(services, request())
    await run(services, request())
    expect(fx.api.calls.embeddings).toBe(2)
    const open = await run(services, request())
    expect(fx.api.calls.embeddings).toBe(2)
    expect(semantico(open)).toMatchObject({ estado: 'fallback_lexical', motivo: 'circuit_open', chamadas_provedor: 0 })

    fx.api.mode = 'ok'
    now += 60_000
    const back = await run(services, request())
    expect(semantico(back).estado).toBe('ok')
    expect(fx.api.calls.embeddings).toBe(3)
  })

  it('a used-up daily budget degrades without calling the provider', async () => {
    const { services } = fx.services({ AI_DAILY_TOKEN_BUDGET: '10' })
    const r = await run(services, request(), policyOf({ em_falha: 'analise_humana' }))
    expect(fx.api.calls.embeddings).toBe(0)
    expect(r.decisao).toBe('ANALISE_HUMANA')
    expect(semantico(r).motivo).toBe('budget_exhausted')
  })

  it('a policy with usar: false stays lexical and calls nothing', async () => {
    const { services } = fx.services()
    const r = await run(services, request(), policyOf({ usar: false }))
    expect(r.model_version.startsWith('lexical-1.0.0')).toBe(true)
    expect(r.meta.semantico).toBeUndefined()
    expect(fx.api.calls.embeddings).toBe(0)
  })
})
