import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type DatabaseHandle } from '../client'
import { repositorySuite } from './repository-suite'

/**
 * The embedded default: one PGlite instance (each costs seconds and hundreds of MB), migrated on
 * open, then the same repository behaviour as the server drivers.
 */
describe('repositories on PGlite', () => {
  let dir: string
  let handle: DatabaseHandle

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ee-pglite-'))
    handle = await createDatabase({ pgliteDir: join(dir, 'pglite') })
  })
  afterAll(async () => {
    await handle?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('opens migrated', async () => {
    expect(handle.driver).toBe('pglite')
    const tables = (await handle.db.execute(
      sql`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`,
    )) as unknown as { rows: { n: number }[] }
    expect(tables.rows[0]?.n).toBe(15)
  })

  repositorySuite(async () => ({ db: handle.db, close: async () => undefined }))
})
