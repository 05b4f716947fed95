import canonicalize from 'canonicalize'
import { createHash } from 'node:crypto'
import { and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Database } from '../client'
import { decodeCursor, encodeCursor, pageSize, type Page } from '../cursor'
import { isUuid } from '../ids'
import { auditEvents } from '../schema'

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
 * Every append, of one event or of many, goes through one SQL function, `append_audit_events`
 * (migrations/0003): it takes a transaction-scoped advisory lock per tenant (other tenants never
 * wait), reads the head after the lock and hashes in SQL, so holding a lock costs one statement
 * plus the commit. Only the canonical JSON of each event is computed here (`auditEventRecord`).
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

/** An event as `append_audit_events` takes it: its columns, and the content its hash covers. */
export interface AuditEventRecord {
  tenant_id: string
  action: string
  actor_key_id: string | null
  target: string
  payload: Record<string, unknown>
  created_at: string
  content: string
}

export function auditEventRecord(
  tenantId: string,
  input: AuditEventInput,
  createdAt: Date,
): AuditEventRecord {
  const row = {
    tenantId,
    action: input.action,
    actorKeyId: input.actorKeyId ?? null,
    target: input.target ?? '',
    payload: input.payload ?? {},
    createdAt,
  }
  return {
    tenant_id: row.tenantId,
    action: row.action,
    actor_key_id: row.actorKeyId,
    target: row.target,
    payload: row.payload,
    created_at: createdAt.toISOString(),
    content: auditContentOf(row),
  }
}

/**
 * Appends events, of one or more tenants, in one statement: in the caller's transaction when `db`
 * is one (the events then commit with the caller's mutation), else in the statement's own.
 */
export async function appendAuditEvents(db: Database, events: readonly AuditEventRecord[]): Promise<void> {
  if (events.length === 0) return
  await db.execute(sql`SELECT append_audit_events(${JSON.stringify(events)}::jsonb)`)
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

export function createAuditRepository(db: Database) {
  return {
    /**
     * Appends an event. Pass a transaction to make the event part of the caller's mutation
     * (`withTransaction(db, tx => ... createAuditRepository(tx).append(...))`).
     */
    append(tenantId: string, input: AuditEventInput): Promise<void> {
      return appendAuditEvents(db, [auditEventRecord(tenantId, input, new Date())])
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
