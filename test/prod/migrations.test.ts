import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateUrl } from '../../db/migrate'
import { migrationsFolder } from '../../db/migrations-folder'
import { createEmptyDatabase } from '../harness/postgres'
import { type Baseline, previousRelease, readJournal } from './migration-baseline'

/**
 * Migrations as a deploy runs them (`npm run db:migrate` → migrateUrl): a fresh database
 * migrates from zero, and the previous release's schema migrates forward to exactly the schema
 * a fresh database gets. Rollback is forward-only (DEPLOY.md, Migrations).
 */

const root = join(import.meta.dirname, '..', '..')
const run = promisify(execFile)

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Tables, columns, constraints, indexes, enums and sequences of the application schemas, as sorted lines. */
async function schemaFingerprint(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const queries = [
      `SELECT format('column %s.%s.%s %s null=%s default=%s', table_schema, table_name, column_name,
              data_type, is_nullable, coalesce(column_default, '-'))
         FROM information_schema.columns
        WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'drizzle')`,
      `SELECT format('constraint %s.%s %s', n.nspname, c.conname, pg_get_constraintdef(c.oid))
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'drizzle')`,
      `SELECT format('index %s.%s %s', schemaname, indexname, indexdef) FROM pg_indexes
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'drizzle')`,
      `SELECT format('enum %s %s', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder))
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
      `SELECT format('sequence %s.%s', sequence_schema, sequence_name) FROM information_schema.sequences`,
      `SELECT format('trigger %s.%s %s', event_object_table, trigger_name, action_statement)
         FROM information_schema.triggers`,
    ]
    const lines: string[] = []
    for (const sql of queries) {
      const { rows } = await client.query<{ format: string }>(sql)
      lines.push(...rows.map((r) => r.format))
    }
    return lines.sort()
  })
}

const appliedCount = (url: string) =>
  withClient(url, async (c) =>
    Number((await c.query('SELECT count(*) FROM drizzle.__drizzle_migrations')).rows[0].count),
  )

// A ceiling for the drizzle-kit child process on a busy 2-core CI machine, not a measurement.
describe('migrations', { timeout: 90_000 }, () => {
  const current = readJournal(migrationsFolder)
  let fromZero: Awaited<ReturnType<typeof createEmptyDatabase>>
  let forward: Awaited<ReturnType<typeof createEmptyDatabase>>
  let baseline: Baseline

  beforeAll(async () => {
    fromZero = await createEmptyDatabase()
    forward = await createEmptyDatabase()
    baseline = previousRelease(root, migrationsFolder)
  })
  afterAll(async () => {
    await fromZero?.drop()
    await forward?.drop()
    if (baseline) rmSync(baseline.folder, { recursive: true, force: true })
  })

  it('migrates a fresh database from zero, and a second run changes nothing', async () => {
    expect(current.length).toBeGreaterThan(0)
    await migrateUrl(fromZero.url)
    expect(await appliedCount(fromZero.url)).toBe(current.length)
    const schema = await schemaFingerprint(fromZero.url)
    expect(schema.filter((l) => l.startsWith('column ')).length).toBeGreaterThan(20)

    await migrateUrl(fromZero.url)
    expect(await appliedCount(fromZero.url)).toBe(current.length)
    expect(await schemaFingerprint(fromZero.url)).toEqual(schema)
  })

  it('never rewrites a released migration: the baseline is a prefix of the current set', () => {
    expect(baseline.entries.length).toBeGreaterThan(0)
    expect(current.slice(0, baseline.entries.length).map((e) => [e.tag, e.when])).toEqual(
      baseline.entries.map((e) => [e.tag, e.when]),
    )
    for (const entry of baseline.entries) {
      const now = readFileSync(join(migrationsFolder, `${entry.tag}.sql`), 'utf8')
      expect(now, `${entry.tag}.sql changed since ${baseline.source}`).toBe(baseline.sql.get(entry.tag))
    }
  })

  it("migrates the previous release's schema forward to the schema of a fresh database", async () => {
    // The database as the previous release left it (applied with drizzle's migrator, as db:migrate does)...
    await withClient(forward.url, (client) =>
      migrate(drizzle({ client }), { migrationsFolder: baseline.folder }),
    )
    expect(await appliedCount(forward.url)).toBe(baseline.entries.length)
    // ...then the deploy of this release.
    await migrateUrl(forward.url)
    expect(await appliedCount(forward.url)).toBe(current.length)
    expect(await schemaFingerprint(forward.url)).toEqual(await schemaFingerprint(fromZero.url))
  })

  it('has a migration for every change of db/schema.ts (drizzle-kit generate finds nothing to add)', async () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'ee-migrations-generate-')), 'migrations')
    cpSync(migrationsFolder, copy, { recursive: true })
    try {
      // drizzle-kit resolves --out against the working directory, so it gets a relative path.
      const { stdout } = await run(
        join(root, 'node_modules', '.bin', 'drizzle-kit'),
        ['generate', '--dialect=postgresql', '--schema=./db/schema.ts', `--out=${relative(root, copy)}`],
        { cwd: root },
      )
      expect(stdout).toContain('No schema changes')
      expect(readdirSync(copy).sort()).toEqual(readdirSync(migrationsFolder).sort())
    } finally {
      rmSync(join(copy, '..'), { recursive: true, force: true })
    }
  })
})
