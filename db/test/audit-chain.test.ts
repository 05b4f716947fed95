import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../test/harness/postgres'
import { createRepositories, verifyAuditChain, type Repositories } from '../repositories'
import { SALT } from './repository-suite'

/** Tampering done the way an intruder with SQL access would, straight on the table. */
describe('audit chain verification', () => {
  let database: TestDatabase
  let repos: Repositories
  let tenantId: string
  let otherTenantId: string

  beforeAll(async () => {
    database = await createTestDatabase()
    repos = createRepositories(database.db, { apiKeySalt: SALT })
    otherTenantId = (await repos.tenants.create({ slug: 'bystander', name: 'Bystander' })).id
    for (let i = 0; i < 3; i++) await repos.audit.append(otherTenantId, { action: 'noise', payload: { i } })
  })
  afterAll(() => database?.drop())

  beforeEach(async () => {
    tenantId = (await repos.tenants.create({ slug: `t-${Date.now()}-${Math.random()}`, name: 'T' })).id
    for (let i = 1; i <= 5; i++) {
      await repos.audit.append(tenantId, {
        action: 'result.created',
        target: `r${i}`,
        payload: { decisao: 'DEFERIDO', i },
      })
    }
    expect(await verifyAuditChain(database.db, tenantId)).toMatchObject({ ok: true, checked: 5 })
  })

  const tamper = (statement: string) => database.pool.query(statement, [tenantId])

  it('finds an edited payload', async () => {
    await tamper(
      `UPDATE audit_events SET payload = '{"decisao": "INDEFERIDO", "i": 3}' WHERE tenant_id = $1 AND seq = 3`,
    )
    expect(await verifyAuditChain(database.db, tenantId)).toEqual({
      ok: false,
      checked: 2,
      brokenAt: 3,
      reason: 'hash_mismatch',
    })
  })

  it('finds an edited row whose hash was recomputed naively (the next link breaks)', async () => {
    await tamper(
      `UPDATE audit_events SET action = 'x', hash = repeat('f', 64) WHERE tenant_id = $1 AND seq = 2`,
    )
    expect(await verifyAuditChain(database.db, tenantId)).toMatchObject({
      ok: false,
      brokenAt: 2,
      reason: 'hash_mismatch',
    })
  })

  it('finds a deleted row in the middle', async () => {
    await tamper(`DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 4`)
    expect(await verifyAuditChain(database.db, tenantId)).toEqual({
      ok: false,
      checked: 3,
      brokenAt: 4,
      reason: 'missing_row',
    })
  })

  it('finds a deleted row renumbered to hide the gap', async () => {
    await tamper(`DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 2`)
    await tamper(`UPDATE audit_events SET seq = seq - 1 WHERE tenant_id = $1 AND seq > 2`)
    expect(await verifyAuditChain(database.db, tenantId)).toMatchObject({
      ok: false,
      brokenAt: 2,
      reason: 'prev_hash_mismatch',
    })
  })

  it('finds a deleted first row', async () => {
    await tamper(`DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 1`)
    expect(await verifyAuditChain(database.db, tenantId)).toMatchObject({
      ok: false,
      brokenAt: 1,
      reason: 'missing_row',
    })
  })

  it('checks long chains across pages, and other tenants’ chains stay valid', async () => {
    expect(await repos.audit.verifyChain(tenantId, 2)).toMatchObject({
      ok: true,
      checked: 5,
      head: { seq: 5 },
    })
    await tamper(`UPDATE audit_events SET target = 'r0' WHERE tenant_id = $1 AND seq = 5`)
    expect(await repos.audit.verifyChain(tenantId, 2)).toMatchObject({ ok: false, brokenAt: 5 })
    expect(await verifyAuditChain(database.db, otherTenantId)).toMatchObject({ ok: true, checked: 3 })
  })
})
