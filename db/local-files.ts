import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { ApiKeyRole } from './schema'
import { DEMO_TENANT, type DemoKeys } from './seed'

/**
 * Files of the embedded default, beside the PGlite folder in `.data/`: the API key salt generated
 * on first use, and the demo keys (readable by the owner only).
 */

export async function loadOrCreateSalt(dataDir: string): Promise<string> {
  const file = join(dataDir, 'api-key-salt')
  try {
    return (await readFile(file, 'utf8')).trim()
  } catch {
    await mkdir(dataDir, { recursive: true })
    const bytes = crypto.getRandomValues(new Uint8Array(32))
    const salt = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
    await writeFile(file, `${salt}\n`, { mode: 0o600 })
    return salt
  }
}

/**
 * `{tenant, admin, api-client, auditor}`: new plaintexts replace old ones, roles whose key now comes
 * from the environment are dropped (their old key no longer works), other roles are kept.
 */
export async function writeDemoKeysFile(
  file: string,
  change: { generated: DemoKeys; replaced?: readonly ApiKeyRole[] },
): Promise<void> {
  let current: Record<string, string> = {}
  try {
    current = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>
  } catch {
    // First run, or an unreadable file: start over.
  }
  for (const role of change.replaced ?? []) delete current[role]
  const merged = { ...current, tenant: DEMO_TENANT.slug, ...change.generated }
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, `${JSON.stringify(merged, null, 2)}\n`, { mode: 0o600 })
  await chmod(file, 0o600)
}
