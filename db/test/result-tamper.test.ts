import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../test/harness/postgres'
import { DataError } from '../errors'
import {
  auditContentOf,
  auditHash,
  auditResultHash,
  createRepositories,
  verifyAudit,
  verifyAuditChain,
  type NewResult,
  type Repositories,
} from '../repositories'
import { SALT } from './repository-suite'

/**
 * Stored decisions edited the way an intruder (or a careless operator) with SQL access would,
 * straight on the tables: every change of a result row is found by the verifier (what
 * `npm run db:verify-audit` and GET /admin/audit/verify run), and a replay refuses the row.
 */
let database: TestDatabase
let repos: Repositories

beforeAll(async () => {
  database = await createTestDatabase()
  repos = createRepositories(database.db, { apiKeySalt: SALT })
})
afterAll(() => database?.drop())

const resultInput = (requestId: string, decisao: NewResult['decisao'] = 'DEFERIDO'): NewResult => ({
  requestId,
  inputHash: `hash-${requestId}`,
  response: { decisao, score: 0.8125, degraded_mode: false, justificativa_curta: `ok ${requestId}`, evidence: [] },
  decisao,
  score: 0.8125,
  policyVersion: 'p1',
  taxonomyVersion: null,
  modelVersion: 'lexical-1',
})

/** A tenant with four audited results (written by the group commit and by a caller's transaction). */
async function tenantWithResults() {
  const tenant = await repos.tenants.create({ slug: `t-${crypto.randomUUID()}`, name: 'T' })
  const audit = { action: 'result.created' }
  const stored = await Promise.all(
    ['a', 'b', 'c'].map((id) => repos.results.insertIdempotent(tenant.id, resultInput(id), { audit })),
  )
  const inTx = await database.db.transaction((tx) =>
    createRepositories(tx, { apiKeySalt: SALT }).results.insertIdempotent(tenant.id, resultInput('d', 'INDEFERIDO'), {
      audit,
    }),
  )
  const ids = [...stored, inTx].map((s) => s.result.id)
  expect(await verifyAudit(database.db, tenant.id)).toMatchObject({ ok: true, checked: 4, results: 4 })
  const sql = (statement: string, params: unknown[] = []) => database.pool.query(statement, [tenant.id, ...params])
  return { tenantId: tenant.id, ids, sql }
}

describe('result rows bound to their audit events', () => {
  it('each event carries the hash of its row, the same in SQL and in TypeScript', async () => {
    const { tenantId, sql } = await tenantWithResults()
    const { rows } = await sql(
      `SELECT r.request_id, r.input_hash, r.decisao, r.response::text AS response_text, e.subject_hash
         FROM equivalence_results r JOIN audit_events e ON e.tenant_id = r.tenant_id AND e.target = r.id::text
        WHERE r.tenant_id = $1`,
    )
    expect(rows).toHaveLength(4)
    for (const row of rows) {
      expect(row.subject_hash).toBe(
        auditResultHash({
          requestId: row.request_id,
          inputHash: row.input_hash,
          decisao: row.decisao,
          responseText: row.response_text,
        }),
      )
    }
    expect(tenantId).toBeTruthy()
  })

  it.each([
    ['the decision column', `UPDATE equivalence_results SET decisao = 'INDEFERIDO' WHERE tenant_id = $1 AND id = $2`],
    [
      'the stored response',
      `UPDATE equivalence_results SET response = replace(response::text, '"DEFERIDO"', '"INDEFERIDO"')::json WHERE tenant_id = $1 AND id = $2`,
    ],
    ['the score column alone', `UPDATE equivalence_results SET score = 0.1 WHERE tenant_id = $1 AND id = $2`],
    ['the degraded flag alone', `UPDATE equivalence_results SET degraded = true WHERE tenant_id = $1 AND id = $2`],
    ['the input hash', `UPDATE equivalence_results SET input_hash = 'other' WHERE tenant_id = $1 AND id = $2`],
  ])('an edit of %s is found, and the replay refuses the row', async (_what, statement) => {
    const { tenantId, ids, sql } = await tenantWithResults()
    await sql(statement, [ids[1]])
    expect(await verifyAuditChain(database.db, tenantId)).toMatchObject({ ok: true }) // the chain itself is intact
    expect(await verifyAudit(database.db, tenantId)).toMatchObject({
      ok: false,
      reason: 'result_mismatch',
      resultId: ids[1],
      brokenAt: expect.any(Number),
    })
    const replay = repos.results.insertIdempotent(tenantId, resultInput('b'), { audit: { action: 'result.created' } })
    await expect(replay).rejects.toBeInstanceOf(DataError)
    await expect(replay).rejects.toMatchObject({ code: 'INTEGRITY' })
    await expect(repos.results.get(tenantId, ids[1]!)).rejects.toMatchObject({ code: 'INTEGRITY' })
    await expect(repos.results.getByRequestId(tenantId, 'b')).rejects.toMatchObject({ code: 'INTEGRITY' })
    // The untouched rows are still served.
    expect((await repos.results.get(tenantId, ids[0]!))?.requestId).toBe('a')
  })

  it('a swap of two rows’ answers is found', async () => {
    const { tenantId, ids, sql } = await tenantWithResults()
    await sql(
      `UPDATE equivalence_results AS r SET response = o.response, decisao = o.decisao, score = o.score
         FROM equivalence_results AS o
        WHERE r.tenant_id = $1 AND o.tenant_id = $1 AND ((r.id = $2 AND o.id = $3) OR (r.id = $3 AND o.id = $2))`,
      [ids[0], ids[3]],
    )
    expect(await verifyAudit(database.db, tenantId)).toMatchObject({ ok: false, reason: 'result_mismatch' })
  })

  it('a deleted row is found', async () => {
    const { tenantId, ids, sql } = await tenantWithResults()
    await sql(`DELETE FROM equivalence_results WHERE tenant_id = $1 AND id = $2`, [ids[2]])
    expect(await verifyAudit(database.db, tenantId)).toMatchObject({
      ok: false,
      reason: 'result_missing',
      resultId: ids[2],
    })
  })

  it('a row slipped in without an event is found', async () => {
    const { tenantId, sql } = await tenantWithResults()
    const { rows } = await sql(
      `INSERT INTO equivalence_results (tenant_id, request_id, input_hash, response, decisao, score, policy_version, model_version)
       VALUES ($1, 'forged', 'h', '{"decisao":"DEFERIDO"}', 'DEFERIDO', 1, 'p1', 'm') RETURNING id`,
    )
    expect(await verifyAudit(database.db, tenantId)).toMatchObject({
      ok: false,
      reason: 'result_unaudited',
      resultId: rows[0].id,
    })
  })
})

describe('anchors: a rewrite from seq N on', () => {
  /** What an intruder who knows the hash definition does: edit seq N and recompute every hash after it. */
  async function rewriteFrom(tenantId: string, seq: number, sql: (s: string, p?: unknown[]) => Promise<unknown>) {
    await sql(`UPDATE audit_events SET payload = '{"rewritten": true}' WHERE tenant_id = $1 AND seq = $2`, [seq])
    const events = (await repos.audit.list(tenantId, { limit: 100 })).items.sort((a, b) => a.seq - b.seq)
    let prev = events.find((e) => e.seq === seq - 1)?.hash ?? '0'.repeat(64)
    for (const e of events.filter((x) => x.seq >= seq)) {
      const hash = auditHash(prev, e.seq, auditContentOf(e), e.subjectHash)
      await sql(`UPDATE audit_events SET prev_hash = $2, hash = $3 WHERE tenant_id = $1 AND seq = $4`, [prev, hash, e.seq])
      prev = hash
    }
  }

  it('passes the unanchored check but not the anchored one', async () => {
    const { tenantId, sql } = await tenantWithResults()
    const anchor = await repos.audit.head(tenantId)
    expect(anchor).toMatchObject({ seq: 4 })
    await rewriteFrom(tenantId, 2, sql)
    expect(await verifyAudit(database.db, tenantId)).toMatchObject({ ok: true })
    expect(await verifyAudit(database.db, tenantId, { anchor: anchor! })).toMatchObject({
      ok: false,
      reason: 'anchor_mismatch',
      brokenAt: 4,
    })
  })

  it('an anchor finds the newest events deleted', async () => {
    const { tenantId, sql } = await tenantWithResults()
    const anchor = (await repos.audit.head(tenantId))!
    // An older anchor still holds after more events.
    await repos.audit.append(tenantId, { action: 'policy.created', target: 'p2' })
    expect(await verifyAuditChain(database.db, tenantId, { anchor })).toMatchObject({ ok: true, checked: 5 })
    await sql(`DELETE FROM equivalence_results WHERE tenant_id = $1`)
    await sql(`DELETE FROM audit_events WHERE tenant_id = $1 AND seq >= 4`)
    expect(await verifyAuditChain(database.db, tenantId, { anchor })).toMatchObject({
      ok: false,
      reason: 'anchor_mismatch',
      brokenAt: 4,
    })
  })
})
