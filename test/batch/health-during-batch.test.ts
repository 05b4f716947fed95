import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { batchUnderProbe, probeHealth, startEmbeddedServer, type EmbeddedServer, type LatencyProbe } from './embedded-server'

/**
 * Issue 12: accepting and running a 10,000-item batch in process keeps `/health` answering within
 * 100 ms throughout. The embedded default exactly as `npm start` runs it with no env — PGlite on
 * this thread, jobs in process — in a child process; this process asks `/health` every 20 ms from
 * the moment the POST is sent until the job is done, on /v1 and on /v2.
 *
 * The target (100 ms) is measured by bench/health-during-batch.ts on a quiet machine; this test
 * runs beside other suites on two shared cores, so it asserts a bound ten times wider, which still
 * fails the way the server used to fail (`/health` frozen for the whole accept, ~8 s, and for the
 * whole run, ~35 s), and prints what it measured.
 */
const ITEMS = 10_000
const BOUND_MS = 1_000

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

describe('/health while the embedded default takes a 10,000-item batch', () => {
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
    }, 240_000)
  }
})
