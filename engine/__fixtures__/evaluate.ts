import { evaluateEquivalence, type EvaluationContext } from '../evaluate'
import { DEFAULT_POLICY, PolicySchema, type PolicyInput } from '../policy'
import { EvaluateRequestSchema, type EvaluateRequestInput, type EvaluateResponse } from '../schemas'

/** Parses a wire request like the edge does and evaluates it under the default (or a given) policy. */
export function evaluate(
  request: EvaluateRequestInput,
  options: { policy?: PolicyInput } & Partial<Omit<EvaluationContext, 'policy'>> = {},
): Promise<EvaluateResponse> {
  const { policy, ...ctx } = options
  return evaluateEquivalence(EvaluateRequestSchema.parse(request), {
    policy: policy ? PolicySchema.parse(policy) : DEFAULT_POLICY,
    policyVersion: 'test',
    referenceDate: '2026-03-01',
    ...ctx,
  })
}

export function rule(response: EvaluateResponse, regra: string) {
  const found = response.hard_rules.find((r) => r.regra === regra)
  if (!found) throw new Error(`no hard rule ${regra}`)
  return found
}
