import type { ExtractTablesWithRelations } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core'
import * as schema from './schema'

export type Schema = typeof schema
/** What every repository takes: a database handle of any driver, or a transaction of one. */
export type Database = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>

export type Driver = 'neon' | 'pg' | 'pglite'

/** Where the Neon driver sends its traffic when the database is not Neon's cloud (local tests, self-hosted proxies). */
export interface NeonEndpoints {
  /** Host:port (or a function of host and port) of a WebSocket→TCP proxy, as `neonConfig.wsProxy`. */
  wsProxy?: string | ((host: string, port: number | string) => string)
  /** HTTP SQL endpoint, as `neonConfig.fetchEndpoint` (a process-wide setting of the driver). */
  fetchEndpoint?: string | ((host: string, port: number | string) => string)
  /** @default true — plain `ws://` and `http://` are for local stand-ins only. */
  secure?: boolean
}

export interface DatabaseConfig {
  /** postgres:// URL; absent → the embedded PGlite database. */
  url?: string
  /** Overrides the choice made from the URL. */
  driver?: Driver
  /** Folder of the embedded database. @default '.data/pglite' */
  pgliteDir?: string
  /** Connections per pool (pg and neon WebSocket). @default 10 */
  poolSize?: number
  neon?: NeonEndpoints
}

export interface DatabaseHandle {
  db: Database
  driver: Driver
  close(): Promise<void>
}

/** A Neon URL (or an explicit `neon` driver) selects the serverless driver; any other URL node-postgres. */
export function chooseDriver(config: Pick<DatabaseConfig, 'url' | 'driver'>): Driver {
  if (config.driver) return config.driver
  if (!config.url) return 'pglite'
  return new URL(config.url).hostname.endsWith('.neon.tech') ? 'neon' : 'pg'
}

/**
 * Opens the database the configuration names. Drivers are imported lazily so a Workers bundle that
 * only ever uses Neon does not load node-postgres or the PGlite WASM at start-up.
 *
 * The embedded PGlite database is migrated here, on open; server databases are migrated by
 * `npm run db:migrate` (a deploy step), never implicitly by a serving process.
 */
export async function createDatabase(config: DatabaseConfig = {}): Promise<DatabaseHandle> {
  const driver = chooseDriver(config)
  if (driver !== 'pglite' && !config.url) throw new Error(`DATABASE_URL is required for the ${driver} driver`)
  switch (driver) {
    case 'pg':
      return openNodePostgres(config.url!, config.poolSize ?? 10)
    case 'neon':
      return openNeon(config.url!, config.poolSize ?? 10, config.neon ?? {})
    case 'pglite':
      return openPglite(config.pgliteDir ?? '.data/pglite')
  }
}

/**
 * A lost database must cost the requests in flight, never the process. A pool connects new clients
 * within this time or fails the checkout (a connection error → 503), instead of queueing requests
 * behind a server that does not answer; keep-alive lets the OS notice a silently dead peer.
 */
const CONNECTION_OPTIONS = { connectionTimeoutMillis: 5_000, keepAlive: true } as const

/** The part of pg-pool's interface (node-postgres and Neon's Pool alike) the listeners need. */
interface EventedPool {
  on(event: 'error', listener: (err: Error) => void): unknown
  on(event: 'connect', listener: (client: { on(event: 'error', listener: (err: Error) => void): unknown }) => void): unknown
}

/**
 * A pg Client whose socket dies emits 'error'; with no listener Node turns that into an uncaught
 * exception and the process exits. pg-pool listens on idle clients only — it removes its listener
 * when it hands a client out — so a connection cut inside a transaction (`write EPIPE`,
 * `Connection terminated unexpectedly`) used to kill the API and every worker at once. Each client
 * gets a listener of its own for its whole life: the queries in flight on it are rejected by the
 * driver anyway (their callers see a connection error), the pool discards the broken client on
 * release, and the next checkout connects afresh. The message only is logged: a driver error's
 * text never carries query parameters, but its attached query object may.
 */
function survivePoolErrors(pool: EventedPool, name: string): void {
  pool.on('error', (err) => console.error(`${name} pool: idle client error: ${err.message}`))
  pool.on('connect', (client) => {
    client.on('error', (err) => console.error(`${name} pool: client error: ${err.message}`))
  })
}

async function openNodePostgres(url: string, max: number): Promise<DatabaseHandle> {
  const { Pool } = await import('pg')
  const { drizzle } = await import('drizzle-orm/node-postgres')
  const pool = new Pool({ connectionString: url, max, ...CONNECTION_OPTIONS })
  survivePoolErrors(pool, 'postgres')
  const db = drizzle({ client: pool, schema })
  return { db, driver: 'pg', close: () => pool.end() }
}

/**
 * Neon: single statements go over HTTP (one fetch, no connection set-up, what a Workers request
 * wants); `transaction()` — which neon-http lacks — goes through a WebSocket Pool that connects only
 * when a transaction first needs it.
 */
async function openNeon(url: string, max: number, endpoints: NeonEndpoints): Promise<DatabaseHandle> {
  const { Pool, neon, neonConfig } = await import('@neondatabase/serverless')
  const { drizzle: drizzleHttp } = await import('drizzle-orm/neon-http')
  const { drizzle: drizzleWs } = await import('drizzle-orm/neon-serverless')

  if (typeof WebSocket === 'undefined') {
    // Node 20 has no global WebSocket; Workers and Deno do.
    const { WebSocket: NodeWebSocket } = await import('ws')
    neonConfig.webSocketConstructor = NodeWebSocket
  }
  // The driver keeps these settings process-wide (fetchEndpoint can only be set there); one process
  // talks to one database, so that is where they belong.
  if (endpoints.wsProxy) neonConfig.wsProxy = endpoints.wsProxy
  if (endpoints.fetchEndpoint) neonConfig.fetchEndpoint = endpoints.fetchEndpoint
  if (endpoints.secure === false) {
    neonConfig.useSecureWebSocket = false
    neonConfig.pipelineConnect = false
    neonConfig.forceDisablePgSSL = true
  }

  const pool = new Pool({ connectionString: url, max, ...CONNECTION_OPTIONS })
  survivePoolErrors(pool, 'neon')
  const ws = drizzleWs({ client: pool, schema })
  const http = drizzleHttp({ client: neon(url), schema })
  // Everything but transaction() runs on the HTTP instance; the prototype link keeps its methods bound to it.
  const db = Object.create(http) as Database
  db.transaction = ws.transaction.bind(ws) as Database['transaction']
  return { db, driver: 'neon', close: () => pool.end() }
}

async function openPglite(dir: string): Promise<DatabaseHandle> {
  const { mkdir } = await import('node:fs/promises')
  const { PGlite } = await import('@electric-sql/pglite')
  const { drizzle } = await import('drizzle-orm/pglite')
  const { migrate } = await import('drizzle-orm/pglite/migrator')
  const { migrationsFolder } = await import('./migrations-folder')
  await mkdir(dir, { recursive: true })
  const client = await PGlite.create(dir)
  const db = drizzle({ client, schema })
  await migrate(db, { migrationsFolder })
  return { db, driver: 'pglite', close: () => client.close() }
}
