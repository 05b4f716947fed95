import type { Database } from '../db/client'
import { createRepositories, type Repositories } from '../db/repositories/index'
import type { AuditEventInput } from '../db/repositories/audit'
import { withTransaction } from '../db/transaction'
import type { ServiceContext } from './context'

/**
 * A mutation and its audit event in one transaction: `write` gets the repositories over the
 * transaction, `event` turns its value into the event (or null: nothing happened, nothing audited).
 */
export function audited<T>(
  ctx: Pick<ServiceContext, 'db' | 'apiKeySalt'>,
  tenantId: string,
  write: (repos: Repositories, tx: Database) => Promise<T>,
  event: (value: T) => AuditEventInput | null,
): Promise<T> {
  return withTransaction(ctx.db, async (tx) => {
    const repos = createRepositories(tx, { apiKeySalt: ctx.apiKeySalt })
    const value = await write(repos, tx)
    const e = event(value)
    if (e) await repos.audit.append(tenantId, e)
    return value
  })
}
