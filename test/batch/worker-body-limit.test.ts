import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_MAX_JOB_BODY_BYTES } from '../../worker/server'
import { signDelivery } from '../harness/qstash'
import { batchPayload, createJobsFixture, startQStashWorker, type JobsFixture } from './fixture'

/**
 * The worker URL is public and anyone can POST to it: a body is bounded before its signature is
 * checked, so a 200 MiB unsigned upload costs the worker neither the memory of it nor a full read
 * (before, one raised its RSS by ~620 MB; replicas are capped at 512 MiB).
 */
let fixture: JobsFixture
let worker: Awaited<ReturnType<typeof startQStashWorker>>

beforeAll(async () => {
  fixture = await createJobsFixture()
  worker = await startQStashWorker(fixture)
})
afterAll(async () => {
  await worker?.close()
  await fixture?.close()
})

/** A chunked upload of `mib` MiB from one reused buffer: the sender itself holds 1 MiB. */
function upload(url: string, mib: number): Promise<number> {
  const chunk = new Uint8Array(1024 * 1024).fill(0x61)
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ >= mib) controller.close()
      else controller.enqueue(chunk)
    },
  })
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, duplex: 'half' } as RequestInit).then(
    async (res) => {
      await res.arrayBuffer()
      return res.status
    },
    () => 0, // the server stopped reading and closed: refused all the same
  )
}

describe('worker body bound', () => {
  it('a 200 MiB unsigned chunked body is cut off: 413 (or a closed connection), RSS stays bounded', async () => {
    const url = `${worker.server.url}/jobs/evaluate-item`
    const before = process.memoryUsage().rss
    const status = await upload(url, 200)
    const grown = process.memoryUsage().rss - before
    expect([413, 0]).toContain(status)
    expect(grown).toBeLessThan(128 * 1024 * 1024)
  }, 120_000)

  it('a declared Content-Length over the bound is refused unread; a real delivery still works', async () => {
    const big = 'x'.repeat(DEFAULT_MAX_JOB_BODY_BYTES + 1)
    const res = await fetch(`${worker.server.url}/jobs/evaluate-item`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: big })
    expect(res.status).toBe(413)

    const { itemIds } = await fixture.createJob([batchPayload(1)])
    const url = `${worker.server.url}/jobs/evaluate-item`
    const body = JSON.stringify({ item_id: itemIds[0] })
    const signature = await signDelivery({ key: worker.standIn.currentSigningKey, url, body })
    const ok = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Upstash-Signature': signature }, body })
    expect(ok.status).toBe(200)
  })
})
