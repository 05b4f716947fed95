import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { batchUnderProbe, probeHealth, startEmbeddedServer, type EmbeddedServer, type LatencyProbe } from './embedded-server'

/**
 * Issue 12: accepting and running a 10,000-item batch in process keeps `/health` answering within
 * 100 ms throughout. The embedded default exactly as `npm start` runs it with no env — PGlite on
 * this thread, jobs in process — in a child process; this process asks `/health` every 20 ms from
 * the moment the POST is sent until the job is done, on /v1 and on /v2.
 *
 * The target (100 ms) is measured by bench/health-during-batch.ts on a quiet machine; this test
 * runs beside other suites on two shared cores, so it asserts a wide bound (2 s), which still fails
 * the way the server used to fail (`/health` frozen for the whole accept, ~8 s at 10,000 items, and
 * for the whole run, ~35 s), and prints what it measured.
 *
 * Size: `HEALTH_BATCH_ITEMS` (default 4,000 a route). Every stretch the server holds the loop for is
 * a fixed slice (250 items validated, 25 inserted, 10 evaluated and committed), so the latency is
 * the same property at 4,000 as at 10,000; the full 10,000 on both routes costs ~80 s alone and
 * ~5 min inside a loaded full suite, which CI's 10-minute budget cannot carry. Run it at full size
 * with `HEALTH_BATCH_ITEMS=10000 npx vitest run test/batch/health-during-batch.test.ts`.
 */
const ITEMS = Number(process.env.HEALTH_BATCH_ITEMS ?? 4_000)
const BOUND_MS = 2_000

let server: EmbeddedServer
let probe: LatencyProbe

beforeAll(async () => {
  server = await startEmbeddedServer()
  probe = probeHealth(server.base, 20)
}, 60_000)
afterAll(async () => {
  await probe?.stop()
  await server?.stop()
})

describe(`/health while the embedded default takes a ${ITEMS}-item batch`, () => {
  for (const path of ['/v1/equivalences/batch', '/v2/equivalences/batch'] as const) {
    it(`${path}: answered quickly from the POST until the job is done`, async () => {
      const r = await batchUnderProbe(server, probe, path, ITEMS)
      console.log(
        `${path} ${ITEMS} items: /health max ${r.accept.max.toFixed(0)} ms while accepting (${(r.accept.ms / 1000).toFixed(1)} s), ` +
          `max ${r.run.max.toFixed(0)} ms while running (${(r.run.ms / 1000).toFixed(1)} s)`,
      )
      expect(r.status).toBeLessThan(300)
      expect(r).toMatchObject({ total: ITEMS, done: ITEMS })
      expect(probe.failures).toBe(0)
      // /health kept answering during both phases (a frozen loop answers once, at the end)...
      expect(r.accept.count).toBeGreaterThan(Math.min(10, r.accept.ms / 200))
      expect(r.run.count).toBeGreaterThan(r.run.ms / 200)
      // ...and every answer came within the bound.
      expect(r.accept.max).toBeLessThan(BOUND_MS)
      expect(r.run.max).toBeLessThan(BOUND_MS)
      expect(server.alive()).toBe(true)
    }, 300_000)
  }
})
