import canonicalize from 'canonicalize'
import { createHash } from 'node:crypto'
import { and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Database, Transaction } from '../client'
import { decodeCursor, encodeCursor, pageSize, type Page } from '../cursor'
import { isUuid } from '../ids'
import { auditEvents } from '../schema'
import { withTransaction } from '../transaction'

/**
 * The audit trail: append-only and hash-chained per tenant.
 *
 * Row n of a tenant stores `prev_hash` = hash of row n-1 (64 zeros for the first row) and
 *
 *     hash = hex(SHA-256(prev_hash + "\n" + seq + "\n" + canonical_json(content)))
 *
 * where `content` is `{tenant_id, action, actor_key_id, target, payload, created_at}` (created_at as
 * an ISO-8601 UTC string with milliseconds) and canonical JSON is RFC 8785 (JCS). Editing any
 * field of a row breaks its own hash; deleting a row leaves a gap in `seq` and breaks the next
 * row's `prev_hash`. (Deleting the newest rows cannot be seen from inside the table: anchor the
 * head hash elsewhere — a log line, a backup manifest — when that matters.)
 *
 * Appends of one tenant are serialized by a transaction-scoped advisory lock on that tenant, so
 * other tenants never wait; the hash is computed inside the INSERT, so holding the lock costs one
 * statement plus the commit. Evaluation results append in batches through the SQL function of
 * migrations/0003 (see db/result-batcher.ts), which takes the same lock and hashes the same way.
 */

export type AuditEvent = typeof auditEvents.$inferSelect

export interface AuditEventInput {
  /** What happened, as `noun.verb`: `result.created`, `policy.created`, `api_key.revoked`. */
  action: string
  actorKeyId?: string | null
  /** What it happened to, e.g. a result or key id. */
  target?: string
  payload?: Record<string, unknown>
}

export const GENESIS_HASH = '0'.repeat(64)

/**
 * Namespace of the audit chain's advisory locks (the first of the two-key form), so no other lock
 * can collide. migrations/0003 (the batch appends in SQL) takes the same key.
 */
const AUDIT_LOCK_CLASS = 0x41554454 // "AUDT"

/** The hashed content of an event: canonical JSON (RFC 8785) of its fields. */
export function auditContentOf(row: {
  tenantId: string
  action: string
  actorKeyId: string | null
  target: string
  payload: Record<string, unknown>
  createdAt: Date
}): string {
  return canonicalize({
    tenant_id: row.tenantId,
    action: row.action,
    actor_key_id: row.actorKeyId,
    target: row.target,
    payload: row.payload,
    created_at: row.createdAt.toISOString(),
  })!
}

/**
 * The hash a row must have: the definition above, in JavaScript (the appends compute the same in
 * SQL). node:crypto is there on Node, Deno and workerd (`nodejs_compat`).
 */
export function auditHash(prevHash: string, seq: number, content: string): string {
  return createHash('sha256').update(`${prevHash}\n${seq}\n${content}`).digest('hex')
}

export type ChainVerification =
  | { ok: true; checked: number; head: { seq: number; hash: string } | null }
  | {
      ok: false
      checked: number
      brokenAt: number
      reason: 'missing_row' | 'prev_hash_mismatch' | 'hash_mismatch'
    }

const SeqCursor = z.number().int().positive()

/** Takes a tenant's chain lock until the end of the transaction. */
async function lockChain(tx: Transaction, tenantId: string) {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_CLASS}, hashtext(${tenantId}))`)
}

export function createAuditRepository(db: Database) {
  async function appendIn(tx: Transaction, tenantId: string, input: AuditEventInput) {
    const row = {
      tenantId,
      action: input.action,
      actorKeyId: input.actorKeyId ?? null,
      target: input.target ?? '',
      payload: input.payload ?? {},
      createdAt: new Date(),
    }
    const content = auditContentOf(row)
    await lockChain(tx, tenantId)
    // Read the chain's head only after the lock is held: a statement's snapshot starts with the
    // statement, so this one sees the previous holder's committed row.
    const [inserted] = await tx
      .insert(auditEvents)
      .select(
        sql`SELECT ${tenantId}::uuid, n.seq, ${row.action}, ${row.actorKeyId}::uuid, ${row.target},
                   ${JSON.stringify(row.payload)}::jsonb, n.prev_hash,
                   encode(sha256(convert_to(n.prev_hash || E'\n' || n.seq::text || E'\n' || ${content}, 'UTF8')), 'hex'),
                   ${row.createdAt.toISOString()}::timestamptz
            FROM (SELECT coalesce(max(seq), 0) + 1 AS seq,
                         coalesce((SELECT hash FROM audit_events WHERE tenant_id = ${tenantId}::uuid ORDER BY seq DESC LIMIT 1), ${GENESIS_HASH}) AS prev_hash
                  FROM audit_events WHERE tenant_id = ${tenantId}::uuid) AS n`,
      )
      .returning()
    return inserted!
  }

  return {
    /**
     * Appends an event. Pass a transaction to make the event part of the caller's mutation
     * (`withTransaction(db, tx => ... createAuditRepository(tx).append(...))`); given a plain
     * database handle it opens its own.
     */
    append(tenantId: string, input: AuditEventInput): Promise<AuditEvent> {
      return withTransaction(db, (tx) => appendIn(tx, tenantId, input))
    },

    /** Newest first. */
    async list(
      tenantId: string,
      options: { cursor?: string; limit?: number; action?: string } = {},
    ): Promise<Page<AuditEvent>> {
      if (!isUuid(tenantId)) return { items: [], nextCursor: null }
      const limit = pageSize(options.limit)
      const before = options.cursor ? decodeCursor(options.cursor, SeqCursor) : undefined
      const rows = await db
        .select()
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.tenantId, tenantId),
            before ? lt(auditEvents.seq, before) : undefined,
            options.action ? eq(auditEvents.action, options.action) : undefined,
          ),
        )
        .orderBy(desc(auditEvents.seq))
        .limit(limit + 1)
      const items = rows.slice(0, limit)
      return { items, nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!.seq) : null }
    },

    /** Walks the tenant's chain from the first event and reports the first broken link. */
    async verifyChain(tenantId: string, batchSize = 1000): Promise<ChainVerification> {
      if (!isUuid(tenantId)) return { ok: true, checked: 0, head: null }
      let expectedSeq = 1
      let prevHash = GENESIS_HASH
      let checked = 0
      for (;;) {
        const rows = await db
          .select()
          .from(auditEvents)
          .where(and(eq(auditEvents.tenantId, tenantId), gt(auditEvents.seq, expectedSeq - 1)))
          .orderBy(asc(auditEvents.seq))
          .limit(batchSize)
        for (const row of rows) {
          if (row.seq !== expectedSeq)
            return { ok: false, checked, brokenAt: expectedSeq, reason: 'missing_row' }
          if (row.prevHash !== prevHash)
            return { ok: false, checked, brokenAt: row.seq, reason: 'prev_hash_mismatch' }
          if (auditHash(row.prevHash, row.seq, auditContentOf(row)) !== row.hash) {
            return { ok: false, checked, brokenAt: row.seq, reason: 'hash_mismatch' }
          }
          prevHash = row.hash
          expectedSeq++
          checked++
        }
        if (rows.length < batchSize) break
      }
      return { ok: true, checked, head: checked ? { seq: expectedSeq - 1, hash: prevHash } : null }
    },
  }
}

/** `verifyAuditChain(db, tenantId)`: the chain check as a plain function, for CLIs and endpoints. */
export function verifyAuditChain(db: Database, tenantId: string): Promise<ChainVerification> {
  return createAuditRepository(db).verifyChain(tenantId)
}

export type AuditRepository = ReturnType<typeof createAuditRepository>
