import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { createDatabase, type Database } from '../db/client'
import { createRepositories } from '../db/repositories'
import { withTransaction } from '../db/transaction'

/**
 * Operator CLI: creates a tenant with its first admin API key, or issues a new admin key for an
 * existing tenant (a lost admin key, or every key after an API_KEY_SALT rotation). Everything
 * else is done with that key through the admin API. Both writes carry an audit event.
 *
 *   node --import tsx scripts/provision-tenant.ts <slug> --name "<Universidade ...>"
 *   node --import tsx scripts/provision-tenant.ts <slug>            # existing tenant: new admin key
 *
 * Reads DATABASE_URL and API_KEY_SALT (the salt the API runs with: keys are stored under it).
 * The key is printed once, on stdout; it is not stored anywhere in plain text.
 */

const Env = z.object({
  DATABASE_URL: z.url({ message: 'DATABASE_URL must be a postgres:// URL' }),
  API_KEY_SALT: z
    .string({ message: 'API_KEY_SALT is required' })
    .min(16, 'API_KEY_SALT must be at least 16 characters'),
})

export interface Provisioned {
  tenantId: string
  slug: string
  created: boolean
  keyId: string
  key: string
}

export async function provisionTenant(
  db: Database,
  input: { slug: string; name?: string; salt: string },
): Promise<Provisioned> {
  return withTransaction(db, async (tx) => {
    const repos = createRepositories(tx, { apiKeySalt: input.salt })
    let tenant = await repos.tenants.getBySlug(input.slug)
    const created = !tenant
    if (!tenant) {
      if (!input.name) throw new Error(`no tenant "${input.slug}": pass --name to create it`)
      tenant = await repos.tenants.create({ slug: input.slug, name: input.name })
      await repos.audit.append(tenant.id, {
        action: 'tenant.created',
        target: tenant.id,
        payload: { slug: tenant.slug, via: 'provision-tenant' },
      })
    }
    const { key, plaintext } = await repos.apiKeys.create(tenant.id, {
      role: 'admin',
      name: `admin (provisioned ${new Date().toISOString().slice(0, 10)})`,
    })
    await repos.audit.append(tenant.id, {
      action: 'api_key.created',
      target: key.id,
      payload: { role: 'admin', via: 'provision-tenant' },
    })
    return { tenantId: tenant.id, slug: tenant.slug, created, keyId: key.id, key: plaintext }
  })
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' } },
  })
  if (positionals.length !== 1) throw new Error('usage: provision-tenant.ts <slug> [--name "<display name>"]')
  const env = Env.safeParse(process.env)
  if (!env.success) throw new Error(env.error.issues.map((i) => i.message).join('; '))

  const database = await createDatabase({ url: env.data.DATABASE_URL, driver: 'pg', poolSize: 1 })
  try {
    const result = await provisionTenant(database.db, {
      slug: positionals[0]!,
      name: values.name,
      salt: env.data.API_KEY_SALT,
    })
    console.error(
      `${result.created ? 'created tenant' : 'tenant'} ${result.slug} (${result.tenantId}); new admin key ${result.keyId}, shown only now:`,
    )
    console.log(result.key)
  } finally {
    await database.close()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`provision-tenant: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(1)
  })
}
