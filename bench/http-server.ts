import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import pg from 'pg'
import { createDatabase } from '../db/client'
import { createApp } from '../edge/app'
import { parseConfig } from '../edge/config'
import { createLogger } from '../services/logger'
import { createMetrics } from '../edge/lib/metrics'

/**
 * The server `bench:http` measures: the real app (auth on, persistence to Postgres through
 * node-postgres, access log at LOG_LEVEL) plus, outside the app's middleware, the bare reference
 * route that inserts one row in one transaction — the ceiling for a persisted request here. Its
 * pool has the app's size (DATABASE_POOL_SIZE), so the two are compared like for like.
 * Run by bench/http.ts with DATABASE_URL, API_KEY_SALT, PORT, LOG_LEVEL and DATABASE_POOL_SIZE set.
 */
const config = parseConfig({ ...process.env, RATE_LIMIT_ENABLED: 'false' })
const database = await createDatabase({ url: config.DATABASE_URL, driver: 'pg', poolSize: config.DATABASE_POOL_SIZE })
const app = createApp({
  config,
  db: database.db,
  logger: createLogger(config.LOG_LEVEL),
  metrics: createMetrics({ defaultMetrics: true }),
})

const bare = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE })
await bare.query('CREATE TABLE IF NOT EXISTS bench_rows (id bigserial PRIMARY KEY, body jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())')
const root = new Hono()
root.post('/bench/bare-insert', async (c) => {
  const body = await c.req.json()
  const client = await bare.connect()
  try {
    await client.query('BEGIN')
    const { rows } = await client.query('INSERT INTO bench_rows (body) VALUES ($1) RETURNING id', [body])
    await client.query('COMMIT')
    return c.json({ id: rows[0].id })
  } catch (err) {
    await client.query('ROLLBACK')
    throw err
  } finally {
    client.release()
  }
})
root.route('/', app)

serve({ fetch: root.fetch, port: config.PORT, hostname: '127.0.0.1' }, () => process.send?.('ready'))

// Exit normally on SIGTERM so `--cpu-prof` (BENCH_CPU_PROF) gets to write its profile.
process.on('SIGTERM', () => process.exit(0))
