import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signDelivery } from '../harness/qstash'
import { batchPayload, createJobsFixture, startQStashWorker, type JobsFixture } from './fixture'

/** The worker URL is public: only requests QStash signed for exactly this route and body may act. */
describe('worker signature verification', () => {
  let fixture: JobsFixture
  let worker: Awaited<ReturnType<typeof startQStashWorker>>
  let itemId: string
  let jobId: string
  let url: string
  let body: string

  beforeAll(async () => {
    fixture = await createJobsFixture()
    worker = await startQStashWorker(fixture)
    const created = await fixture.createJob([batchPayload(1)])
    itemId = created.itemIds[0]!
    jobId = created.job.id
    url = `${worker.server.url}/jobs/evaluate-item`
    body = JSON.stringify({ item_id: itemId })
  })
  afterAll(async () => {
    await worker.close()
    await fixture.close()
  })

  const post = (target: string, payload: string, signature?: string) =>
    fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(signature ? { 'Upstash-Signature': signature } : {}) },
      body: payload,
    })

  const now = () => Math.floor(Date.now() / 1000)

  const forgeries: Array<[string, () => Promise<{ payload: string; signature?: string }>]> = [
    ['no signature', async () => ({ payload: body })],
    ['a signature that is not a JWT', async () => ({ payload: body, signature: 'forged.signature.value' })],
    ['a token signed with a key QStash does not hold', async () => ({ payload: body, signature: await signDelivery({ key: 'sig_attacker', url, body }) })],
    [
      'a body tampered with by one byte',
      async () => {
        const signature = await signDelivery({ key: worker.standIn.currentSigningKey, url, body })
        const last = body.length - 3
        const tampered = body.slice(0, last) + (body[last] === 'a' ? 'b' : 'a') + body.slice(last + 1)
        return { payload: tampered, signature }
      },
    ],
    [
      'a token issued for another destination',
      async () => ({
        payload: body,
        signature: await signDelivery({ key: worker.standIn.currentSigningKey, url: `${worker.server.url}/jobs/build-taxonomy-index`, body }),
      }),
    ],
    [
      'an expired token',
      async () => ({
        payload: body,
        signature: await signDelivery({ key: worker.standIn.currentSigningKey, url, body, now: now() - 3600, ttlSeconds: 300 }),
      }),
    ],
  ]

  it.each(forgeries)('answers 401 to %s and claims or writes nothing', async (_name, forge) => {
    const { payload, signature } = await forge()
    const response = await post(url, payload, signature)
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ error: 'invalid signature' })
    const snap = await fixture.snapshot(jobId)
    expect(snap.items).toEqual({ queued: 1 })
    expect(snap.job).toMatchObject({ status: 'queued', done: 0, failed: 0 })
    const [item] = await fixture.jobItems.listItems(fixture.tenant.id, jobId)
    expect(item).toMatchObject({ attempts: 0, lastError: null })
    expect(await fixture.totalResults()).toBe(0)
  })

  it('refuses a forged failure callback too, so nobody can kill an item', async () => {
    const forged = JSON.stringify({ url, status: 500, sourceBody: Buffer.from(body).toString('base64') })
    const response = await post(`${worker.server.url}/jobs/failure`, forged, await signDelivery({ key: 'sig_attacker', url: `${worker.server.url}/jobs/failure`, body: forged }))
    expect(response.status).toBe(401)
    expect((await fixture.snapshot(jobId)).items).toEqual({ queued: 1 })
  })

  it('accepts a token signed with the next signing key (key rotation) and does the work once', async () => {
    const signature = await signDelivery({ key: worker.standIn.nextSigningKey, url, body })
    expect((await post(url, body, signature)).status).toBe(200)
    // The same signed request replayed is a harmless no-op.
    const replay = await post(url, body, signature)
    expect(replay.status).toBe(200)
    expect(await replay.json()).toEqual({ ok: true, skipped: 'done' })
    await worker.settle()
    const snap = await fixture.snapshot(jobId)
    expect(snap.job).toMatchObject({ status: 'completed', done: 1 })
    expect(snap.results).toBe(1)
    const metrics = await (await fetch(`${worker.server.url}/metrics`)).text()
    expect(metrics).toMatch(/ee_worker_rejected_signatures_total 7/)
  })
})
