import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'

/**
 * Stand-in for Neon's HTTP query endpoint (`POST https://<endpoint>/sql`), the transport of
 * `neon()` and drizzle's neon-http driver, over the local Postgres. It follows the protocol the
 * official driver speaks:
 * - headers `Neon-Connection-String` (which database), `Neon-Raw-Text-Output: true` (values in
 *   Postgres text format, parsed by the client), `Neon-Array-Mode: true` (rows as arrays), and for
 *   batches `Neon-Batch-Isolation-Level` / `-Read-Only` / `-Deferrable`;
 * - body `{query, params}` → `{fields, rows, rowCount, command, rowAsArray}`, or
 *   `{queries: [...]}` → `{results: [...]}` run in one transaction;
 * - a Postgres error → HTTP 400 with the error's fields (`message`, `code`, `detail`, `constraint`, …).
 *
 * Only loopback databases are reachable through it.
 */
export interface NeonHttpEndpoint {
  /** Value for `neonConfig.fetchEndpoint`. */
  fetchEndpoint: string
  /** Requests served, so a test can tell statements went over HTTP. */
  requests(): number
  close(): Promise<void>
}

interface QueryBody {
  query: string
  params?: unknown[]
}

const ERROR_FIELDS = [
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const

const ISOLATION: Record<string, string> = {
  ReadUncommitted: 'READ UNCOMMITTED',
  ReadCommitted: 'READ COMMITTED',
  RepeatableRead: 'REPEATABLE READ',
  Serializable: 'SERIALIZABLE',
}

// Every value leaves as the text Postgres sent; the client parses it, as it does with Neon.
const rawText = { getTypeParser: () => (value: string) => value }

export async function startNeonHttpEndpoint(): Promise<NeonHttpEndpoint> {
  const pools = new Map<string, pg.Pool>()
  let served = 0

  function poolFor(connectionString: string): pg.Pool {
    let pool = pools.get(connectionString)
    if (!pool) {
      const { hostname } = new URL(connectionString)
      if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostname))
        throw new Error(`host ${hostname} not allowed`)
      pool = new pg.Pool({ connectionString, max: 10, types: rawText })
      pool.on('error', () => undefined)
      pools.set(connectionString, pool)
    }
    return pool
  }

  async function run(client: pg.PoolClient, body: QueryBody, arrayMode: boolean) {
    const result = await client.query({ text: body.query, values: body.params ?? [], rowMode: 'array' })
    const fields = result.fields.map((f) => ({
      name: f.name,
      tableID: f.tableID,
      columnID: f.columnID,
      dataTypeID: f.dataTypeID,
      dataTypeSize: f.dataTypeSize,
      dataTypeModifier: f.dataTypeModifier,
      format: f.format,
    }))
    return {
      fields,
      rows: result.rows,
      rowCount: result.rowCount,
      command: result.command,
      rowAsArray: arrayMode,
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    served++
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(payload))
    }
    if (req.method !== 'POST' || !req.url?.startsWith('/sql')) return send(404, { message: 'not found' })
    const connectionString = req.headers['neon-connection-string']
    if (typeof connectionString !== 'string')
      return send(400, { message: 'missing Neon-Connection-String header' })
    const arrayMode = req.headers['neon-array-mode'] === 'true'

    let client: pg.PoolClient | undefined
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as QueryBody | { queries: QueryBody[] }
      client = await poolFor(connectionString).connect()
      if ('queries' in body) {
        const isolation = ISOLATION[String(req.headers['neon-batch-isolation-level'])] ?? 'READ COMMITTED'
        const readOnly = req.headers['neon-batch-read-only'] === 'true' ? 'READ ONLY' : 'READ WRITE'
        await client.query(`BEGIN ISOLATION LEVEL ${isolation} ${readOnly}`)
        try {
          const results = []
          for (const query of body.queries) results.push(await run(client, query, arrayMode))
          await client.query('COMMIT')
          return send(200, { results })
        } catch (err) {
          await client.query('ROLLBACK')
          throw err
        }
      }
      return send(200, await run(client, body, arrayMode))
    } catch (err) {
      const error = err as Record<string, unknown> & Error
      const payload: Record<string, unknown> = { message: error.message }
      for (const field of ERROR_FIELDS) if (error[field] !== undefined) payload[field] = error[field]
      return send(400, payload)
    } finally {
      client?.release()
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500)
      res.end(String(err))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    fetchEndpoint: `http://127.0.0.1:${port}/sql`,
    requests: () => served,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await Promise.all([...pools.values()].map((p) => p.end()))
    },
  }
}
