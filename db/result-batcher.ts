import { and, eq, or, sql } from 'drizzle-orm'
import type { Database } from './client'
import { createGroupCommit } from './group-commit'
import { auditEventRecord, type AuditEventInput } from './repositories/audit'
import { resultColumnsOf, resultRowOf } from './repositories/results'
import { equivalenceResults } from './schema'

/**
 * Group commit for audited result inserts.
 *
 * Each tenant's audit chain is a sequence: appending holds the tenant's chain lock until COMMIT,
 * and COMMIT waits for the WAL flush. One transaction per evaluation therefore caps a tenant at one
 * evaluation per flush, however many connections there are. Instead, evaluations that arrive while
 * a commit is in flight wait together and go in the next one: a single statement — the SQL function
 * `append_audited_results` of migrations/0003 — inserts their results, takes the chain locks and
 * appends their audit events, in one round trip and one commit. Each caller still gets its own
 * answer, and its result and audit event are still committed together. At low load a batch is a
 * single evaluation and nothing waits for a timer.
 *
 * The caller's side stays cheap: ids and timestamps are chosen here, so a created row is answered
 * from what was sent (the response is not read back and parsed), and the batch travels as one JSON
 * parameter rather than a statement with 14 parameters a row.
 *
 * If a batch fails (one bad row fails the whole statement), its entries are retried one by one so
 * that only the bad one fails.
 */

type Row = typeof equivalenceResults.$inferInsert
type Stored = typeof equivalenceResults.$inferSelect
type Outcome = { result: Stored; created: boolean }

interface Pending {
  row: Row & { tenantId: string; requestId: string }
  audit: Omit<AuditEventInput, 'target'>
  resolve(outcome: Outcome): void
  reject(error: unknown): void
}

/** Largest batch: bounds the statement's size and the wait of the last caller. */
const MAX_BATCH = 500

const keyOf = (tenantId: string, requestId: string) => `${tenantId}\u0000${requestId}`

export interface ResultBatcher {
  insert(row: Pending['row'], audit: Pending['audit']): Promise<Outcome>
}

/** One batcher per database handle, so every repository built over the same pool shares it. */
const batchers = new WeakMap<Database, ResultBatcher>()

export function resultBatcherFor(db: Database, insertOne: (p: Pending) => Promise<Outcome>): ResultBatcher {
  let batcher = batchers.get(db)
  if (!batcher) {
    batcher = createResultBatcher(db, insertOne)
    batchers.set(db, batcher)
  }
  return batcher
}

function createResultBatcher(db: Database, insertOne: (p: Pending) => Promise<Outcome>): ResultBatcher {
  async function flush(batch: Pending[]) {
    // Repeats of one request inside the batch share the first one's row.
    const byKey = new Map<string, Pending[]>()
    for (const p of batch) {
      const key = keyOf(p.row.tenantId, p.row.requestId)
      byKey.set(key, [...(byKey.get(key) ?? []), p])
    }
    const firsts = [...byKey.values()].map((group) => group[0]!)
    const createdAt = new Date()
    const candidates = firsts.map((p) => resultRowOf(p.row.tenantId, p.row, { createdAt }))
    const created = new Map<string, Stored>()
    try {
      // One statement, one round trip: results, chain locks, heads and audit events (migrations/0003).
      const batchJson = JSON.stringify(firsts.map((p, i) => batchEntryOf(p, candidates[i]!)))
      const { rows } = (await db.execute(
        sql`SELECT created_id FROM append_audited_results(${batchJson}::json)`,
      )) as unknown as { rows: { created_id: string }[] }
      const createdIds = new Set(rows.map((r) => r.created_id))
      for (const row of candidates)
        if (createdIds.has(row.id)) created.set(keyOf(row.tenantId, row.requestId), row)
    } catch {
      await Promise.all(batch.map((p) => insertOne(p).then(p.resolve, p.reject)))
      return
    }

    // Requests stored before this batch: read them back in one query.
    const missing = firsts.filter((p) => !created.has(keyOf(p.row.tenantId, p.row.requestId)))
    const existing = new Map<string, Stored>()
    let readError: unknown = new Error('stored result not found after conflict')
    if (missing.length > 0) {
      try {
        const rows = await db
          .select()
          .from(equivalenceResults)
          .where(
            or(
              ...missing.map((p) =>
                and(
                  eq(equivalenceResults.tenantId, p.row.tenantId),
                  eq(equivalenceResults.requestId, p.row.requestId),
                ),
              ),
            ),
          )
        for (const r of rows) existing.set(keyOf(r.tenantId, r.requestId), r)
      } catch (err) {
        readError = err
      }
    }
    for (const [key, group] of byKey) {
      const mine = created.get(key)
      const stored = mine ?? existing.get(key)
      group.forEach((p, i) => {
        if (stored) p.resolve({ result: stored, created: Boolean(mine) && i === 0 })
        else p.reject(readError)
      })
    }
  }

  // Two commits may be in flight: while one holds the chain lock and waits for its WAL flush, the
  // next inserts its results and is ready to append the moment the lock is free.
  const enqueue = createGroupCommit<Pending>({
    maxInFlight: 2,
    maxWeight: MAX_BATCH,
    weightOf: () => 1,
    commit: flush,
  })

  return {
    insert(row, audit) {
      return new Promise<Outcome>((resolve, reject) => enqueue({ row, audit, resolve, reject }))
    },
  }
}

/** One element of the function's `batch` argument: the result's columns and its audit event. */
function batchEntryOf(p: Pending, row: Stored) {
  return {
    ...resultColumnsOf(row),
    audit: auditEventRecord(row.tenantId, { ...p.audit, target: row.id }, row.createdAt),
  }
}
