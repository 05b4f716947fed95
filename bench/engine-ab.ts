/**
 * Engine against a baseline, interleaved in one process: `npx tsx bench/engine-ab.ts BASELINE_DIR
 * [--rounds 12] [--n 8000] [FILE.jsonl]`, where BASELINE_DIR is another checkout
 * (`git worktree add /tmp/base <commit>`; link its node_modules to this one's).
 *
 * On a shared machine two separate `npm run bench:engine` runs see different load; here the two
 * engines take turns, `n` cold evaluations each (word→stem memo cleared before every turn), over
 * the same pairs with their default policies, and the report is the median of the per-round
 * ratios of CPU time per evaluation (baseline / this tree: above 1, this tree is faster). This
 * tree's hand-set scorer (`pontuacao: manual`) takes a turn too, to tell the model's cost apart.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import * as current from '../engine'
import { clearStemMemo } from '../engine/text/stem'
import { DEFAULT_PAIRS_FILE, readPairs, toRequest } from './lib/pairs'

type Engine = Pick<typeof current, 'evaluateEquivalence' | 'EvaluateRequestSchema' | 'DEFAULT_POLICY'>

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '12' }, n: { type: 'string', default: '8000' } },
})
if (!positionals[0]) {
  console.error('usage: npx tsx bench/engine-ab.ts BASELINE_DIR [FILE.jsonl] [--rounds 12] [--n 8000]')
  process.exit(2)
}
const baselineDir = resolve(positionals[0])
const file = positionals[1] ?? DEFAULT_PAIRS_FILE
const rounds = Number(values.rounds)
const n = Number(values.n)

const baseline = (await import(`${baselineDir}/engine/index.ts`)) as Engine
const baselineStem = (await import(`${baselineDir}/engine/text/stem.ts`)) as { clearStemMemo: () => void }
const pairs = readPairs(file)

interface Turn {
  engine: Engine
  requests: unknown[]
  clear: () => void
  policy: unknown
}

function turn(engine: Engine, clear: () => void, policy: unknown): Turn {
  return { engine, requests: pairs.map((p) => engine.EvaluateRequestSchema.parse(toRequest(p))), clear, policy }
}

/** CPU microseconds per evaluation over `count` cold evaluations. */
async function run(t: Turn, count: number): Promise<number> {
  t.clear()
  const start = process.cpuUsage()
  const evaluate = t.engine.evaluateEquivalence as (r: unknown, ctx: unknown) => Promise<unknown>
  for (let i = 0; i < count; i++) {
    await evaluate(t.requests[i % t.requests.length], { policy: t.policy, policyVersion: 'ab', referenceDate: '2026-01-01' })
  }
  const used = process.cpuUsage(start)
  return (used.user + used.system) / count
}

const base = turn(baseline, baselineStem.clearStemMemo, baseline.DEFAULT_POLICY)
const model = turn(current, clearStemMemo, current.DEFAULT_POLICY)
const manual = turn(current, clearStemMemo, current.PolicySchema.parse({ pontuacao: 'manual' }))
for (const t of [base, model, manual, base, model, manual]) await run(t, n) // JIT warm-up

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const ratios = { model: [] as number[], manual: [] as number[] }
const cpu = { base: [] as number[], model: [] as number[], manual: [] as number[] }
for (let r = 0; r < rounds; r++) {
  const b = await run(base, n)
  const m = await run(model, n)
  const h = await run(manual, n)
  cpu.base.push(b)
  cpu.model.push(m)
  cpu.manual.push(h)
  ratios.model.push(b / m)
  ratios.manual.push(b / h)
}
console.log(`engine A/B: ${pairs.length} pairs from ${file}, ${rounds} rounds of ${n} cold evaluations per engine, baseline ${baselineDir}`)
console.log(
  `CPU µs per evaluation (median): baseline ${median(cpu.base).toFixed(1)}, this tree ${median(cpu.model).toFixed(1)} (model), ${median(cpu.manual).toFixed(1)} (pontuacao: manual)`,
)
console.log(`per-round throughput ratios this/baseline (model): ${ratios.model.map((x) => x.toFixed(2)).join(' ')}`)
console.log(`throughput_ratio_model=${median(ratios.model).toFixed(3)}`)
console.log(`throughput_ratio_manual=${median(ratios.manual).toFixed(3)}`)
