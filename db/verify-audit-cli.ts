import { asc, eq } from 'drizzle-orm'
import { join } from 'node:path'
import { createDatabase } from './client'
import { verifyAuditChain } from './repositories/audit'
import { tenants } from './schema'

/**
 * `npm run db:verify-audit [-- <tenant-slug>]`: walks the audit chain of one tenant (or of every
 * tenant) in DATABASE_URL, or in the embedded database, and exits 1 if any chain is broken.
 */
async function main() {
  const slug = process.argv[2]
  const database = await createDatabase({
    url: process.env.DATABASE_URL,
    pgliteDir: process.env.PGLITE_DIR ?? join('.data', 'pglite'),
  })
  try {
    const targets = await database.db
      .select({ id: tenants.id, slug: tenants.slug })
      .from(tenants)
      .where(slug ? eq(tenants.slug, slug) : undefined)
      .orderBy(asc(tenants.slug))
    if (slug && targets.length === 0) throw new Error(`no tenant ${slug}`)
    let broken = 0
    for (const tenant of targets) {
      const check = await verifyAuditChain(database.db, tenant.id)
      if (check.ok) {
        console.log(
          `${tenant.slug}: ok, ${check.checked} events${check.head ? `, head ${check.head.seq} ${check.head.hash}` : ''}`,
        )
      } else {
        broken++
        console.log(
          `${tenant.slug}: BROKEN at seq ${check.brokenAt} (${check.reason}) after ${check.checked} valid events`,
        )
      }
    }
    if (broken > 0) process.exitCode = 1
  } finally {
    await database.close()
  }
}

main().catch((err: unknown) => {
  console.error('db:verify-audit failed:', err instanceof Error ? err.message : err)
  process.exit(1)
})
