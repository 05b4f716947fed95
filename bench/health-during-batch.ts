/**
 * `/health` latency while the embedded default (PGlite, jobs in process: `npm start` with no env)
 * accepts and runs a large batch — issue 12: "accepting and running a 10,000-item batch in process
 * keeps /health answering within 100 ms throughout".
 *
 *   npx tsx bench/health-during-batch.ts [--items 10000] [--rounds 2] [--routes v1,v2] [--baseline DIR]
 *
 * Each round starts a fresh server (a child process, so the probe measures its event loop, not
 * ours), probes /health every 20 ms, POSTs the batch to /v1 and then to /v2 and waits for each job
 * to be done; it prints the slowest /health answer during the accept phase (POST sent → answered)
 * and the run phase (→ job done). With `--baseline DIR` (a worktree of an older commit, with
 * node_modules) rounds alternate baseline / candidate on the same machine, side by side.
 */
import { parseArgs } from 'node:util'
import { batchUnderProbe, probeHealth, startEmbeddedServer } from '../test/batch/embedded-server'

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '2' },
    baseline: { type: 'string' },
    /** Which batch routes, in order, on the one server of a round. */
    routes: { type: 'string', default: 'v1,v2' },
  },
})
const items = Number(values.items)
const rounds = Number(values.rounds)
const trees: Array<{ name: string; root: string }> = [
  ...(values.baseline ? [{ name: 'baseline', root: values.baseline }] : []),
  { name: 'candidate', root: process.cwd() },
]

const fmt = (n: number) => n.toFixed(0).padStart(6)
console.log(`items=${items} rounds=${rounds}; /health every 20 ms; max latency (ms) over each phase, phase duration (s)`)
console.log('tree       round route  accept-max  accept-s  run-max  run-s   probes  failures')
for (let round = 1; round <= rounds; round++) {
  for (const tree of trees) {
    const server = await startEmbeddedServer({ root: tree.root })
    const probe = probeHealth(server.base, 20)
    try {
      for (const path of values.routes.split(',').map((v) => `/${v.trim()}/equivalences/batch` as '/v1/equivalences/batch' | '/v2/equivalences/batch')) {
        const r = await batchUnderProbe(server, probe, path, items)
        console.log(
          `${tree.name.padEnd(10)} ${String(round).padStart(5)} ${path.slice(0, 3)}   ${fmt(r.accept.max)}    ${(r.accept.ms / 1000).toFixed(1).padStart(6)}  ${fmt(r.run.max)}  ${(r.run.ms / 1000).toFixed(1).padStart(5)}  ${String(r.accept.count + r.run.count).padStart(6)}  ${probe.failures}${r.status >= 300 ? ` (HTTP ${r.status})` : ''}`,
        )
      }
    } finally {
      await probe.stop()
      await server.stop()
    }
  }
}
