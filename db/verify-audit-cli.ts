import { asc, eq } from 'drizzle-orm'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createDatabase } from './client'
import { createAuditRepository, verifyAudit, type AuditAnchor } from './repositories/audit'
import { tenants } from './schema'

/**
 * `npm run db:verify-audit [-- <tenant-slug> [--anchor <seq>:<hash>]]`: walks the audit chain of one
 * tenant (or of every tenant) in DATABASE_URL, or in the embedded database, compares every stored
 * result with its audit event, and exits 1 if anything is broken. With `--anchor` (a head taken
 * earlier from GET /admin/audit/head or from this command's output and kept outside the database),
 * the chain must still hold that exact row, which a rewrite from any seq up to it, or a cut of the
 * newest events, does not survive. `--head` prints only each tenant's head, for storing.
 */
function parseAnchor(text: string | undefined): AuditAnchor | undefined {
  if (text === undefined) return undefined
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text)
  if (!match) throw new Error('--anchor takes <seq>:<64 hex digits>')
  return { seq: Number(match[1]), hash: match[2]! }
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { anchor: { type: 'string' }, head: { type: 'boolean', default: false } },
  })
  const slug = positionals[0]
  const anchor = parseAnchor(values.anchor)
  if (anchor && !slug) throw new Error('--anchor needs the tenant slug it belongs to')
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
      if (values.head) {
        const head = await createAuditRepository(database.db).head(tenant.id)
        console.log(`${tenant.slug} ${head ? `${head.seq}:${head.hash}` : 'empty'}`)
        continue
      }
      const check = await verifyAudit(database.db, tenant.id, { anchor })
      if (check.ok) {
        console.log(
          `${tenant.slug}: ok, ${check.checked} events, ${check.results} results${check.head ? `, head ${check.head.seq}:${check.head.hash}` : ''}${anchor ? ', anchor holds' : ''}`,
        )
      } else {
        broken++
        const where = check.brokenAt > 0 ? ` at seq ${check.brokenAt}` : ''
        const result = check.resultId ? `, result ${check.resultId}` : ''
        console.log(`${tenant.slug}: BROKEN${where} (${check.reason}${result}) after ${check.checked} valid events`)
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
