import { join } from 'node:path'
import { z } from 'zod'
import { createDatabase } from './client'
import { loadOrCreateSalt, writeDemoKeysFile } from './local-files'
import { demoKeysFromEnv, seedDemo } from './seed'

/**
 * `npm run db:seed`: seeds the demo tenant into DATABASE_URL (API_KEY_SALT required, since keys
 * are stored under it), or into the embedded database in PGLITE_DIR with the salt kept beside it.
 * Generated keys are printed once; for the embedded database they also go to .data/demo-keys.json.
 */
async function main() {
  const url = process.env.DATABASE_URL
  const pgliteDir = process.env.PGLITE_DIR ?? '.data/pglite'
  const dataDir = join(pgliteDir, '..')
  const salt = process.env.API_KEY_SALT ?? (url ? undefined : await loadOrCreateSalt(dataDir))
  if (!salt) throw new Error('API_KEY_SALT is required to seed a server database (keys are stored under it)')

  const driver = z
    .enum(['neon', 'pg', 'pglite'])
    .optional()
    .parse(process.env.DATABASE_DRIVER || undefined)
  const database = await createDatabase({ url, driver, pgliteDir })
  try {
    const { generated, rotated } = await seedDemo(database.db, { salt, keys: demoKeysFromEnv(process.env) })
    const keysFile = url ? null : join(dataDir, 'demo-keys.json')
    if (keysFile && (Object.keys(generated).length > 0 || rotated.length > 0)) {
      await writeDemoKeysFile(keysFile, { generated, replaced: rotated })
    }

    console.log(`demo tenant ready (${database.driver})`)
    for (const role of rotated) console.log(`  ${role}: key set from the environment`)
    for (const [role, key] of Object.entries(generated))
      console.log(`  ${role}: ${key}   (new; shown only now)`)
    if (keysFile) console.log(`demo keys: ${keysFile}`)
  } finally {
    await database.close()
  }
}

main().catch((err: unknown) => {
  console.error('db:seed failed:', err instanceof Error ? err.message : err)
  process.exit(1)
})
