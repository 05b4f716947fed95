import { Redis } from '@upstash/redis'
import { createEmbeddingCacheRepository } from '../../db/repositories/embedding-cache'
import { EvaluateRequestSchema, PolicySchema, type EvaluateRequest, type Policy, type PolicyInput } from '../../engine/index'
import { createSemanticServices, parseAiConfig, type SemanticDeps } from '../../services/ai/index'
import { createCountingAiMetrics } from '../../services/ai/metrics'
import { startOpenAiStandIn, type OpenAiStandIn } from '../harness/openai-compatible'
import { createTestDatabase, type TestDatabase } from '../harness/postgres'
import { startUpstashRedis, type UpstashRedisStandIn } from '../harness/upstash-redis'

/** The real pieces a semantic test needs: Postgres, Redis behind the Upstash REST stand-in, the provider stand-in. */
export interface AiFixture {
  api: OpenAiStandIn
  db: TestDatabase
  upstash: UpstashRedisStandIn
  redis: Redis
  prefix: string
  services(env?: Record<string, string>, deps?: Partial<SemanticDeps>): ReturnType<typeof build>
  close(): Promise<void>
}

function build(fx: Omit<AiFixture, 'services' | 'close'>, env: Record<string, string>, deps: Partial<SemanticDeps>) {
  const metrics = createCountingAiMetrics()
  const config = parseAiConfig({ EMBED_URL: fx.api.baseUrl, AI_RETRIES: '0', AI_TIMEOUT_MS: '2000', ...env })
  const services = createSemanticServices(config, {
    redis: fx.redis,
    redisPrefix: fx.prefix,
    store: createEmbeddingCacheRepository(fx.db.db),
    metrics,
    ...deps,
  })!
  return { services, metrics }
}

export async function startAiFixture(): Promise<AiFixture> {
  const [api, db, upstash] = await Promise.all([startOpenAiStandIn(), createTestDatabase(), startUpstashRedis()])
  const redis = new Redis({ url: upstash.url, token: upstash.token, enableTelemetry: false })
  const prefix = `test:${crypto.randomUUID()}:`
  const fx = { api, db, upstash, redis, prefix }
  return {
    ...fx,
    services: (env = {}, deps = {}) => build(fx, env, deps),
    async close() {
      const keys = await upstash.redis.keys(`${prefix}*`)
      if (keys.length) await upstash.redis.del(...keys)
      await Promise.all([api.close(), upstash.close(), db.drop()])
    },
  }
}

export const policyOf = (semantico: PolicyInput['semantico'] = {}, rest: PolicyInput = {}): Policy =>
  PolicySchema.parse({ ...rest, semantico })

/** Invented syllabi (not from any dataset): a calculus target and an origin that says it in other words. */
export const CALCULO =
  'Limites e continuidade de funções reais. Derivadas e suas aplicações. Regras de derivação. Integral definida e indefinida. Técnicas de integração. Teorema fundamental do cálculo.'
export const CALCULO_OUTRAS_PALAVRAS =
  'Funções de uma variável real; noção de limite; funções contínuas. Derivação: regra da cadeia, máximos e mínimos. Integração por partes e por substituição; integrais definidas. O teorema fundamental.'
export const DIREITO =
  'Teoria geral do crime. Tipicidade, ilicitude e culpabilidade. Concurso de pessoas. Penas e medidas de segurança. Extinção da punibilidade.'

export function pair(destino: string, origem: string): EvaluateRequest {
  return EvaluateRequestSchema.parse({
    origem: { nome: 'Matemática A', carga_horaria: 90, ementa: origem, aprovado: true },
    destino: { nome: 'Cálculo Diferencial e Integral', carga_horaria: 90, ementa: destino },
  })
}
