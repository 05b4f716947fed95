import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../test/harness/postgres'
import { createRepositories, type Repositories } from '../repositories'
import { demoNodes, itemResult, newResult, SALT } from './repository-suite'

/**
 * Tenant B holds every id of tenant A's rows and tries every repository method with them. Nothing
 * may come back, nothing may change, nothing may be counted; then A checks its rows are untouched.
 */
describe('tenant isolation', () => {
  let database: TestDatabase
  let repos: Repositories
  let a: Awaited<ReturnType<typeof seedTenant>>
  let b: Awaited<ReturnType<typeof seedTenant>>

  async function seedTenant(slug: string) {
    const tenant = await repos.tenants.create({ slug, name: slug })
    const key = await repos.apiKeys.create(tenant.id, { role: 'admin' })
    const taxonomy = await repos.taxonomies.createDraft(tenant.id, {
      version: 'shared-label',
      nodes: demoNodes,
    })
    const policy = await repos.policies.create(tenant.id, {
      version: 'shared-label',
      config: {},
      isDefault: true,
    })
    const binding = await repos.bindings.create(tenant.id, {
      courseId: 'MAT101',
      policyVersionId: policy.id,
      taxonomyVersionId: taxonomy.id,
      activeFrom: '2024-01-01',
    })
    const { result } = await repos.results.insertIdempotent(
      tenant.id,
      newResult({ requestId: 'same-request-id' }),
      {
        audit: { action: 'result.created' },
      },
    )
    const review = await repos.reviews.create(tenant.id, {
      resultId: result.id,
      reviewerKeyId: key.key.id,
      label: 'DEFERIDO',
    })
    const { job, itemIds } = await repos.jobs.create(tenant.id, {
      payloads: [{ i: 0 }, { i: 1 }, { i: 2 }],
      callbackUrl: null,
      createdByKeyId: key.key.id,
    })
    // Item 2 exhausted its retries: a dead item B could try to list or requeue.
    const [claimed] = await repos.jobItems.claimMany([itemIds[2]!], 60_000)
    await repos.jobItems.recordFailure(claimed!, 'poison')
    await repos.jobItems.markDead(itemIds[2]!, 'poison')
    return {
      tenant,
      key,
      taxonomy,
      policy,
      binding,
      result,
      review,
      job,
      itemIds: itemIds as [string, string, string],
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    repos = createRepositories(database.db, { apiKeySalt: SALT })
    a = await seedTenant('tenant-a')
    b = await seedTenant('tenant-b')
  })
  afterAll(() => database?.drop())

  const B = () => b.tenant.id

  it('cannot read or list A’s rows', async () => {
    expect(await repos.apiKeys.get(B(), a.key.key.id)).toBeNull()
    expect((await repos.apiKeys.list(B())).items.map((k) => k.id)).toEqual([b.key.key.id])
    expect(await repos.taxonomies.get(B(), a.taxonomy.id)).toBeNull()
    expect((await repos.taxonomies.getByVersion(B(), 'shared-label'))?.id).toBe(b.taxonomy.id)
    expect((await repos.taxonomies.list(B())).map((t) => t.id)).toEqual([b.taxonomy.id])
    expect(await repos.policies.get(B(), a.policy.id)).toBeNull()
    expect((await repos.policies.getByVersion(B(), 'shared-label'))?.id).toBe(b.policy.id)
    expect((await repos.policies.getDefault(B()))?.id).toBe(b.policy.id)
    expect((await repos.policies.list(B())).map((p) => p.id)).toEqual([b.policy.id])
    expect((await repos.bindings.resolve(B(), 'MAT101', '2025-01-01'))?.binding.id).toBe(b.binding.id)
    expect((await repos.bindings.list(B())).map((x) => x.id)).toEqual([b.binding.id])
    expect(await repos.results.get(B(), a.result.id)).toBeNull()
    expect((await repos.results.getByRequestId(B(), 'same-request-id'))?.id).toBe(b.result.id)
    expect((await repos.results.list(B())).items.map((r) => r.id)).toEqual([b.result.id])
    expect(await repos.reviews.listByResult(B(), a.result.id)).toEqual([])
    expect(await repos.jobs.get(B(), a.job.id)).toBeNull()
    expect(await repos.jobItems.listItems(B(), a.job.id)).toEqual([])
    expect(await repos.jobItems.listDead(B(), { jobId: a.job.id, limit: 10 })).toEqual([])
    expect((await repos.jobItems.listDead(B(), { limit: 10 })).map((i) => i.id)).toEqual([b.itemIds[2]])
    expect((await repos.audit.list(B())).items.map((e) => e.tenantId)).toEqual([B(), B()])
  })

  it('cannot count A’s rows', async () => {
    await repos.results.insertIdempotent(a.tenant.id, newResult())
    expect(await repos.results.count(B())).toBe(1)
    expect(await repos.results.count(a.tenant.id)).toBe(2)
    // B's result and job creation.
    expect(await repos.audit.verifyChain(B())).toMatchObject({ ok: true, checked: 2 })
  })

  it('cannot change A’s rows or attach its own rows to them', async () => {
    expect(await repos.apiKeys.revoke(B(), a.key.key.id)).toBeNull()
    expect(await repos.apiKeys.rotate(B(), a.key.key.id)).toBeNull()
    await repos.apiKeys.touchLastUsed(B(), a.key.key.id)
    expect(await repos.taxonomies.activate(B(), a.taxonomy.id)).toBeNull()
    expect(await repos.taxonomies.deprecate(B(), a.taxonomy.id)).toBeNull()
    expect(await repos.policies.setDefault(B(), a.policy.id)).toBeNull()
    expect(await repos.reviews.create(B(), { resultId: a.result.id, label: 'INDEFERIDO' })).toBeNull()
    await expect(
      repos.reviews.create(B(), { resultId: b.result.id, reviewerKeyId: a.key.key.id, label: 'INDEFERIDO' }),
    ).rejects.toMatchObject({ code: 'INVALID_STATE' })
    await expect(
      repos.bindings.create(B(), { courseId: 'X', policyVersionId: a.policy.id, activeFrom: '2024-01-01' }),
    ).rejects.toMatchObject({ code: 'INVALID_STATE' })
    await expect(
      repos.bindings.create(B(), {
        courseId: 'X',
        policyVersionId: b.policy.id,
        taxonomyVersionId: a.taxonomy.id,
        activeFrom: '2024-01-01',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_STATE' })
    // Requeueing A's dead item, with A's job id or through B's own job id.
    expect(await repos.jobItems.requeueDead(B(), { jobId: a.job.id })).toEqual([])
    expect(await repos.jobItems.requeueDead(B(), { jobId: a.job.id, itemId: a.itemIds[2] })).toEqual([])
    expect(await repos.jobItems.requeueDead(B(), { jobId: b.job.id, itemId: a.itemIds[2] })).toEqual([])
    // What B writes is B's: A does not see it (checked below).
    expect((await repos.results.insertIdempotent(B(), newResult({ requestId: 'fresh' }))).created).toBe(true)
  })

  it('left A’s rows exactly as they were', async () => {
    const A = a.tenant.id
    expect(await repos.apiKeys.findActiveByKey(a.key.plaintext)).toMatchObject({ key: { id: a.key.key.id } })
    expect((await repos.apiKeys.get(A, a.key.key.id))?.lastUsedAt).toBeNull()
    expect(await repos.taxonomies.get(A, a.taxonomy.id)).toMatchObject({ status: 'draft' })
    expect(await repos.policies.get(A, a.policy.id)).toMatchObject({ isDefault: true })
    expect(await repos.reviews.listByResult(A, a.result.id)).toEqual([a.review])
    expect(await repos.jobs.get(A, a.job.id)).toMatchObject({ status: 'running', done: 0, failed: 1 })
    expect((await repos.jobItems.listItems(A, a.job.id)).map((i) => [i.status, i.attempts])).toEqual([
      ['queued', 0],
      ['queued', 0],
      ['dead', 1],
    ])
    expect(await repos.results.getByRequestId(A, 'fresh')).toBeNull()
    expect(await repos.audit.verifyChain(A)).toMatchObject({ ok: true, checked: 2 })
  })

  // The worker side addresses items by id alone (a QStash message carries only the item id): the
  // tenant comes from the item's row, so whatever a delivery writes lands in the item's tenant.
  it('settles an item in its own tenant only, whoever delivers it', async () => {
    const A = a.tenant.id
    const [claimed] = await repos.jobItems.claimMany([a.itemIds[0]], 60_000)
    expect(claimed).toMatchObject({ tenantId: A, jobId: a.job.id })
    expect(await repos.jobItems.complete(claimed!, itemResult(claimed!))).toMatchObject({ settled: true })
    const requestId = `batch:${a.job.id}:0`
    expect(await repos.results.getByRequestId(A, requestId)).toMatchObject({ decisao: 'INDEFERIDO' })
    expect(await repos.results.getByRequestId(B(), requestId)).toBeNull()
    expect((await repos.jobItems.listItems(A, a.job.id))[0]).toMatchObject({ status: 'done', response: { decisao: 'INDEFERIDO' } })
    expect(await repos.jobItems.listItems(B(), a.job.id)).toEqual([])
    expect(await repos.jobs.get(A, a.job.id)).toMatchObject({ done: 1, failed: 1 })
    expect(await repos.jobs.get(B(), b.job.id)).toMatchObject({ done: 0, failed: 1 })
    // A's admin can requeue A's dead item; B's job is untouched by it.
    expect(await repos.jobItems.requeueDead(A, { jobId: a.job.id })).toEqual([a.itemIds[2]])
    expect(await repos.jobItems.listDead(B(), { limit: 10 })).toMatchObject([{ id: b.itemIds[2] }])
    expect(await repos.audit.verifyChain(B())).toMatchObject({ ok: true, checked: 2 })
  })
})
