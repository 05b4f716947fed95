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
 * statement plus the commit.
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

/** Namespace of the audit chain's advisory locks (the first of the two-key form), so no other lock can collide. */
const AUDIT_LOCK_CLASS = 0x41554454 // "AUDT"

function contentOf(row: {
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

/** The hash a row must have: the definition above, in JavaScript (the INSERT computes the same in SQL). */
export function auditHash(prevHash: string, seq: number, content: string): Promise<string> {
  return Promise.resolve(chainHash(prevHash, seq, content))
}

/**
 * Synchronous, for batch appends: each hash depends on the previous one and all are computed while
 * the chain lock is held, so a Web Crypto promise round trip per event would lengthen every
 * tenant's critical section. node:crypto is there on Node, Deno and workerd (`nodejs_compat`).
 */
function chainHash(prevHash: string, seq: number, content: string): string {
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

/** Takes the chain locks of these tenants, always in one order so two batches cannot deadlock. */
async function lockChains(tx: Transaction, tenantIds: string[]) {
  const sorted = [...new Set(tenantIds)].sort()
  const keys = sql.join(
    sorted.map((id) => sql`(${id})`),
    sql`, `,
  )
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_CLASS}, hashtext(t)) FROM (SELECT t FROM (VALUES ${keys}) AS v(t) ORDER BY t) AS ordered`,
  )
}

/**
 * Appends several events, of one or more tenants, in the caller's transaction: one lock statement,
 * one read of each chain's head, one INSERT. Hashes are computed here with the same definition as
 * the single append. This is what lets many evaluations share one commit (see result-batcher.ts).
 */
export async function appendAuditEvents(
  tx: Transaction,
  events: { tenantId: string; input: AuditEventInput }[],
): Promise<AuditEvent[]> {
  if (events.length === 0) return []
  const tenantIds = [...new Set(events.map((e) => e.tenantId))]
  await lockChains(tx, tenantIds)
  // Every chain's head in one statement (one round trip while the locks are held, however many tenants).
  const { rows: headRows } = (await tx.execute(
    sql`SELECT t.id AS tenant_id, h.seq, h.hash
          FROM unnest(${`{${tenantIds.join(',')}}`}::uuid[]) AS t(id)
          JOIN LATERAL (SELECT seq, hash FROM audit_events WHERE tenant_id = t.id ORDER BY seq DESC LIMIT 1) AS h ON true`,
  )) as unknown as { rows: { tenant_id: string; seq: number | string; hash: string }[] }
  const heads = new Map<string, { seq: number; hash: string }>(tenantIds.map((id) => [id, { seq: 0, hash: GENESIS_HASH }]))
  for (const h of headRows) heads.set(h.tenant_id, { seq: Number(h.seq), hash: h.hash })
  const createdAt = new Date()
  const rows = []
  for (const { tenantId, input } of events) {
    const head = heads.get(tenantId)!
    const row = {
      tenantId,
      action: input.action,
      actorKeyId: input.actorKeyId ?? null,
      target: input.target ?? '',
      payload: input.payload ?? {},
      createdAt,
    }
    const seq = head.seq + 1
    const hash = chainHash(head.hash, seq, contentOf(row))
    rows.push({ ...row, seq, prevHash: head.hash, hash })
    heads.set(tenantId, { seq, hash })
  }
  return tx.insert(auditEvents).values(rows).returning()
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
    const content = contentOf(row)
    await lockChains(tx, [tenantId])
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
          if ((await auditHash(row.prevHash, row.seq, contentOf(row))) !== row.hash) {
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
