import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmptyDatabase } from '../../test/harness/postgres'
import { migrateUrl } from '../migrate'

const run = promisify(execFile)

/** Everything a migration can change, as one comparable value. */
async function schemaFingerprint(url: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const columns = await client.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2`,
    )
    const constraints = await client.query(
      `SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`,
    )
    const indexes = await client.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`,
    )
    const applied = await client.query('SELECT hash FROM drizzle.__drizzle_migrations ORDER BY id')
    return {
      columns: columns.rows,
      constraints: constraints.rows,
      indexes: indexes.rows,
      applied: applied.rows,
    }
  } finally {
    await client.end()
  }
}

describe('migrations', () => {
  let database: Awaited<ReturnType<typeof createEmptyDatabase>>
  beforeAll(async () => {
    database = await createEmptyDatabase()
  })
  afterAll(() => database?.drop())

  it('build the whole schema from zero, and a second run changes nothing', async () => {
    await migrateUrl(database.url)
    const first = await schemaFingerprint(database.url)
    expect(new Set(first.columns.map((c) => c.table_name))).toEqual(
      new Set([
        'tenants',
        'api_keys',
        'taxonomy_versions',
        'taxonomy_nodes',
        'policy_versions',
        'course_bindings',
        'equivalence_results',
        'reviews',
        'review_assignments',
        'precedents',
        'calibrations',
        'jobs',
        'job_items',
        'embedding_cache',
        'audit_events',
      ]),
    )
    expect(first.applied.length).toBeGreaterThan(0)
    await migrateUrl(database.url)
    expect(await schemaFingerprint(database.url)).toEqual(first)
  })

  it('run the same way through `npm run db:migrate`', async () => {
    // What `npm run db:migrate` runs (tsx db/migrate.ts), without npm's and npx's start-up.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'db/migrate.ts'], {
      env: { ...process.env, DATABASE_URL: database.url },
    })
    expect(stdout).toContain(`migrations applied to ${database.name}`)
  })

  it('enforce the enum checks and the composite tenant keys in the database itself', async () => {
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    try {
      const {
        rows: [a],
      } = await client.query(`INSERT INTO tenants (slug, name) VALUES ('a', 'A') RETURNING id`)
      const {
        rows: [b],
      } = await client.query(`INSERT INTO tenants (slug, name) VALUES ('b', 'B') RETURNING id`)
      await expect(
        client.query(
          `INSERT INTO api_keys (tenant_id, key_hash, prefix, role) VALUES ($1, 'h', 'p', 'root')`,
          [a.id],
        ),
      ).rejects.toMatchObject({ code: '23514' })
      const {
        rows: [job],
      } = await client.query(`INSERT INTO jobs (tenant_id, total) VALUES ($1, 1) RETURNING id`, [a.id])
      // An item of tenant B cannot belong to tenant A's job.
      await expect(
        client.query(`INSERT INTO job_items (job_id, tenant_id, idx, payload) VALUES ($1, $2, 0, '{}')`, [
          job.id,
          b.id,
        ]),
      ).rejects.toMatchObject({ code: '23503' })
      await expect(client.query(`UPDATE jobs SET done = 2 WHERE id = $1`, [job.id])).rejects.toMatchObject({
        code: '23514',
      })
    } finally {
      await client.end()
    }
  })
})
