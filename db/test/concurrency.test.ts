import { randomUUID } from 'node:crypto'
import { and, count, eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../test/harness/postgres'
import { createRepositories, type Repositories } from '../repositories'
import * as schema from '../schema'
import { auditEvents, equivalenceResults } from '../schema'
import { newResult, SALT } from './repository-suite'

/** Races the API and the workers really run, on a pool wide enough for them to overlap. */
describe('concurrency', () => {
  let database: TestDatabase
  let repos: Repositories
  let tenantId: string

  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 25 })
    repos = createRepositories(database.db, { apiKeySalt: SALT })
    tenantId = (await repos.tenants.create({ slug: 'race', name: 'Race' })).id
  })
  afterAll(() => database?.drop())

  it('50 concurrent inserts of one request id store one row, audit it once, and all answer with it', async () => {
    const input = newResult({ requestId: `req-${randomUUID()}` })
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        repos.results.insertIdempotent(tenantId, input, { audit: { action: 'result.created' } }),
      ),
    )
    const [{ n }] = (await database.db
      .select({ n: count() })
      .from(equivalenceResults)
      .where(
        and(eq(equivalenceResults.tenantId, tenantId), eq(equivalenceResults.requestId, input.requestId)),
      )) as [{ n: number }]
    expect(n).toBe(1)
    expect(answers.filter((a) => a.created)).toHaveLength(1)
    expect(new Set(answers.map((a) => a.result.id)).size).toBe(1)
    const events = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.target, answers[0]!.result.id)))
    expect(events).toHaveLength(1)
  })

  it('50 concurrent inserts from two processes (two pools), audited or not, still store one row each', async () => {
    const second = new pg.Pool({ connectionString: database.url, max: 10 })
    try {
      const processes = [repos, createRepositories(drizzle({ client: second, schema }), { apiKeySalt: SALT })]
      for (const audit of [{ action: 'result.created' }, undefined]) {
        const input = newResult({ requestId: `req-${randomUUID()}` })
        const answers = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            processes[i % 2]!.results.insertIdempotent(tenantId, input, { audit }),
          ),
        )
        expect(answers.filter((a) => a.created)).toHaveLength(1)
        expect(new Set(answers.map((a) => a.result.id)).size).toBe(1)
      }
    } finally {
      await second.end()
    }
    expect(await repos.audit.verifyChain(tenantId)).toMatchObject({ ok: true })
  })

  it('a bad row in a shared commit fails alone', async () => {
    const good = Array.from({ length: 10 }, () => newResult())
    const bad = newResult({ decisao: 'TALVEZ' as never })
    const outcomes = await Promise.allSettled(
      [...good.slice(0, 5), bad, ...good.slice(5)].map((input) =>
        repos.results.insertIdempotent(tenantId, input, { audit: { action: 'result.created' } }),
      ),
    )
    expect(outcomes.map((o) => o.status)).toEqual([
      ...Array(5).fill('fulfilled'),
      'rejected',
      ...Array(5).fill('fulfilled'),
    ])
    for (const input of good)
      expect(await repos.results.getByRequestId(tenantId, input.requestId)).not.toBeNull()
    expect(await repos.audit.verifyChain(tenantId)).toMatchObject({ ok: true })
  })

  it('job counters stay exact when every item is completed twice at once and some die', async () => {
    const total = 30
    const { job, itemIds } = await repos.jobs.create(tenantId, {
      items: Array.from({ length: total }, (_, i) => ({ i })),
    })
    await Promise.all(itemIds.map((id) => repos.jobs.claimItem(tenantId, id, 60_000)))
    const dying = new Set(itemIds.slice(0, 5))
    // Each surviving item is delivered twice (a QStash retry racing the first delivery).
    await Promise.all(
      itemIds.flatMap((id) =>
        dying.has(id)
          ? [repos.jobs.markDead(tenantId, id, 'poison'), repos.jobs.markDead(tenantId, id, 'poison')]
          : [
              repos.jobs.completeItem(tenantId, id, newResult({ requestId: 'ignored' })),
              repos.jobs.completeItem(tenantId, id, newResult({ requestId: 'ignored' })),
            ],
      ),
    )
    expect(await repos.jobs.get(tenantId, job.id)).toMatchObject({ done: 25, failed: 5, status: 'completed' })
    const results = await database.db
      .select({ n: count() })
      .from(equivalenceResults)
      .where(eq(equivalenceResults.tenantId, tenantId))
    // 25 job results, plus the 13 of the tests above.
    expect(results[0]?.n).toBe(25 + 13)
  })

  it('of 20 simultaneous claims of one item exactly one wins', async () => {
    const { itemIds } = await repos.jobs.create(tenantId, { items: [{}] })
    const claims = await Promise.all(
      Array.from({ length: 20 }, () => repos.jobs.claimItem(tenantId, itemIds[0]!, 60_000)),
    )
    expect(claims.filter(Boolean)).toHaveLength(1)
  })

  it('concurrent appends of several tenants keep every chain gapless and valid', async () => {
    const tenants = await Promise.all(
      ['x', 'y', 'z'].map((s) => repos.tenants.create({ slug: `chain-${s}`, name: s })),
    )
    await Promise.all(
      tenants.flatMap((t) =>
        Array.from({ length: 40 }, (_, i) =>
          repos.audit.append(t.id, { action: 'test.append', payload: { i } }),
        ),
      ),
    )
    for (const t of tenants) {
      expect(await repos.audit.verifyChain(t.id)).toMatchObject({ ok: true, checked: 40, head: { seq: 40 } })
    }
  })
})
