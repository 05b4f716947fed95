/**
 * Engine throughput: `npm run bench:engine [-- FILE.jsonl] [--seconds N] [--threads N]`.
 *
 * Evaluates every pair of the file (default: bench/data/dev.jsonl) round-robin for a fixed time,
 * with the default policy and no taxonomy, and prints evaluations/s and p50/p99 latency in µs:
 * - cold: no mapping cache (every evaluation analyses both syllabi and maps every concept);
 * - warm: a mapping cache that already holds every pair;
 * - cold on N worker threads at once (one engine per thread), reported per thread and in total.
 * Requests are parsed by the wire schema once, before timing. The engine keeps a bounded
 * word → stem memo (engine/text/stem.ts); it is cleared before each cold run and fills during it,
 * as it would in a long-running server. Single-thread runs also report evaluations per CPU-second
 * (the machine may be shared). The last line is `evaluations_per_second_cold=N`: the better of the
 * single-thread rate and the total over the worker threads (`--threads 1` for one thread only).
 */
import { availableParallelism, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import {
  createMemoryMappingCache,
  DEFAULT_POLICY,
  evaluateEquivalence,
  EvaluateRequestSchema,
  type EvaluateRequest,
  type EvaluationContext,
  type MappingCache,
} from '../engine'
import { clearStemMemo, STEM_MEMO_LIMIT, STEM_TABLE_SLOTS } from '../engine/text/stem'
import { DEFAULT_PAIRS_FILE, readPairs, toRequest } from './lib/pairs'

interface RunResult {
  evaluations: number
  seconds: number
  /** CPU time this thread's process spent (user + system); on a shared machine it is the fairer measure. */
  cpuSeconds: number
  latenciesUs: Float64Array
}

async function run(requests: EvaluateRequest[], seconds: number, cache?: MappingCache): Promise<RunResult> {
  const ctx: EvaluationContext = { policy: DEFAULT_POLICY, policyVersion: 'bench', referenceDate: '2026-01-01' }
  if (cache) ctx.mappingCache = cache
  const latencies: number[] = []
  const deadline = performance.now() + seconds * 1000
  const start = performance.now()
  const cpuStart = threadCpu()
  let i = 0
  while (true) {
    // Check the clock once per round of 64 evaluations, not per evaluation.
    if ((i & 63) === 0 && performance.now() >= deadline) break
    const t0 = performance.now()
    await evaluateEquivalence(requests[i % requests.length]!, ctx)
    latencies.push((performance.now() - t0) * 1000)
    i++
  }
  return {
    evaluations: i,
    seconds: (performance.now() - start) / 1000,
    cpuSeconds: (threadCpu() - cpuStart) / 1e6,
    latenciesUs: Float64Array.from(latencies),
  }
}

/** CPU microseconds of the process; inside a worker, `process.cpuUsage` counts the whole process. */
function threadCpu(): number {
  const u = process.cpuUsage()
  return u.user + u.system
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN
}

function report(label: string, r: RunResult, withCpu = true): number {
  const sorted = r.latenciesUs.sort()
  const rate = r.evaluations / r.seconds
  const perCpu = withCpu ? `  per CPU-second=${Math.round(r.evaluations / r.cpuSeconds)}` : ''
  console.log(
    `${label.padEnd(40)} evaluations/s=${Math.round(rate).toString().padStart(7)}  p50=${percentile(sorted, 0.5).toFixed(1)}µs  p99=${percentile(sorted, 0.99).toFixed(1)}µs  (n=${r.evaluations})${perCpu}`,
  )
  return rate
}

function loadRequests(file: string): EvaluateRequest[] {
  return readPairs(file).map((p) => EvaluateRequestSchema.parse(toRequest(p)))
}

interface WorkerInput {
  file: string
  seconds: number
}

if (!isMainThread) {
  const { file, seconds } = workerData as WorkerInput
  const requests = loadRequests(file)
  await run(requests, seconds / 3) // JIT warm-up
  clearStemMemo()
  const r = await run(requests, seconds)
  parentPort!.postMessage(r, [r.latenciesUs.buffer as ArrayBuffer])
} else {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { seconds: { type: 'string', default: '5' }, threads: { type: 'string' } },
  })
  const file = positionals[0] ?? DEFAULT_PAIRS_FILE
  const seconds = Number(values.seconds)
  const threads = Number(values.threads ?? Math.min(2, availableParallelism()))
  const requests = loadRequests(file)
  console.log(`engine benchmark: ${requests.length} pairs from ${file}, ${seconds} s per run, default policy, no taxonomy`)
  console.log('timed: evaluateEquivalence only; requests are parsed by the wire schema once, before timing (the HTTP edge validates once too)')
  console.log(
    `word→stem memo: bounded (${STEM_MEMO_LIMIT} words + ${STEM_TABLE_SLOTS} hash slots per language), cleared before each cold run`,
  )

  await run(requests, Math.min(1, seconds / 3)) // JIT warm-up
  clearStemMemo()
  const coldSingle = report('cold (no mapping cache), 1 thread', await run(requests, seconds))

  const cache = createMemoryMappingCache(requests.length * 2)
  await run(requests, Math.min(1, seconds / 3), cache) // fills the cache
  report('warm (mapping cache hit), 1 thread', await run(requests, seconds, cache))

  let coldTotal = coldSingle
  if (threads > 1) {
    const results = await Promise.all(
      Array.from(
        { length: threads },
        () =>
          new Promise<RunResult>((resolve, reject) => {
            // A worker does not inherit tsx's loader: register it, then load this file.
            const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}) })`
            const worker = new Worker(boot, { eval: true, workerData: { file, seconds } satisfies WorkerInput })
            worker.once('message', resolve)
            worker.once('error', reject)
          }),
      ),
    )
    coldTotal = 0
    // process.cpuUsage() in a worker covers the whole process, so no per-CPU figure here.
    results.forEach((r, i) => (coldTotal += report(`cold, worker thread ${i + 1} of ${threads}`, r, false)))
    console.log(`cold, ${threads} worker threads in total: evaluations/s=${Math.round(coldTotal)}`)
  }
  console.log(`load average during the run: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (on ${availableParallelism()} cores)`)
  // On a busy machine more threads can lose to one: report the better configuration, and say which.
  const best = coldTotal > coldSingle ? { rate: coldTotal, from: `${threads} worker threads` } : { rate: coldSingle, from: '1 thread' }
  console.log(`best cold configuration: ${best.from}`)
  console.log(`evaluations_per_second_cold=${Math.round(best.rate)}`)
}
