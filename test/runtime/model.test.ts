import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { DEFAULT_POLICY, EvaluateRequestSchema, evaluateEquivalence } from '../../engine'
import { modelCase } from './model-case'

/** The model artefact (a JSON import) loads and answers alike in Node and Deno; workerd: test/workers/model.workers.test.ts. */
describe('the scoring model across runtimes', () => {
  it('Node: the shared case gets the expected answer', async () => {
    const r = await evaluateEquivalence(EvaluateRequestSchema.parse(modelCase.request), {
      policy: DEFAULT_POLICY,
      policyVersion: 'node',
      referenceDate: '2026-01-01',
    })
    const fatores = (r.meta.fatores_modelo as { fator: string }[]).map((f) => f.fator)
    expect({ decisao: r.decisao, score: r.score, model_version: r.model_version, fatores }).toEqual(modelCase.expected)
  })

  it('Deno: the same case gets the same answer', () => {
    const run = spawnSync('node_modules/.bin/deno', ['run', '--allow-read', '--allow-env', 'test/runtime/model-deno.ts'], { encoding: 'utf8', timeout: 120_000 })
    expect(run.status, run.stderr).toBe(0)
    const lines = run.stdout.trim().split('\n')
    expect(JSON.parse(lines[lines.length - 1]!)).toEqual(modelCase.expected)
  }, 150_000)
})
