import { describe, expect, it } from 'vitest'
import { PolicySchema } from '../../../engine/index'
import { toNativePolicy } from './policy-input'

/** A /v1 policy's thresholds and weights mean the hand-set score; without them the model scores. */
describe('toNativePolicy and the scorer', () => {
  it('keeps the hand-set score when the original thresholds or weights are given', () => {
    expect(PolicySchema.parse(toNativePolicy({ min_score_deferir: 80 })).pontuacao).toBe('manual')
    expect(PolicySchema.parse(toNativePolicy({ min_score_complemento: 40 })).pontuacao).toBe('manual')
    expect(PolicySchema.parse(toNativePolicy({ weights: { cobertura: 0.5 } })).pontuacao).toBe('manual')
  })

  it('leaves the default (model) scorer otherwise', () => {
    expect(PolicySchema.parse(toNativePolicy({ exigir_criticos: false })).pontuacao).toBe('modelo')
    expect(PolicySchema.parse(toNativePolicy({})).pontuacao).toBe('modelo')
  })
})
