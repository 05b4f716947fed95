import { Client, Receiver } from '@upstash/qstash'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listen } from './listen'
import type { Listening } from './listen'
import { startQStashStandIn } from './qstash'
import type { QStashStandIn } from './qstash'

/** A destination that verifies every delivery with the official Receiver and records it. */
function recordingDestination(
  keys: () => { currentSigningKey: string; nextSigningKey: string },
  answer: (path: string, n: number) => number,
) {
  const received: Array<{ path: string; body: string; retried: string | undefined; verified: boolean; forwarded?: string }> = []
  const app = new Hono()
  app.post('/*', async (c) => {
    const body = await c.req.text()
    const { currentSigningKey, nextSigningKey } = keys()
    const receiver = new Receiver({ currentSigningKey, nextSigningKey })
    const verified = await receiver
      .verify({ signature: c.req.header('Upstash-Signature') ?? '', body, url: c.req.url })
      .catch(() => false)
    received.push({ path: c.req.path, body, retried: c.req.header('Upstash-Retried'), verified, forwarded: c.req.header('X-Tenant') })
    const n = received.filter((r) => r.path === c.req.path).length
    return c.body(null, answer(c.req.path, n) as 200)
  })
  return { app, received }
}

describe('QStash stand-in with the official client and receiver', () => {
  let standIn: QStashStandIn
  let destination: Listening
  let received: ReturnType<typeof recordingDestination>['received']
  let client: Client
  // The keys the destination was configured with; pinned so a rotation is seen from its side.
  let receiverKeys: { currentSigningKey: string; nextSigningKey: string }

  beforeAll(async () => {
    standIn = await startQStashStandIn({ retryDelayMs: () => 5 })
    receiverKeys = { currentSigningKey: standIn.currentSigningKey, nextSigningKey: standIn.nextSigningKey }
    const recorder = recordingDestination(
      () => receiverKeys,
      (path, n) => (path === '/flaky' && n < 3 ? 500 : path === '/broken' ? 500 : path === '/refuse' ? 489 : 200),
    )
    received = recorder.received
    destination = await listen(recorder.app.fetch)
    client = new Client({ baseUrl: standIn.url, token: standIn.token, retry: false })
  })
  afterAll(async () => {
    await standIn.close()
    await destination.close()
  })

  it('delivers a signed raw body with forwarded headers that the Receiver accepts', async () => {
    const res = await client.publishJSON({ url: `${destination.url}/ok`, body: { a: 1 }, headers: { 'X-Tenant': 't1' } })
    expect(res.messageId).toMatch(/^msg_/)
    await standIn.idle()
    const got = received.filter((r) => r.path === '/ok')
    expect(got).toEqual([{ path: '/ok', body: '{"a":1}', retried: '0', verified: true, forwarded: 't1' }])
  })

  it('answers a duplicate deduplication id with the first message id and delivers once', async () => {
    const first = await client.publish({ url: `${destination.url}/dedup`, body: 'x', deduplicationId: 'item-1' })
    const second = await client.publish({ url: `${destination.url}/dedup`, body: 'x', deduplicationId: 'item-1' })
    expect(second).toMatchObject({ messageId: first.messageId, deduplicated: true })
    await standIn.idle()
    expect(received.filter((r) => r.path === '/dedup')).toHaveLength(1)
  })

  it('retries with Upstash-Retried until success', async () => {
    await client.publish({ url: `${destination.url}/flaky`, body: 'y', retries: 3 })
    await standIn.idle()
    expect(received.filter((r) => r.path === '/flaky').map((r) => r.retried)).toEqual(['0', '1', '2'])
  })

  it('moves an exhausted message to the DLQ and calls its failure callback with the source body', async () => {
    await client.publish({
      url: `${destination.url}/broken`,
      body: 'payload',
      retries: 2,
      failureCallback: `${destination.url}/failure`,
    })
    await standIn.idle()
    expect(received.filter((r) => r.path === '/broken')).toHaveLength(3)
    expect(standIn.dlq.find((m) => m.url.endsWith('/broken'))).toMatchObject({ responseStatus: 500, retried: 2 })
    const [failure] = received.filter((r) => r.path === '/failure')
    expect(failure?.verified).toBe(true)
    const payload = JSON.parse(failure!.body) as { status: number; sourceBody: string; retried: number }
    expect(payload.status).toBe(500)
    expect(Buffer.from(payload.sourceBody, 'base64').toString()).toBe('payload')
  })

  it('does not retry a 489 answer', async () => {
    await client.publish({ url: `${destination.url}/refuse`, body: 'z', retries: 3 })
    await standIn.idle()
    expect(received.filter((r) => r.path === '/refuse')).toHaveLength(1)
    expect(standIn.dlq.some((m) => m.url.endsWith('/refuse'))).toBe(true)
  })

  it('accepts batches and rejects a wrong token', async () => {
    const res = await client.batchJSON([
      { url: `${destination.url}/batch`, body: { i: 1 } },
      { url: `${destination.url}/batch`, body: { i: 2 } },
    ])
    expect(res).toHaveLength(2)
    await standIn.idle()
    expect(received.filter((r) => r.path === '/batch').map((r) => r.body).sort()).toEqual(['{"i":1}', '{"i":2}'])
    const intruder = new Client({ baseUrl: standIn.url, token: 'wrong', retry: false })
    await expect(intruder.publish({ url: `${destination.url}/ok`, body: 'x' })).rejects.toThrow()
  })

  it('signs with the next key after a rotation, which a Receiver that knows both still accepts', async () => {
    standIn.rotateSigningKeys()
    await client.publish({ url: `${destination.url}/rotated`, body: 'r' })
    await standIn.idle()
    standIn.rotateSigningKeys()
    await client.publish({ url: `${destination.url}/rotated-twice`, body: 'r' })
    await standIn.idle()
    expect(received.find((r) => r.path === '/rotated')?.verified).toBe(true)
    expect(received.find((r) => r.path === '/rotated-twice')?.verified).toBe(false)
  })
})
