import { sql } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { isConnectionError } from '../errors'
import { startFaultProxy, type FaultProxy } from '../../test/harness/fault-proxy'
import { startNeonHttpEndpoint, type NeonHttpEndpoint } from '../../test/harness/neon-http'
import { startNeonWsProxy, type NeonWsProxy } from '../../test/harness/neon-ws-proxy'
import { createTestDatabase, type TestDatabase } from '../../test/harness/postgres'
import { createDatabase, type DatabaseConfig, type DatabaseHandle } from '../client'

/**
 * The database connection dies under open transactions. pg-pool removes its own `error` listener
 * from a client it hands out, so before db/client.ts listened on every client an error on a checked-
 * out one (`write EPIPE`, `Connection terminated unexpectedly`) was an uncaught 'error' event that
 * ended the process — here, vitest reports that as an unhandled error and the file fails.
 *
 * Every driver that holds connections (node-postgres, the Neon WebSocket Pool) runs through our
 * fault proxy in front of the real Postgres; each in-flight transaction must fail with a connection
 * error (which the edge maps to 503), write nothing, and the same handle must serve again once the
 * proxy passes traffic — no restart.
 */
let database: TestDatabase
let proxy: FaultProxy
let ws: NeonWsProxy
let http: NeonHttpEndpoint
const uncaught: unknown[] = []
const onUncaught = (err: unknown) => uncaught.push(err)

beforeAll(async () => {
  ;[database, proxy, ws, http] = await Promise.all([
    createTestDatabase(),
    startFaultProxy({ host: '127.0.0.1', port: 5432 }),
    startNeonWsProxy(),
    startNeonHttpEndpoint(),
  ])
  await database.pool.query('CREATE TABLE fault_probe (id serial PRIMARY KEY, note text NOT NULL)')
  process.on('uncaughtException', onUncaught)
})
afterAll(async () => {
  process.off('uncaughtException', onUncaught)
  await Promise.all([proxy?.close(), ws?.close(), http?.close()])
  await database?.drop()
})
afterEach(() => proxy.restore())

const viaProxy = () => `postgres://postgres@127.0.0.1:${proxy.port}/${database.name}`
const probeRows = async () => (await database.pool.query('SELECT count(*)::int AS n FROM fault_probe')).rows[0].n as number

/**
 * Opens `n` transactions that each write a row, wait `holdSeconds` inside the transaction and
 * write again. The cut tests hold long enough for the fault to land inside every transaction; the
 * recovery and latency checks need no wait at all.
 */
function openTransactions(handle: DatabaseHandle, n: number, holdSeconds = 2) {
  let started = 0
  const all = Array.from({ length: n }, (_, i) =>
    handle.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO fault_probe (note) VALUES (${`tx ${i}`})`)
      started++
      await tx.execute(sql`SELECT pg_sleep(${holdSeconds})`)
      await tx.execute(sql`INSERT INTO fault_probe (note) VALUES (${`tx ${i} again`})`)
    }),
  )
  return { settled: Promise.allSettled(all), started: () => started }
}

async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10))
}

const drivers: [string, () => DatabaseConfig][] = [
  ['pg', () => ({ url: viaProxy(), driver: 'pg', poolSize: 4 })],
  [
    'neon',
    () => ({
      url: viaProxy(),
      driver: 'neon',
      poolSize: 4,
      neon: { wsProxy: ws.wsProxy, fetchEndpoint: http.fetchEndpoint, secure: false },
    }),
  ],
]

describe.each(drivers)('%s: connections cut under open transactions', (_name, config) => {
  let handle: DatabaseHandle
  beforeAll(async () => {
    handle = await createDatabase(config())
  })
  afterAll(() => handle?.close())

  for (const fault of ['cut', 'reset'] as const) {
    it(`${fault}: every transaction fails with a connection error, nothing is written, the handle serves again`, async () => {
      const before = await probeRows()
      const { settled, started } = openTransactions(handle, 6)
      await until(() => started() === 4) // the pool's every connection is inside a transaction
      proxy[fault]()
      const outcomes = await settled
      expect(outcomes.map((o) => o.status)).toEqual(Array(6).fill('rejected'))
      for (const o of outcomes) expect(isConnectionError((o as PromiseRejectedResult).reason)).toBe(true)
      expect(await probeRows()).toBe(before)

      proxy.restore()
      const again = openTransactions(handle, 2, 0)
      const [first] = await again.settled
      expect(first?.status).toBe('fulfilled')
      expect(await probeRows()).toBe(before + 4)
      expect(uncaught).toEqual([])
    })
  }

  it('a delayed network only slows the transactions down', async () => {
    const before = await probeRows()
    proxy.delay(20)
    const { settled } = openTransactions(handle, 2, 0)
    expect((await settled).map((o) => o.status)).toEqual(['fulfilled', 'fulfilled'])
    expect(await probeRows()).toBe(before + 4)
  })
})
