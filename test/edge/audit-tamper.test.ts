import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EdgeFixture, type TenantFixture, createEdgeFixture, samplePair } from './fixture'

/**
 * A stored decision edited straight in Postgres (the issue's `UPDATE equivalence_results SET
 * decisao = …`): GET /admin/audit/verify and `npm run db:verify-audit` both report it, the replay
 * refuses to serve it, and a head anchored before a rewrite of the chain catches the rewrite.
 */
let f: EdgeFixture
let t: TenantFixture
const run = promisify(execFile)
let original = ''

beforeAll(async () => {
  f = await createEdgeFixture()
  t = await f.createTenant()
})
afterAll(() => f?.close())

const evaluate = (body: unknown) => f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body })
const verify = (query = '') => f.call('GET', `/admin/audit/verify${query}`, { key: t.keys.admin }).then((r) => r.json())

async function cli(...args: string[]) {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'db/verify-audit-cli.ts', t.slug, ...args], {
      env: { ...process.env, DATABASE_URL: f.database.url },
    })
    return { code: 0, stdout }
  } catch (err) {
    const e = err as { code: number; stdout: string }
    return { code: e.code, stdout: e.stdout }
  }
}

describe('a stored result edited in the database', () => {
  it('verifies while untouched, and publishes a head', async () => {
    for (const id of ['tamper-1', 'tamper-2', 'tamper-3']) expect((await evaluate(samplePair({ request_id: id }))).status).toBe(200)
    expect(await verify()).toMatchObject({ ok: true, checked: 3, results: 3, reason: null, head: { seq: 3 } })
    const head = await f.call('GET', '/admin/audit/head', { key: t.keys.admin }).then((r) => r.json())
    expect(head).toEqual({ seq: 3, hash: expect.stringMatching(/^[0-9a-f]{64}$/), created_at: expect.any(String) })
    expect(await cli()).toMatchObject({ code: 0, stdout: expect.stringContaining('ok, 3 events, 3 results') })
  })

  it('an UPDATE of its decision is reported by the endpoint and the CLI, and the replay refuses it', async () => {
    original = (await f.database.pool.query("SELECT decisao FROM equivalence_results WHERE tenant_id = $1 AND request_id = 'tamper-2'", [t.id])).rows[0].decisao
    const { rows } = await f.database.pool.query(
      "UPDATE equivalence_results SET decisao = $2 WHERE tenant_id = $1 AND request_id = 'tamper-2' RETURNING id",
      [t.id, original === 'DEFERIDO' ? 'INDEFERIDO' : 'DEFERIDO'],
    )
    expect(await verify()).toMatchObject({ ok: false, reason: 'result_mismatch', result_id: rows[0].id })
    const report = await cli()
    expect(report.code).toBe(1)
    expect(report.stdout).toContain(`BROKEN at seq 2 (result_mismatch, result ${rows[0].id})`)

    const replay = await evaluate(samplePair({ request_id: 'tamper-2' }))
    expect(replay.status).toBe(409)
    expect(JSON.stringify(await replay.json())).toContain('integrity check')
    expect((await f.call('GET', `/v1/results/${rows[0].id}`, { key: t.keys.auditor })).status).toBe(409)
    expect((await evaluate(samplePair({ request_id: 'tamper-1' }))).status).toBe(200) // the others still replay
  })

  it('a rewrite of the chain is caught by an anchor taken before it', async () => {
    const anchor = await f.call('GET', '/admin/audit/head', { key: t.keys.admin }).then((r) => r.json())
    // The intruder deletes the newest event and its result (and puts tamper-2 back as it was): the
    // chain alone still verifies.
    await f.database.pool.query('DELETE FROM equivalence_results WHERE tenant_id = $1 AND request_id = $2', [t.id, 'tamper-3'])
    await f.database.pool.query('DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 3', [t.id])
    await f.database.pool.query("UPDATE equivalence_results SET decisao = $2 WHERE tenant_id = $1 AND request_id = 'tamper-2'", [t.id, original])
    expect(await verify()).toMatchObject({ ok: true, checked: 2 })
    expect(await verify(`?anchor_seq=${anchor.seq}&anchor_hash=${anchor.hash}`)).toMatchObject({ ok: false, reason: 'anchor_mismatch', broken_at: 3 })
    expect(await cli('--anchor', `${anchor.seq}:${anchor.hash}`)).toMatchObject({ code: 1, stdout: expect.stringContaining('anchor_mismatch') })
    expect((await f.call('GET', '/admin/audit/verify?anchor_seq=3', { key: t.keys.admin })).status).toBe(422)
  })
})
