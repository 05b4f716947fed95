import { is } from 'drizzle-orm'
import { PgTransaction } from 'drizzle-orm/pg-core'
import type { Database, Transaction } from './client'

/**
 * Runs `fn` in one transaction: a service writes its mutation and the audit row together, or
 * neither. Called with a transaction already open, it joins it (drizzle would open a savepoint; we
 * want the caller's atomicity, not a nested one).
 */
export function withTransaction<T>(db: Database, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  if (isTransaction(db)) return fn(db)
  return db.transaction(fn)
}

export function isTransaction(db: Database): db is Transaction {
  return is(db, PgTransaction)
}
