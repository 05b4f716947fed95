import { describe, expect, it } from 'vitest'
import { DEFAULT_POLICY, EvaluateRequestSchema, evaluateEquivalence, MODEL_VERSIONS } from '../../engine'
import { modelCase } from '../runtime/model-case'

/** Inside workerd: the model artefact bundled with the engine loads and answers as in Node and Deno. */
describe('the scoring model inside workerd', () => {
  it('loads the shipped artefact and gives the shared case the expected answer', async () => {
    expect(MODEL_VERSIONS.length).toBeGreaterThan(0)
    const r = await evaluateEquivalence(EvaluateRequestSchema.parse(modelCase.request), {
      policy: DEFAULT_POLICY,
      policyVersion: 'workerd',
      referenceDate: '2026-01-01',
    })
    const fatores = (r.meta.fatores_modelo as { fator: string }[]).map((f) => f.fator)
    expect({ decisao: r.decisao, score: r.score, model_version: r.model_version, fatores }).toEqual(modelCase.expected)
  })
})
