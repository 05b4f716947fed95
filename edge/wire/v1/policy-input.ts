import { z } from '@hono/zod-openapi'
import { DEFAULT_POLICY, type PolicyInput as NativePolicyInput } from '../../../engine/index'
import { laxBool, laxInt, laxNumber } from './lax'

/**
 * The replaced service's `PolicyInput`, with its ranges, and its translation onto the native
 * policy. Only the keys a client sent are translated: the others keep the native defaults (the
 * original's defaults belong to its scoring formula, not ours). Unknown keys are ignored.
 */

const fraction = laxNumber(z.number().min(0).max(1))

export const V1WeightsSchema = z.object({
  cobertura: fraction.optional(),
  critica: fraction.optional(),
  /** Weight of the level penalty (0..1). */
  nivel: fraction.optional(),
})

export const V1PolicyInputSchema = z
  .object({
    min_score_deferir: laxInt(z.number().int().min(0).max(100)).optional(),
    min_score_complemento: laxInt(z.number().int().min(0).max(100)).optional(),
    /** Fraction of the target's hours required (1.0 = equal or more). */
    tolerancia_carga: laxNumber(z.number().gt(0).max(1)).optional(),
    exigir_criticos: laxBool(z.boolean()).optional(),
    max_anos_validade: laxInt(z.number().int().min(1).max(50)).nullable().optional(),
    weights: V1WeightsSchema.optional(),
    confidence_cutoff: fraction.optional(),
  })
  .openapi('PolicyInput')

export type V1PolicyInput = z.infer<typeof V1PolicyInputSchema>

/**
 * `min_score_complemento` is where human review starts, as in the original (its "complement"
 * band went to ANALISE_HUMANA); `tolerancia_carga` is the required fraction of the target's
 * hours, with no review band below it; `weights.nivel` × 100 is the points lost per level.
 */
export function toNativePolicy(p: V1PolicyInput): NativePolicyInput {
  const out: NativePolicyInput = {}
  if (p.min_score_deferir !== undefined) out.score_deferido = p.min_score_deferir
  if (p.min_score_complemento !== undefined) out.score_revisao = p.min_score_complemento
  if (p.exigir_criticos !== undefined) out.exigir_criticos = p.exigir_criticos
  if (p.max_anos_validade !== undefined) out.idade_maxima_anos = p.max_anos_validade
  if (p.confidence_cutoff !== undefined) out.confianca_minima = p.confidence_cutoff
  if (p.tolerancia_carga !== undefined) {
    out.carga_horaria =
      p.tolerancia_carga >= 1 ? { modo: 'igual_ou_maior', tolerancia: 0 } : { modo: 'fracao', fracao_minima: p.tolerancia_carga, tolerancia: 0 }
  }
  const w = p.weights
  if (w?.cobertura !== undefined || w?.critica !== undefined) {
    out.pesos = {
      ...(w.cobertura !== undefined ? { cobertura: w.cobertura } : {}),
      ...(w.critica !== undefined ? { cobertura_critica: w.critica } : {}),
    }
  }
  if (w?.nivel !== undefined) out.nivel = { penalidade_por_nivel: Math.round(w.nivel * 100) }
  // The original's thresholds and weights are the hand-set score's: a policy that sets them keeps
  // that scorer (the native default is the fitted model, whose thresholds are its own).
  if (out.score_deferido !== undefined || out.score_revisao !== undefined || out.pesos !== undefined) out.pontuacao = 'manual'
  // The native policy refuses a review threshold above the acceptance one. The original checked
  // DEFERIDO first, so such a pair meant "no review band": clamp, never refuse.
  const deferido = out.score_deferido ?? DEFAULT_POLICY.score_deferido
  const revisao = out.score_revisao ?? DEFAULT_POLICY.score_revisao
  if (revisao > deferido) {
    if (out.score_deferido === undefined) out.score_deferido = revisao
    else out.score_revisao = deferido
  }
  return out
}
