import { randomUUID } from 'node:crypto'
import { and, count, eq, like } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../test/harness/postgres'
import { createRepositories, type Repositories } from '../repositories'
import * as schema from '../schema'
import { auditEvents, equivalenceResults } from '../schema'
import { itemResult, newResult, SALT } from './repository-suite'

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

  it('job counters stay exact when every item is completed twice at once and some die twice', async () => {
    const total = 30
    const { job, itemIds } = await repos.jobs.create(tenantId, {
      payloads: Array.from({ length: total }, (_, i) => ({ i })),
      callbackUrl: null,
      createdByKeyId: null,
    })
    const claimed = await repos.jobItems.claimMany(itemIds, 60_000)
    expect(claimed).toHaveLength(total)
    // The dying items failed their last attempt; QStash then reports each failure (twice here).
    const dying = claimed.filter((item) => item.idx < 5)
    await Promise.all(dying.map((item) => repos.jobItems.recordFailure(item, 'poison')))
    // Each surviving item is delivered twice (a QStash retry racing the first delivery), one of the
    // pair alone and one inside a bulk completion with other items.
    const surviving = claimed.filter((item) => item.idx >= 5)
    const outcomes = await Promise.all([
      ...dying.flatMap((item) => [repos.jobItems.markDead(item.id, 'poison'), repos.jobItems.markDead(item.id, 'poison')]),
      ...surviving.map((item) => repos.jobItems.complete(item, itemResult(item))),
      repos.jobItems.completeMany(surviving.slice(0, 13).map((item) => ({ item, result: itemResult(item) }))),
      repos.jobItems.completeMany(surviving.slice(13).map((item) => ({ item, result: itemResult(item) }))),
    ])
    expect(await repos.jobs.get(tenantId, job.id)).toMatchObject({ done: 25, failed: 5, status: 'completed' })
    const deaths = outcomes.slice(0, 10) as Array<{ dead: boolean }>
    expect(deaths.filter((d) => d.dead)).toHaveLength(5)
    const settled = outcomes.slice(10, 35) as Array<{ settled: boolean }>
    const bulk = outcomes.slice(35) as Array<{ settledIds: Set<string> }>
    expect(settled.filter((s) => s.settled).length + bulk[0]!.settledIds.size + bulk[1]!.settledIds.size).toBe(25)
    // Exactly one of all the answers reports the job as finished (one callback).
    const finishers = outcomes.flatMap((o) =>
      'finishedJob' in o ? (o.finishedJob ? [o.finishedJob] : []) : o.finishedJobs,
    )
    expect(finishers).toEqual([{ id: job.id, tenantId, callbackUrl: null }])
    const [{ n }] = (await database.db
      .select({ n: count() })
      .from(equivalenceResults)
      .where(and(eq(equivalenceResults.tenantId, tenantId), like(equivalenceResults.requestId, `batch:${job.id}:%`)))) as [
      { n: number },
    ]
    expect(n).toBe(25)
  })

  it('of 20 simultaneous claims of one item exactly one wins', async () => {
    const { itemIds } = await repos.jobs.create(tenantId, { payloads: [{}], callbackUrl: null, createdByKeyId: null })
    const claims = await Promise.all([
      ...Array.from({ length: 16 }, () => repos.jobItems.claim(itemIds[0]!, 60_000)),
      ...Array.from({ length: 4 }, () => repos.jobItems.claimMany(itemIds, 60_000)),
    ])
    const winners = claims.flatMap((c) => (Array.isArray(c) ? c : 'claimed' in c ? [c.claimed] : []))
    expect(winners).toMatchObject([{ id: itemIds[0], attempts: 1 }])
    // Every single-item loser is told why: someone holds a live lease.
    for (const c of claims.slice(0, 16)) if (!('claimed' in c)) expect(c).toEqual({ skipped: 'leased' })
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
