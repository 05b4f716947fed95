import { evaluateEquivalence, type EvaluateRequest, type EvaluateResponse, type EvaluationContext } from '../../engine/index'
import { resolveScorer } from '../../engine/model/registry'
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
 * - A policy whose model (`modelo.versao`) is a semantic one also needs the pair's semantic
 *   signals (cosines of the two titles and syllabi, pair-signals.ts, as training computes them):
 *   the four texts go in the mapper's first batch, so the evaluation still makes one provider
 *   request, and the engine reads `ctx.semantic` once the mapping is done (it scores after
 *   mapping). Without them — provider failed, or the syllabi too short for the mapper to run —
 *   the model's lexical base scores, and `model_version` / `meta.modelo` name the one that did.
 */
export async function evaluateWithSemantic(
  request: EvaluateRequest,
  ctx: EvaluationContext,
  semantic: SemanticServices | null | undefined,
  tenantId: string,
  /** The request's Postgres vector layer (`createEmbeddingCacheRepository(db)`), when the services have none of their own. */
  store?: VectorStore,
): Promise<EvaluateResponse> {
  const scorer = resolveScorer(ctx.policy)
  const wantsPairSignals = scorer.model !== null && scorer.semantic !== null
  const mapper = semantic?.mapperFor({
    tenantId,
    policy: ctx.policy,
    taxonomy: ctx.taxonomy,
    destinoEmenta: request.destino.ementa,
    store,
    ...(wantsPairSignals ? { pair: request } : {}),
  })
  if (!semantic || !mapper) return evaluateEquivalence(request, ctx)
  const { mappingCache: _engineCache, semantic: _signals, ...rest } = ctx
  const engineCtx: EvaluationContext = { ...rest, mapper }
  // Read by the engine after the mapper ran (see above); null until then and after a failure.
  if (wantsPairSignals) Object.defineProperty(engineCtx, 'semantic', { get: () => mapper.pairSignals, enumerable: true })
  const response = await evaluateEquivalence(request, engineCtx)
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
    semantico: {
      estado: 'ok',
      modelo_embeddings: semantic.embeddings.model,
      ...custo,
      ...(mapper.llm ? { llm: mapper.llm } : {}),
      // What the semantic scoring model read (semantica_titulos, semantica_ementas).
      ...(mapper.pairSignals ? { similaridades_par: mapper.pairSignals } : {}),
    },
  }
  return response
}
