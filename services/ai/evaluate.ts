import { evaluateEquivalence, type EvaluateRequest, type EvaluateResponse, type EvaluationContext } from '../../engine/index'
import type { SemanticServices } from './index'
import type { VectorStore } from './vector-cache'

/**
 * The engine with the semantic mapper when the tenant's policy and the deployment allow it.
 *
 * - The embeddings failed (provider down, slow, 429, malformed answer, open circuit, budget used
 *   up): with `em_falha: 'lexical'` the pair is evaluated again lexically (`model_version` then
 *   says `lexical-…`); with `'analise_humana'` the engine's own degraded answer stands
 *   (ANALISE_HUMANA, `degraded_mode: true`). Either way `meta.semantico` says why.
 * - The engine's mapping cache is not used on the semantic path: its key is taken before the
 *   mapper knows whether the LLM answered, and the vector and answer caches make a repeat cheap.
 */
export async function evaluateWithSemantic(
  request: EvaluateRequest,
  ctx: EvaluationContext,
  semantic: SemanticServices | null | undefined,
  tenantId: string,
  /** The request's Postgres vector layer (`createEmbeddingCacheRepository(db)`), when the services have none of their own. */
  store?: VectorStore,
): Promise<EvaluateResponse> {
  const mapper = semantic?.mapperFor({ tenantId, policy: ctx.policy, taxonomy: ctx.taxonomy, destinoEmenta: request.destino.ementa, store })
  if (!semantic || !mapper) return evaluateEquivalence(request, ctx)
  const { mappingCache: _engineCache, ...rest } = ctx
  const response = await evaluateEquivalence(request, { ...rest, mapper })
  const custo = mapper.tally
  if (mapper.failure) {
    semantic.metrics.fallback(mapper.failure)
    if (ctx.policy.semantico.em_falha === 'lexical') {
      const lexical = await evaluateEquivalence(request, ctx)
      lexical.meta = { ...lexical.meta, semantico: { estado: 'fallback_lexical', motivo: mapper.failure, ...custo } }
      return lexical
    }
    response.meta = { ...response.meta, semantico: { estado: 'degradado', motivo: mapper.failure, ...custo } }
    return response
  }
  response.meta = {
    ...response.meta,
    semantico: { estado: 'ok', modelo_embeddings: semantic.embeddings.model, ...custo, ...(mapper.llm ? { llm: mapper.llm } : {}) },
  }
  return response
}
