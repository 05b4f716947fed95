import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../edge/config'
import { createPromAiMetrics } from '../../edge/lib/ai-metrics'
import { createMetrics } from '../../edge/lib/metrics'
import { createEdgeSemantic } from '../../edge/semantic'
import { startOpenAiStandIn, type OpenAiStandIn } from '../harness/openai-compatible'
import { createEdgeFixture, samplePair, type EdgeFixture, type TenantFixture } from '../edge/fixture'

/** The semantic tier through the real app and routes, as the entries wire it (edge/semantic.ts). */
let api: OpenAiStandIn
let f: EdgeFixture
let t: TenantFixture
const metrics = createMetrics()

beforeAll(async () => {
  api = await startOpenAiStandIn()
  const env = { EMBED_URL: api.baseUrl, AI_RETRIES: '0', AI_TIMEOUT_MS: '300', AI_BREAKER_FAILURES: '1000' }
  const config = parseConfig({ DATABASE_DRIVER: 'pglite', ...env })
  f = await createEdgeFixture({ env, deps: { metrics, semantic: createEdgeSemantic(config, { aiMetrics: createPromAiMetrics(metrics.registry) }) } })
  t = await f.createTenant()
})
afterAll(async () => {
  await f.close()
  await api.close()
})
beforeEach(() => api.reset())

const body = (suffix: string) => {
  const pair = samplePair()
  return { ...pair, origem: { ...pair.origem, ementa: `${pair.origem.ementa} ${suffix}` } }
}
const evaluate = (path: string, b: unknown) => f.call('POST', path, { key: t.keys['api-client'], body: b })

describe('evaluate with an embeddings provider', () => {
  it('maps semantically over /v2 and /v1, stores the vectors in Postgres, and counts the cost', async () => {
    const res = await evaluate('/v2/equivalences/evaluate', body('Séries.'))
    expect(res.status).toBe(200)
    const json = (await res.json()) as { model_version: string; meta: { semantico: { estado: string; chamadas_provedor: number } } }
    expect(json.model_version.startsWith('hibrido-1:lexical-1.0.0+openai:text-embedding-3-small')).toBe(true)
    expect(json.meta.semantico).toMatchObject({ estado: 'ok', chamadas_provedor: 1 })
    const stored = await f.database.pool.query('SELECT count(*)::int AS n FROM embedding_cache')
    expect(stored.rows[0].n).toBe(api.embeddedTexts.length)

    const v1 = await evaluate('/v1/equivalences/evaluate', body('Séries.'))
    expect(v1.status).toBe(200)
    expect(api.calls.embeddings).toBe(1)

    const scrape = await (await f.app.request('/metrics', { headers: { 'X-API-Key': t.keys.admin } })).text()
    expect(scrape).toMatch(/ee_ai_provider_calls_total\{model="openai:text-embedding-3-small",outcome="ok"\} 1/)
    expect(scrape).toMatch(/ee_ai_cache_hits_total\{layer="memoria"\} \d+/)
  })

  it.each(['500', '429', 'malformed', 'hang'] as const)('provider %s → 200, lexical, with the reason in meta', async (mode) => {
    api.mode = mode
    const res = await evaluate('/v2/equivalences/evaluate', body(`Modo ${mode}.`))
    expect(res.status).toBe(200)
    const json = (await res.json()) as { model_version: string; degraded_mode: boolean; meta: { semantico: { estado: string } } }
    expect(json.model_version.startsWith('lexical-1.0.0')).toBe(true)
    expect(json.meta.semantico.estado).toBe('fallback_lexical')
  })
})
