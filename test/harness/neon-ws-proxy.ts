import { createConnection } from 'node:net'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'

/**
 * Stand-in for Neon's WebSocket proxy (the service in front of every Neon endpoint that carries the
 * Postgres wire protocol inside WebSocket binary frames). @neondatabase/serverless connects to
 * `ws://<wsProxy>?address=<host>:<port>`; this bridge opens that TCP connection and copies bytes
 * both ways, so the official driver runs unmodified against the local Postgres.
 *
 * Only loopback targets are accepted: this is a test fixture, not an open relay.
 */
export interface NeonWsProxy {
  /** Value for the driver's `wsProxy` setting, e.g. `127.0.0.1:40123/v2`. */
  wsProxy: string
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])

export async function startNeonWsProxy(): Promise<NeonWsProxy> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))

  server.on('connection', (socket, request) => {
    const address = new URL(request.url ?? '/', 'ws://proxy').searchParams.get('address') ?? ''
    const separator = address.lastIndexOf(':')
    const host = address.slice(0, separator)
    const port = Number(address.slice(separator + 1))
    if (!LOOPBACK.has(host) || !Number.isInteger(port)) {
      socket.close(1008, 'address not allowed')
      return
    }
    const tcp = createConnection({ host, port })
    tcp.setNoDelay(true)
    const pending: Buffer[] = []
    tcp.on('connect', () => {
      for (const chunk of pending.splice(0)) tcp.write(chunk)
    })
    socket.on('message', (data: Buffer) => {
      if (tcp.connecting) pending.push(data)
      else tcp.write(data)
    })
    tcp.on('data', (chunk) => socket.send(chunk))
    tcp.on('close', () => socket.close())
    tcp.on('error', () => socket.terminate())
    socket.on('close', () => tcp.destroy())
    socket.on('error', () => tcp.destroy())
  })

  const { port } = server.address() as AddressInfo
  return {
    wsProxy: `127.0.0.1:${port}/v2`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate()
        server.close(() => resolve())
      }),
  }
}
