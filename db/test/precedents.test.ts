import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../test/harness/postgres'
import { createRepositories, type Repositories } from '../repositories'
import { createPrecedentsRepository, type NewPrecedent } from '../repositories/precedents'
import { createReviewQueueRepository } from '../repositories/review-queue'
import { newResult } from './repository-suite'

/** Precedent rules and the review queue on a real Postgres: validity, revoke, supersede, isolation, audit. */
describe('precedents and the review queue', () => {
  let database: TestDatabase
  let repos: Repositories
  let precedents: ReturnType<typeof createPrecedentsRepository>
  let queue: ReturnType<typeof createReviewQueueRepository>

  beforeAll(async () => {
    database = await createTestDatabase()
    repos = createRepositories(database.db, { apiKeySalt: 'precedent-test-salt-0123456789' })
    precedents = createPrecedentsRepository(database.db)
    queue = createReviewQueueRepository(database.db)
  })
  afterAll(() => database.drop())

  async function tenantWithCase(slug: string) {
    const tenant = await repos.tenants.create({ slug, name: slug })
    const { key } = await repos.apiKeys.create(tenant.id, { role: 'auditor' })
    const { result } = await repos.results.insertIdempotent(
      tenant.id,
      { ...newResult({ requestId: `${slug}-1` }), decisao: 'ANALISE_HUMANA' },
      { audit: { action: 'result.created' } },
    )
    return { tenant, key, result }
  }

  const rule = (resultId: string, reviewId: string, over: Partial<NewPrecedent> = {}): NewPrecedent => ({
    originKey: 'usp|mat101|calculo i',
    originSyllabusHash: 'h-origin',
    targetKey: 'ufx|mat-c1|calculo',
    targetSyllabusHash: 'h-target',
    decisao: 'DEFERIDO',
    resultId,
    reviewId,
    reviewerKeyId: null,
    policyVersion: 'p1',
    taxonomyVersion: null,
    modelVersion: 'm1',
    validFrom: '2026-01-01',
    ...over,
  })

  it('finds a rule only inside its validity, and a revoked one never', async () => {
    const { tenant, key, result } = await tenantWithCase('prec-a')
    const review = await repos.reviews.create(tenant.id, { resultId: result.id, reviewerKeyId: key.id, label: 'DEFERIDO' })
    const p = await precedents.create(tenant.id, rule(result.id, review!.id, { validUntil: '2026-12-31' }), key.id)
    expect(await precedents.findInForce(tenant.id, p.originKey, p.targetKey, '2026-06-01')).toMatchObject({ id: p.id })
    expect(await precedents.findInForce(tenant.id, p.originKey, p.targetKey, '2025-12-31')).toBeNull()
    expect(await precedents.findInForce(tenant.id, p.originKey, p.targetKey, '2027-01-01')).toBeNull()

    expect(await precedents.expire(tenant.id, p.id, '2026-03-01', key.id)).toMatchObject({ validUntil: '2026-03-01' })
    expect(await precedents.findInForce(tenant.id, p.originKey, p.targetKey, '2026-06-01')).toBeNull()

    expect(await precedents.revoke(tenant.id, p.id, key.id)).toMatchObject({ status: 'revoked' })
    expect(await precedents.findInForce(tenant.id, p.originKey, p.targetKey, '2026-02-01')).toBeNull()
    expect(await precedents.revoke(tenant.id, p.id, key.id)).toBeNull()

    const actions = (await repos.audit.list(tenant.id, { limit: 20 })).items.map((e) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['precedent.created', 'precedent.expired', 'precedent.revoked']))
    expect((await repos.audit.verifyChain(tenant.id)).ok).toBe(true)
  })

  it('a newer rule of the same pair supersedes the older one', async () => {
    const { tenant, key, result } = await tenantWithCase('prec-b')
    const review = await repos.reviews.create(tenant.id, { resultId: result.id, reviewerKeyId: key.id, label: 'DEFERIDO' })
    const first = await precedents.create(tenant.id, rule(result.id, review!.id), key.id)
    const second = await precedents.create(tenant.id, rule(result.id, review!.id, { decisao: 'INDEFERIDO' }), key.id)
    expect(await precedents.get(tenant.id, first.id)).toMatchObject({ status: 'superseded' })
    expect(await precedents.findInForce(tenant.id, first.originKey, first.targetKey, '2026-05-05')).toMatchObject({
      id: second.id,
      decisao: 'INDEFERIDO',
    })
  })

  it("another tenant's rules, cases and settings are not found", async () => {
    const a = await tenantWithCase('prec-c')
    const b = await tenantWithCase('prec-d')
    const review = await repos.reviews.create(a.tenant.id, { resultId: a.result.id, reviewerKeyId: a.key.id, label: 'DEFERIDO' })
    const p = await precedents.create(a.tenant.id, rule(a.result.id, review!.id), a.key.id)
    expect(await precedents.findInForce(b.tenant.id, p.originKey, p.targetKey, '2026-05-05')).toBeNull()
    expect(await precedents.get(b.tenant.id, p.id)).toBeNull()
    expect(await precedents.revoke(b.tenant.id, p.id, b.key.id)).toBeNull()
    expect(await precedents.expire(b.tenant.id, p.id, '2026-01-02', b.key.id)).toBeNull()
    expect((await precedents.list(b.tenant.id)).items.map((x) => x.id)).not.toContain(p.id)
    expect(await queue.assign(b.tenant.id, a.result.id, b.key.id, b.key.id)).toBe(false)
    expect((await queue.list(b.tenant.id)).items.map((x) => x.id)).toEqual([b.result.id])
    expect(await precedents.get(a.tenant.id, p.id)).toMatchObject({ status: 'active' })
  })

  it('the queue holds unreviewed human cases oldest first; a review takes a case out', async () => {
    const { tenant, key, result } = await tenantWithCase('prec-e')
    const { result: second } = await repos.results.insertIdempotent(
      tenant.id,
      { ...newResult({ requestId: 'prec-e-2' }), decisao: 'ANALISE_HUMANA' },
      { audit: { action: 'result.created' } },
    )
    await repos.results.insertIdempotent(tenant.id, { ...newResult({ requestId: 'prec-e-3' }), decisao: 'DEFERIDO' })
    expect((await queue.list(tenant.id)).items.map((x) => x.id)).toEqual([result.id, second.id])

    expect(await queue.assign(tenant.id, second.id, key.id, key.id)).toBe(true)
    const counts = await queue.counts(tenant.id, {}, { slaCutoff: new Date(Date.now() + 86_400_000), meKeyId: key.id })
    expect(counts).toEqual({ total: 2, overdue: 2, mine: 1, unassigned: 1 })
    expect((await queue.list(tenant.id, { reviewerKeyId: key.id })).items.map((x) => x.id)).toEqual([second.id])

    await repos.reviews.create(tenant.id, { resultId: result.id, reviewerKeyId: key.id, label: 'INDEFERIDO', motivo: 'conteudo' })
    expect((await queue.list(tenant.id)).items.map((x) => x.id)).toEqual([second.id])
    expect((await queue.list(tenant.id, { state: 'revisado' })).items.map((x) => x.id)).toEqual([result.id])
    expect(await queue.nextPending(tenant.id, result.id)).toBe(second.id)
    expect((await repos.reviews.listByResult(tenant.id, result.id))[0]).toMatchObject({ motivo: 'conteudo' })
  })

  it('settings default to a 5-day SLA and keeping inputs; the purge drops inputs and keeps the decision', async () => {
    const { tenant, result } = await tenantWithCase('prec-f')
    expect(await queue.settings(tenant.id)).toEqual({ reviewSlaDays: 5, inputRetentionDays: null })
    await database.pool.query(`UPDATE equivalence_results SET inputs = '{"destino":{"nome":"X"}}' WHERE id = $1`, [result.id])
    expect(await queue.updateSettings(tenant.id, { inputRetentionDays: 30 }, null)).toEqual({ reviewSlaDays: 5, inputRetentionDays: 30 })
    expect(await queue.tenantsWithRetention()).toContainEqual({ tenantId: tenant.id, days: 30 })
    expect(await queue.purgeInputs(tenant.id, new Date(Date.now() + 1000))).toBe(1)
    const after = await repos.results.get(tenant.id, result.id)
    expect(after).toMatchObject({ inputs: null, decisao: 'ANALISE_HUMANA', inputHash: result.inputHash })
    expect(after!.inputsPurgedAt).toBeInstanceOf(Date)
    expect((await repos.audit.verifyChain(tenant.id)).ok).toBe(true)
  })
})
