import { type Server, type Socket, createConnection, createServer } from 'node:net'

/**
 * A TCP proxy of ours that injects network faults between the app and a real server (Postgres, the
 * Upstash REST stand-in, the QStash stand-in, a worker), without touching the shared server itself.
 *
 * - `cut()`       closes every open connection (FIN) and refuses new ones until `restore()`;
 * - `reset()`     the same with a TCP RST on each connection ("connection reset by peer");
 * - `blackhole()` keeps connections (and accepts new ones) but forwards nothing: a hung network,
 *                 where only the client's own timeouts can notice;
 * - `delay(ms)`   adds latency to every chunk in both directions, order kept;
 * - `restore()`   back to a clean pass-through (connections dropped by a fault stay dropped).
 *
 * `connections` counts accepted connections, so a test can tell that a client reconnected.
 */
export interface FaultProxy {
  readonly port: number
  readonly url: (scheme: string, path?: string) => string
  readonly connections: number
  readonly open: number
  cut(): void
  reset(): void
  blackhole(): void
  delay(ms: number): void
  restore(): void
  close(): Promise<void>
}

type Mode = 'pass' | 'refuse' | 'blackhole'

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const pairs = new Set<[Socket, Socket]>()
  let mode: Mode = 'pass'
  let latency = 0
  let accepted = 0

  /** Forwards `from` → `to` chunk by chunk, so latency and black-holing apply per chunk, in order. */
  function forward(from: Socket, to: Socket) {
    let tail = Promise.resolve()
    from.on('data', (chunk: Buffer) => {
      if (mode === 'blackhole') return
      const wait = latency
      tail = tail.then(async () => {
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
        if (mode !== 'blackhole' && !to.destroyed) to.write(chunk)
      })
    })
    from.on('end', () => void tail.then(() => to.end()))
  }

  const server: Server = createServer((client) => {
    accepted++
    if (mode === 'refuse') {
      client.resetAndDestroy()
      return
    }
    const upstream = createConnection(target)
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    for (const s of pair) {
      s.on('error', () => {
        for (const t of pair) t.destroy()
      })
      s.on('close', () => {
        pairs.delete(pair)
        for (const t of pair) t.destroy()
      })
    }
    forward(client, upstream)
    forward(upstream, client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port

  const dropAll = (how: 'fin' | 'rst') => {
    for (const pair of pairs) {
      for (const s of pair) {
        if (how === 'rst') s.resetAndDestroy()
        else s.destroy()
      }
    }
    pairs.clear()
  }

  return {
    port,
    url: (scheme, path = '') => `${scheme}://127.0.0.1:${port}${path}`,
    get connections() {
      return accepted
    },
    get open() {
      return pairs.size
    },
    cut() {
      mode = 'refuse'
      dropAll('fin')
    },
    reset() {
      mode = 'refuse'
      dropAll('rst')
    },
    blackhole() {
      mode = 'blackhole'
    },
    delay(ms) {
      latency = ms
    },
    restore() {
      mode = 'pass'
      latency = 0
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropAll('rst')
        server.close(() => resolve())
      }),
  }
}
