import { createHash, randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import type { Database } from '../../db/client'
import { migrateUrl } from '../../db/migrate'
import { migrationsFolder } from '../../db/migrations-folder'
import * as schema from '../../db/schema'

/**
 * Fresh, migrated Postgres databases for tests, on the real server at 127.0.0.1:5432.
 *
 * Migrating costs ~100 statements, so it happens once per migration set: a template database named
 * after the hash of migrations/ is built under an advisory lock (parallel test files wait for the
 * first one), and every test database is a `CREATE DATABASE ... TEMPLATE` copy of it (a file copy).
 */

export const PG_SERVER_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432'

export interface TestDatabase {
  /** Connection URL of the fresh database. */
  url: string
  name: string
  /** drizzle over a node-postgres pool of this database. */
  db: Database
  pool: pg.Pool
  /** Closes the pool and drops the database. */
  drop(): Promise<void>
}

const urlFor = (name: string) => `${PG_SERVER_URL}/${name}`

function migrationsHash(): string {
  const hash = createHash('sha256')
  const files = readdirSync(migrationsFolder, { recursive: true, encoding: 'utf8' }).sort()
  for (const file of files) {
    if (!file.endsWith('.sql') && !file.endsWith('.json')) continue
    hash.update(file).update(readFileSync(join(migrationsFolder, file)))
  }
  return hash.digest('hex').slice(0, 12)
}

async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlFor('postgres') })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

let templateReady: Promise<string> | undefined

/** Name of the migrated template database, building it if no test run has yet. */
export function ensureTemplate(): Promise<string> {
  templateReady ??= withAdminClient(async (admin) => {
    const template = `ee_template_${migrationsHash()}`
    // Session-level lock: one test process builds the template, the others wait and reuse it.
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [template])
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])
      if (!rowCount) {
        // Build under a temporary name and rename at the end, so a half-built template is never used.
        const building = `${template}_building_${randomBytes(4).toString('hex')}`
        await admin.query(`CREATE DATABASE "${building}"`)
        try {
          await migrateUrl(urlFor(building))
          await admin.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`)
        } catch (err) {
          await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`)
          throw err
        }
      }
      return template
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [template])
    }
  })
  return templateReady
}

/** An empty database with no migrations applied (for the migrate-from-zero tests). */
export async function createEmptyDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `ee_test_${randomBytes(6).toString('hex')}`
  await withAdminClient((admin) => admin.query(`CREATE DATABASE "${name}"`))
  return { url: urlFor(name), name, drop: () => dropDatabase(name) }
}

/** A fresh database with the current schema; call `drop()` in `afterAll`. */
export async function createTestDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  const template = await ensureTemplate()
  const name = `ee_test_${randomBytes(6).toString('hex')}`
  await withAdminClient(async (admin) => {
    // Two copies of one template at the same instant can collide ("source database is being
    // accessed by other users"); that clears within milliseconds, so retry a few times.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`)
        return
      } catch (err) {
        if (attempt >= 20 || (err as { code?: string }).code !== '55006') throw err
        await new Promise((resolve) => setTimeout(resolve, 50 + attempt * 25))
      }
    }
  })
  const pool = new pg.Pool({ connectionString: urlFor(name), max: options.poolSize ?? 10 })
  pool.on('error', () => undefined) // idle clients dropped by DROP DATABASE ... WITH (FORCE)
  const db = drizzle({ client: pool, schema })
  return {
    url: urlFor(name),
    name,
    db,
    pool,
    drop: async () => {
      await pool.end()
      await dropDatabase(name)
    },
  }
}

function dropDatabase(name: string): Promise<void> {
  return withAdminClient(async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  })
}
