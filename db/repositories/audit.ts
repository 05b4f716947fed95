import canonicalize from 'canonicalize'
import { createHash } from 'node:crypto'
import { and, asc, desc, eq, gt, lt, sql, type SQL } from 'drizzle-orm'
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
 * row's `prev_hash`.
 *
 * Results are bound to their events: the event of a result (`result.created` / `result.simulated`,
 * target = the result's id) carries `subject_hash` = `auditResultHash` of the row as stored, computed
 * in SQL from the row itself (migrations/0005; since 0010 before the chain locks are taken, and by the
 * evaluation group commit from its INSERT … RETURNING rather than a read-back), and then
 *
 *     hash = hex(SHA-256(prev_hash + "\n" + seq + "\n" + canonical_json(content) + "\n" + subject_hash))
 *
 * so the verifier finds an edited, deleted, swapped or unaudited result by comparing every row with
 * its event, and a replay refuses a row that no longer matches (results.ts).
 *
 * The chain is unkeyed: someone who can write the table can rewrite it from some seq N on and
 * recompute every hash after it, and deleting the newest rows leaves no trace inside the table. An
 * anchor kept elsewhere closes both: `head()` (served as GET /admin/audit/head) is the newest
 * (seq, hash); an operator stores it outside the database, and `verifyChain(…, { anchor })` fails
 * unless the chain still holds that exact row (DEPLOY.md, "Audit anchors").
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
export function auditHash(prevHash: string, seq: number, content: string, subjectHash?: string | null): string {
  const subject = subjectHash == null ? '' : `\n${subjectHash}`
  return createHash('sha256').update(`${prevHash}\n${seq}\n${content}${subject}`).digest('hex')
}

/**
 * The hash of a stored result row, as `audit_result_hash` (migrations/0005) computes it when the
 * row's event is appended: over the request id, the input hash, the decision and the response as
 * stored (the json column's text). `inputs` is left out: retention may purge it.
 */
export function auditResultHash(row: {
  requestId: string
  inputHash: string
  decisao: string
  responseText: string
}): string {
  return createHash('sha256')
    .update(`${row.requestId}\n${row.inputHash}\n${row.decisao}\n${row.responseText}`)
    .digest('hex')
}

/** The actions whose event binds a result row (target = the result's id). */
export const RESULT_ACTIONS = ['result.created', 'result.simulated'] as const

/** A (seq, hash) an operator stored outside the database: the chain must still hold that exact row. */
export interface AuditAnchor {
  seq: number
  hash: string
}

export type ChainBreak =
  /** The chain itself. */
  | 'missing_row'
  | 'prev_hash_mismatch'
  | 'hash_mismatch'
  /** The chain no longer holds the anchored (seq, hash): rewritten from some seq ≤ the anchor's, or cut short. */
  | 'anchor_mismatch'
  /** A result row and its event: the row was edited (or swapped), deleted, or has no event. */
  | 'result_mismatch'
  | 'result_missing'
  | 'result_unaudited'

export type ChainVerification =
  | { ok: true; checked: number; head: { seq: number; hash: string } | null }
  | {
      ok: false
      checked: number
      /** The seq of the broken event; for a result without an event, 0. */
      brokenAt: number
      reason: ChainBreak
      /** The result concerned, for the result_* reasons. */
      resultId?: string
    }

export type ResultsVerification =
  | { ok: true; checked: number; unaudited: string[] }
  | { ok: false; checked: number; brokenAt: number; reason: 'result_mismatch' | 'result_missing'; resultId: string }

export type AuditVerification = ChainVerification & { results: number }

type ResultCheckRow = {
  id: string
  request_id: string
  input_hash: string
  decisao: string
  score: number
  degraded: boolean
  response_text: string
  seq: string | number | null
  subject_hash: string | null
  payload: Record<string, unknown> | null
}

/**
 * Whether a stored result still matches its event. An event written before results were bound
 * (no subject hash) is checked on the fields its payload names. The row's score and degraded
 * columns must also say what its response says (an edit of one alone changes no hashed text).
 */
export function resultMatchesEvent(row: ResultCheckRow): boolean {
  if (row.subject_hash !== null) {
    const hash = auditResultHash({
      requestId: row.request_id,
      inputHash: row.input_hash,
      decisao: row.decisao,
      responseText: row.response_text,
    })
    if (hash !== row.subject_hash) return false
  } else {
    const p = row.payload ?? {}
    if (p.decisao !== undefined && p.decisao !== row.decisao) return false
    if (p.input_hash !== undefined && p.input_hash !== row.input_hash) return false
    if (p.request_id !== undefined && p.request_id !== row.request_id) return false
  }
  let response: Record<string, unknown>
  try {
    response = JSON.parse(row.response_text) as Record<string, unknown>
  } catch {
    return false
  }
  if (typeof response.score === 'number' && response.score !== Number(row.score)) return false
  if (typeof response.degraded_mode === 'boolean' && response.degraded_mode !== row.degraded) return false
  return true
}

/** One result row with its event (if any), the SQL both the verifier and the replay check read. */
function resultWithEvent(where: SQL) {
  return sql`
    SELECT r.id::text AS id, r.request_id, r.input_hash, r.decisao, r.score, r.degraded,
           r.response::text AS response_text, e.seq, e.subject_hash, e.payload
      FROM equivalence_results AS r
      LEFT JOIN audit_events AS e
        ON e.tenant_id = r.tenant_id AND e.target = r.id::text
       AND e.action IN ('result.created', 'result.simulated')
     WHERE ${where}`
}

const rowsOf = <T>(result: unknown): T[] =>
  Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? [])

/**
 * The integrity of one stored result: `unaudited` (no event), `mismatch` (the row changed since its
 * event), or `ok`. What a replay checks before serving a stored answer again.
 */
export async function checkStoredResult(
  db: Database,
  tenantId: string,
  resultId: string,
): Promise<'ok' | 'mismatch' | 'unaudited' | 'missing'> {
  if (!isUuid(tenantId) || !isUuid(resultId)) return 'missing'
  const rows = rowsOf<ResultCheckRow>(
    await db.execute(resultWithEvent(sql`r.tenant_id = ${tenantId} AND r.id = ${resultId}`)),
  )
  if (rows.length === 0) return 'missing'
  if (rows.some((row) => row.seq === null)) return 'unaudited'
  return rows.every(resultMatchesEvent) ? 'ok' : 'mismatch'
}

const SeqCursor = z.number().int().positive()

export function createAuditRepository(db: Database) {
  const repository = {
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

    /** The newest event's (seq, hash): the anchor an operator stores outside the database. */
    async head(tenantId: string): Promise<{ seq: number; hash: string; createdAt: Date } | null> {
      if (!isUuid(tenantId)) return null
      const [row] = await db
        .select({ seq: auditEvents.seq, hash: auditEvents.hash, createdAt: auditEvents.createdAt })
        .from(auditEvents)
        .where(eq(auditEvents.tenantId, tenantId))
        .orderBy(desc(auditEvents.seq))
        .limit(1)
      return row ?? null
    },

    /**
     * Walks the tenant's chain from the first event and reports the first broken link. With
     * `anchor`, the chain must still hold that exact (seq, hash).
     */
    async verifyChain(
      tenantId: string,
      batchSize = 1000,
      options: { anchor?: AuditAnchor } = {},
    ): Promise<ChainVerification> {
      const { anchor } = options
      if (!isUuid(tenantId)) {
        return anchor
          ? { ok: false, checked: 0, brokenAt: anchor.seq, reason: 'anchor_mismatch' }
          : { ok: true, checked: 0, head: null }
      }
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
          if (auditHash(row.prevHash, row.seq, auditContentOf(row), row.subjectHash) !== row.hash) {
            return { ok: false, checked, brokenAt: row.seq, reason: 'hash_mismatch' }
          }
          if (anchor && row.seq === anchor.seq && row.hash !== anchor.hash) {
            return { ok: false, checked, brokenAt: row.seq, reason: 'anchor_mismatch' }
          }
          prevHash = row.hash
          expectedSeq++
          checked++
        }
        if (rows.length < batchSize) break
      }
      if (anchor && anchor.seq >= expectedSeq) {
        return { ok: false, checked, brokenAt: anchor.seq, reason: 'anchor_mismatch' }
      }
      return { ok: true, checked, head: checked ? { seq: expectedSeq - 1, hash: prevHash } : null }
    },

    /**
     * Every result row of the tenant against its event, in id order a batch at a time, then every
     * bound result event against its row. Meaningful once `verifyChain` passed (the events are
     * then what was written). Rows with no event at all are listed in `unaudited` (the first 100):
     * our writers never store one.
     */
    async verifyResults(tenantId: string, batchSize = 1000): Promise<ResultsVerification> {
      if (!isUuid(tenantId)) return { ok: true, checked: 0, unaudited: [] }
      let checked = 0
      const unaudited: string[] = []
      let after = '00000000-0000-0000-0000-000000000000'
      for (;;) {
        const rows = rowsOf<ResultCheckRow>(
          await db.execute(
            sql`${resultWithEvent(sql`r.tenant_id = ${tenantId} AND r.id > ${after}::uuid`)} ORDER BY r.id LIMIT ${batchSize}`,
          ),
        )
        for (const row of rows) {
          if (row.seq === null) {
            if (unaudited.length < 100) unaudited.push(row.id)
            continue
          }
          if (!resultMatchesEvent(row)) {
            return { ok: false, checked, brokenAt: Number(row.seq), reason: 'result_mismatch', resultId: row.id }
          }
          checked++
        }
        if (rows.length < batchSize) break
        after = rows.at(-1)!.id
      }
      // Events that bound a row which is gone.
      const [orphan] = rowsOf<{ seq: string | number; target: string }>(
        await db.execute(sql`
          SELECT e.seq, e.target FROM audit_events AS e
           WHERE e.tenant_id = ${tenantId} AND e.subject_hash IS NOT NULL
             AND e.action IN ('result.created', 'result.simulated')
             AND NOT EXISTS (SELECT 1 FROM equivalence_results AS r
                              WHERE r.tenant_id = e.tenant_id AND r.id::text = e.target)
           ORDER BY e.seq LIMIT 1`),
      )
      if (orphan) {
        return { ok: false, checked, brokenAt: Number(orphan.seq), reason: 'result_missing', resultId: orphan.target }
      }
      return { ok: true, checked, unaudited }
    },
  }
  return repository
}

/**
 * What `npm run db:verify-audit` and GET /admin/audit/verify report: the chain (against the
 * anchor, if one is given), then every result against its event; a result without any event fails
 * it too. `results` counts the result rows found matching their events.
 */
export async function verifyAudit(
  db: Database,
  tenantId: string,
  options: { anchor?: AuditAnchor } = {},
): Promise<AuditVerification> {
  const audit = createAuditRepository(db)
  const chain = await audit.verifyChain(tenantId, 1000, options)
  if (!chain.ok) return { ...chain, results: 0 }
  const results = await audit.verifyResults(tenantId)
  if (!results.ok) return { ...results, checked: chain.checked, results: results.checked }
  const [unaudited] = results.unaudited
  if (unaudited) {
    return { ok: false, checked: chain.checked, results: results.checked, brokenAt: 0, reason: 'result_unaudited', resultId: unaudited }
  }
  return { ...chain, results: results.checked }
}

/** `verifyAuditChain(db, tenantId)`: the chain check alone, as a plain function. */
export function verifyAuditChain(
  db: Database,
  tenantId: string,
  options: { anchor?: AuditAnchor } = {},
): Promise<ChainVerification> {
  return createAuditRepository(db).verifyChain(tenantId, 1000, options)
}

export type AuditRepository = ReturnType<typeof createAuditRepository>
