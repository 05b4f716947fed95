/** Run by test/runtime/model.test.ts under Deno: evaluates the shared case and prints what it got. */
import { DEFAULT_POLICY, EvaluateRequestSchema, evaluateEquivalence } from '../../engine'
import { modelCase } from './model-case'

const r = await evaluateEquivalence(EvaluateRequestSchema.parse(modelCase.request), {
  policy: DEFAULT_POLICY,
  policyVersion: 'deno',
  referenceDate: '2026-01-01',
})
const fatores = (r.meta.fatores_modelo as { fator: string }[]).map((f) => f.fator)
console.log(JSON.stringify({ decisao: r.decisao, score: r.score, model_version: r.model_version, fatores }))
