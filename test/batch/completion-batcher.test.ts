import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_POLICY, evaluateEquivalence, EvaluateRequestSchema } from '../../engine/index'
import { batchCompletions } from '../../jobs/completion-batcher'
import type { ClaimedItem, JobStore, NewResult } from '../../jobs/ports'
import { batchPayload, batchRequest, createJobsFixture, type JobsFixture } from './fixture'

/** Item completions from concurrent deliveries, through the batcher, on the real jobs repository. */
describe('completion batcher', () => {
  let fixture: JobsFixture
  let underlyingCalls: number
  let store: JobStore

  beforeAll(async () => {
    fixture = await createJobsFixture()
    // Counts the commits the batcher makes; everything else is the real repository.
    const counting: JobStore = Object.assign(Object.create(fixture.jobs) as JobStore, {
      completeMany: (entries: Parameters<JobStore['completeMany']>[0]) => {
        underlyingCalls++
        return fixture.jobItems.completeMany(entries)
      },
    })
    store = batchCompletions(counting)
  })
  afterAll(() => fixture?.close())

  async function resultFor(item: ClaimedItem, decisao?: string): Promise<NewResult> {
    const response = await evaluateEquivalence(EvaluateRequestSchema.parse(batchRequest(item.idx)), {
      policy: DEFAULT_POLICY,
      policyVersion: 'padrao-v1',
      referenceDate: '2026-01-01',
    })
    if (decisao) (response as { decisao: string }).decisao = decisao
    return {
      requestId: `batch:${item.jobId}:${item.idx}`,
      inputHash: 'c'.repeat(64),
      courseId: null,
      response: response as unknown as NewResult['response'],
      decisao: response.decisao as NewResult['decisao'],
      score: response.score,
      degraded: response.degraded_mode,
      policyVersion: response.policy_version,
      taxonomyVersion: response.taxonomy_version,
      modelVersion: response.model_version,
      simulation: false,
    }
  }

  async function claimedJob(n: number) {
    const { job, itemIds } = await fixture.createJob(Array.from({ length: n }, (_, i) => batchPayload(i)))
    const claimed = await fixture.jobItems.claimMany(itemIds, 60_000)
    claimed.sort((a, b) => a.idx - b.idx)
    return { job, claimed }
  }

  it('shares commits among concurrent callers; each learns of its own items, the job finishes once', async () => {
    const { job, claimed } = await claimedJob(40)
    const results = await Promise.all(claimed.map((item) => resultFor(item)))
    underlyingCalls = 0
    const answers = await Promise.all(claimed.map((item, i) => store.completeMany([{ item, result: results[i]! }])))

    expect(underlyingCalls).toBeLessThan(40 / 2)
    answers.forEach((answer, i) => expect([...answer.settledIds]).toEqual([claimed[i]!.id]))
    expect(answers.flatMap((a) => a.finishedJobs)).toEqual([{ id: job.id, tenantId: fixture.tenant.id, callbackUrl: null }])
    expect(await fixture.snapshot(job.id)).toMatchObject({
      job: { done: 40, failed: 0, status: 'completed' },
      results: 40,
      distinct_results: 40,
      items: { done: 40 },
    })
  })

  it('a bad row fails only its caller; a lost claim settles nothing and says so', async () => {
    const { job, claimed } = await claimedJob(12)
    const bad = claimed[3]!
    const stale = { ...claimed[7]!, attempts: claimed[7]!.attempts - 1 }
    const entries = await Promise.all(
      claimed.map(async (item) => {
        if (item === bad) return { item, result: await resultFor(item, 'TALVEZ') }
        if (item.id === stale.id) return { item: stale, result: await resultFor(item) }
        return { item, result: await resultFor(item) }
      }),
    )
    const outcomes = await Promise.allSettled(entries.map((entry) => store.completeMany([entry])))

    expect(outcomes.map((o) => o.status)).toEqual(claimed.map((item) => (item === bad ? 'rejected' : 'fulfilled')))
    outcomes.forEach((o, i) => {
      if (o.status !== 'fulfilled') return
      const expected = claimed[i]!.id === stale.id ? [] : [claimed[i]!.id]
      expect([...o.value.settledIds]).toEqual(expected)
    })
    expect(await fixture.snapshot(job.id)).toMatchObject({ job: { done: 10, status: 'running' }, results: 10, items: { done: 10, running: 2 } })
  })
})
