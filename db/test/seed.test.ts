import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { count } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_POLICY } from '../../engine'
import { createTestDatabase, type TestDatabase } from '../../test/harness/postgres'
import { loadOrCreateSalt, writeDemoKeysFile } from '../local-files'
import { createRepositories, type Repositories } from '../repositories'
import { apiKeys, tenants } from '../schema'
import { DEMO_COURSE_ID, DEMO_TAXONOMY_VERSION, demoKeysFromEnv, seedDemo } from '../seed'
import { SALT } from './repository-suite'

describe('seedDemo', () => {
  let database: TestDatabase
  let repos: Repositories

  beforeAll(async () => {
    database = await createTestDatabase()
    repos = createRepositories(database.db, { apiKeySalt: SALT })
  })
  afterAll(() => database?.drop())

  const rowCount = async (table: typeof tenants | typeof apiKeys) =>
    (await database.db.select({ n: count() }).from(table))[0]!.n

  it('creates the demo tenant, keys, taxonomy, default policy and binding once, even when started twice at once', async () => {
    const [first, second] = await Promise.all([
      seedDemo(database.db, { salt: SALT }),
      seedDemo(database.db, { salt: SALT }),
    ])
    expect(first.tenantId).toBe(second.tenantId)
    // One of the two runs generated the three keys; the other found them.
    const generated = { ...first.generated, ...second.generated }
    expect(Object.keys(generated).sort()).toEqual(['admin', 'api-client', 'auditor'])
    expect(Object.keys(first.generated).length * Object.keys(second.generated).length).toBe(0)
    for (const [role, key] of Object.entries(generated)) {
      expect(await repos.apiKeys.findActiveByKey(key)).toMatchObject({
        key: { role },
        tenant: { id: first.tenantId },
      })
    }
    const tenantId = first.tenantId
    expect((await repos.policies.getDefault(tenantId))?.config).toEqual(DEFAULT_POLICY)
    expect(await repos.taxonomies.getByVersion(tenantId, DEMO_TAXONOMY_VERSION)).toMatchObject({
      status: 'active',
      nodes: expect.arrayContaining([expect.objectContaining({ id: 'calc.derivadas', critico: true })]),
    })
    expect(await repos.bindings.resolve(tenantId, DEMO_COURSE_ID, '2026-03-01')).toMatchObject({
      taxonomy: { version: DEMO_TAXONOMY_VERSION },
    })

    const before = { tenants: await rowCount(tenants), keys: await rowCount(apiKeys) }
    expect(await seedDemo(database.db, { salt: SALT })).toEqual({ tenantId, generated: {}, rotated: [] })
    expect({ tenants: await rowCount(tenants), keys: await rowCount(apiKeys) }).toEqual(before)
    expect(await repos.audit.verifyChain(tenantId)).toMatchObject({ ok: true, checked: 3 })
  })

  it('takes keys from the environment, and changing a variable rotates that key', async () => {
    const env = { ADMIN_API_KEY: 'ee_admin_from_env_0001', CLIENT_API_KEY: 'ee_client_from_env_0001' }
    const { tenantId } = await seedDemo(database.db, { salt: SALT })
    const oldAdmin = (await repos.apiKeys.list(tenantId)).items.find(
      (k) => k.role === 'admin' && k.status === 'active',
    )

    expect(await seedDemo(database.db, { salt: SALT, keys: demoKeysFromEnv(env) })).toMatchObject({
      rotated: ['admin', 'api-client'],
      generated: {},
    })
    expect(await repos.apiKeys.get(tenantId, oldAdmin!.id)).toMatchObject({ status: 'revoked' })
    expect(await repos.apiKeys.findActiveByKey(env.ADMIN_API_KEY)).toMatchObject({ key: { role: 'admin' } })
    expect(await seedDemo(database.db, { salt: SALT, keys: demoKeysFromEnv(env) })).toMatchObject({
      rotated: [],
    })

    const changed = { ...env, ADMIN_API_KEY: 'ee_admin_from_env_0002' }
    expect(await seedDemo(database.db, { salt: SALT, keys: demoKeysFromEnv(changed) })).toMatchObject({
      rotated: ['admin'],
    })
    expect(await repos.apiKeys.findActiveByKey(env.ADMIN_API_KEY)).toBeNull()
    expect(await repos.apiKeys.findActiveByKey(changed.ADMIN_API_KEY)).toMatchObject({
      key: { role: 'admin' },
    })
    expect(await repos.apiKeys.findActiveByKey(env.CLIENT_API_KEY)).toMatchObject({
      key: { role: 'api-client' },
    })
    const active = (await repos.apiKeys.list(tenantId)).items.filter((k) => k.status === 'active')
    expect(active.map((k) => k.role).sort()).toEqual(['admin', 'api-client', 'auditor'])
  })
})

describe('embedded default files', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ee-seed-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('keeps one salt, and a demo keys file only the owner can read', async () => {
    const salt = await loadOrCreateSalt(dir)
    expect(salt).toMatch(/^[0-9a-f]{64}$/)
    expect(await loadOrCreateSalt(dir)).toBe(salt)

    const file = join(dir, 'demo-keys.json')
    await writeDemoKeysFile(file, { generated: { admin: 'a1', auditor: 'u1', 'api-client': 'c1' } })
    await writeDemoKeysFile(file, { generated: { auditor: 'u2' }, replaced: ['admin'] })
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      tenant: 'demo',
      auditor: 'u2',
      'api-client': 'c1',
    })
    expect((await stat(file)).mode & 0o777).toBe(0o600)
  })
})
