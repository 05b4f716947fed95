import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { verifyAuditChain } from '../../db/repositories/audit'
import { provisionTenant } from '../../scripts/provision-tenant'
import { createTestDatabase, type TestDatabase } from '../harness/postgres'

/** scripts/provision-tenant.ts, run as the operator runs it (DEPLOY.md §3 step 7 and §9). */

const root = join(import.meta.dirname, '..', '..')
const run = promisify(execFile)
const SALT = 'provision-test-salt-0123456789abcdef'

// A ceiling for tsx child processes on a busy 2-core CI machine, not a measurement.
describe('provision-tenant', { timeout: 90_000 }, () => {
  let database: TestDatabase
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'provision-tenant.ts'), ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: database.url, API_KEY_SALT: SALT },
    })

  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 2 })
  })
  afterAll(async () => {
    await database?.drop()
  })

  it('creates a tenant with an admin key, then issues another for the same tenant', async () => {
    const first = await cli(['univ-x', '--name', 'Universidade X'])
    expect(first.stderr).toMatch(/created tenant univ-x \(([0-9a-f-]{36})\)/)
    const keys = createApiKeysRepository(database.db, SALT)
    const firstKey = await keys.findActiveByKey(first.stdout.trim())
    expect(firstKey).toMatchObject({ key: { role: 'admin' }, tenant: { slug: 'univ-x' } })

    // The same path in process (spawning tsx costs seconds): an existing tenant gets a new admin key.
    const second = await provisionTenant(database.db, { slug: 'univ-x', salt: SALT })
    expect(second.created).toBe(false)
    const secondKey = await keys.findActiveByKey(second.key)
    expect(secondKey?.tenant.id).toBe(firstKey!.tenant.id)
    expect(secondKey?.key.id).not.toBe(firstKey!.key.id)
    // Under another salt the key does not authenticate: it is stored only as an HMAC.
    expect(await createApiKeysRepository(database.db, `${SALT}-other`).findActiveByKey(second.key)).toBeNull()

    expect(await verifyAuditChain(database.db, firstKey!.tenant.id)).toMatchObject({ ok: true, checked: 3 })
  })

  it('exits 1 with a clear message for an unknown tenant without --name', async () => {
    await expect(cli(['nobody'])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no tenant "nobody": pass --name'),
    })
  })
})
