import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Database } from '../../db/client'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createPoliciesRepository } from '../../db/repositories/policies'
import { createTenantsRepository } from '../../db/repositories/tenants'
import { DEFAULT_POLICY } from '../../engine/index'

/**
 * The embedded default (`npm start` with no env): a salt generated once and kept in .data/, and
 * demo data seeded on the first start, with the demo keys written to a file only the owner reads.
 */

const DEMO_SLUG = 'demo'

export async function loadOrCreateSalt(dataDir: string): Promise<string> {
  const file = join(dataDir, 'api-key-salt')
  try {
    return (await readFile(file, 'utf8')).trim()
  } catch {
    await mkdir(dataDir, { recursive: true })
    const salt = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('')
    await writeFile(file, `${salt}\n`, { mode: 0o600 })
    return salt
  }
}

export type DemoKeys = { tenant: string; admin: string; 'api-client': string; auditor: string }

/** Seeds the demo tenant once; returns where its keys are and, on the first start, the keys. */
export async function ensureDemoData(db: Database, salt: string, keysFile: string): Promise<{ keysFile: string; created: DemoKeys | null }> {
  const tenants = createTenantsRepository(db)
  if (await tenants.getBySlug(DEMO_SLUG)) return { keysFile, created: null }
  const tenant = await tenants.create({ slug: DEMO_SLUG, name: 'Universidade Demonstração' })
  await createPoliciesRepository(db).create(tenant.id, {
    version: 'padrao-v1',
    description: 'Política padrão (valores embutidos do motor)',
    config: DEFAULT_POLICY,
    isDefault: true,
  })
  const keys = createApiKeysRepository(db, salt)
  const created: DemoKeys = { tenant: DEMO_SLUG, admin: '', 'api-client': '', auditor: '' }
  for (const role of ['admin', 'api-client', 'auditor'] as const) {
    created[role] = (await keys.create(tenant.id, { role, name: `demo ${role}` })).plaintext
  }
  await mkdir(dirname(keysFile), { recursive: true })
  await writeFile(keysFile, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 })
  await chmod(keysFile, 0o600)
  return { keysFile, created }
}
