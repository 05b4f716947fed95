import { pathToFileURL } from 'node:url'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import { createDatabase } from './client'
import { migrationsFolder } from './migrations-folder'

/**
 * Applies the committed migrations to the database at `url`. drizzle records what it applied in
 * `drizzle.__drizzle_migrations`, so a second run changes nothing.
 *
 * Server databases (Neon included: it also speaks the plain Postgres protocol) are migrated over
 * node-postgres; a deploy step has Node, and a migration wants one session, not HTTP statements.
 */
export async function migrateUrl(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await migrate(drizzle({ client }), { migrationsFolder })
  } finally {
    await client.end()
  }
}

/** `npm run db:migrate`: migrates DATABASE_URL, or the embedded PGlite database when it is unset. */
async function main() {
  const url = process.env.DATABASE_URL
  if (url) {
    await migrateUrl(url)
    console.log(
      `migrations applied to ${new URL(url).pathname.slice(1) || 'the database'} (${new URL(url).host})`,
    )
  } else {
    const dir = process.env.PGLITE_DIR ?? '.data/pglite'
    const handle = await createDatabase({ pgliteDir: dir })
    await handle.close()
    console.log(`migrations applied to the embedded database in ${dir}`)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error('db:migrate failed:', err instanceof Error ? err.message : err)
    process.exit(1)
  })
}
