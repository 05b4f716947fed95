import { Hono } from 'hono'
import { lookup } from 'node:dns/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CALLBACK_SIGNATURE_HEADER,
  deriveCallbackSecret,
  verifyCallback,
} from '../../jobs/callbacks/signature'
import type { ResolveHost } from '../../jobs/callbacks/delivery'
import { createEmbeddedJobs } from '../../jobs/embedded'
import { evaluateItemMessage } from '../../jobs/messages'
import { listen, type Listening } from '../harness/listen'
import { batchPayload, createJobsFixture, type JobsFixture } from './fixture'

/** A name under the reserved `.example` TLD: no real DNS answers for it, only the resolver below. */
const PUBLIC_LOOKING_HOST = 'hooks.universidade.example'

/**
 * Stands in for DNS: answers for the names in `zone` (a rebinding attacker's records) and asks the
 * system resolver for anything else. Counts the questions it was asked.
 */
function zoneResolver(zone: Record<string, Array<{ address: string; family: number }>>) {
  const asked: string[] = []
  const resolveHost: ResolveHost = async (hostname) => {
    asked.push(hostname)
    return zone[hostname] ?? lookup(hostname, { all: true })
  }
  return { resolveHost, asked }
}

/** Job callbacks as the worker sends them, to a real receiver on 127.0.0.1, under both settings. */
describe('job callback delivery guard', () => {
  let fixture: JobsFixture
  let receiver: Listening
  const received: Array<{
    path: string
    host: string | undefined
    body: string
    signature: string | undefined
  }> = []

  beforeAll(async () => {
    fixture = await createJobsFixture()
    const app = new Hono()
      .post('/hook', async (c) => {
        received.push({
          path: '/hook',
          host: c.req.header('host'),
          body: await c.req.text(),
          signature: c.req.header(CALLBACK_SIGNATURE_HEADER),
        })
        return c.body(null, 204)
      })
      .post('/moved', async (c) => {
        received.push({
          path: '/moved',
          host: c.req.header('host'),
          body: await c.req.text(),
          signature: undefined,
        })
        return c.redirect(`${receiver.url}/hook`, 307)
      })
    receiver = await listen(app.fetch)
  })
  afterAll(async () => {
    await receiver.close()
    await fixture.close()
  })

  /** Runs a one-item job with `callbackUrl` on the worker's handlers and waits for its callback run. */
  async function runJob(
    callbackUrl: string,
    options: { allowPrivateNetworks: boolean; resolveHost: ResolveHost },
  ) {
    const logs: Array<{ message: string; fields: Record<string, unknown> }> = []
    const { dispatcher, runtime } = createEmbeddedJobs({
      services: fixture.services,
      concurrency: 1,
      sweepEveryMs: null,
      recoverAtStart: false,
      callbackSigningSecret: fixture.salt,
      callbackRetryDelaysMs: [20, 40],
      callbackAllowPrivateNetworks: options.allowPrivateNetworks,
      callbackResolveHost: options.resolveHost,
      log: (message, fields) => logs.push({ message, fields }),
    })
    received.length = 0
    const { job, itemIds } = await fixture.createJob([batchPayload(1)], callbackUrl)
    await dispatcher.dispatch(itemIds.map((id) => evaluateItemMessage(id)))
    await dispatcher.idle()
    await runtime.notifier.idle()
    const { rows } = await fixture.database.pool.query<{
      status: string
      sent: boolean
      failures: number
      nextInSeconds: number | null
    }>(
      `SELECT status, callback_sent_at IS NOT NULL AS sent, callback_failures AS failures,
              extract(epoch FROM callback_next_at - now())::float8 AS "nextInSeconds"
         FROM jobs WHERE id = $1`,
      [job.id],
    )
    return { job, logs, ...rows[0]! }
  }

  it('refuses a public-looking name that resolves to loopback: nothing is sent, the refusal is logged once', async () => {
    const dns = zoneResolver({ [PUBLIC_LOOKING_HOST]: [{ address: '127.0.0.1', family: 4 }] })
    const port = new URL(receiver.url).port
    const run = await runJob(`http://${PUBLIC_LOOKING_HOST}:${port}/hook`, {
      allowPrivateNetworks: false,
      resolveHost: dns.resolveHost,
    })

    expect(run.status).toBe('completed')
    expect(received).toEqual([])
    expect(run.sent).toBe(false)
    // Not retried within the run: a refusal is a policy answer, not a network fault. The sweeper
    // comes back after the back-off (a minute), not on its next tick.
    expect(dns.asked).toEqual([PUBLIC_LOOKING_HOST])
    expect(run.failures).toBe(1)
    expect(run.nextInSeconds).toBeGreaterThan(50)
    expect(run.nextInSeconds).toBeLessThanOrEqual(60)
    expect(run.logs).toEqual([
      {
        message: 'job callback attempt failed',
        fields: {
          job_id: run.job.id,
          attempt: 1,
          status: 0,
          refused: `${PUBLIC_LOOKING_HOST} resolves to 127.0.0.1, which is not a public address (loopback)`,
        },
      },
    ])
  })

  it('refuses when any one of the resolved addresses is private, even after a public one', async () => {
    const dns = zoneResolver({
      [PUBLIC_LOOKING_HOST]: [
        { address: '8.8.8.8', family: 4 },
        { address: '10.0.0.5', family: 4 },
      ],
    })
    const run = await runJob(`https://${PUBLIC_LOOKING_HOST}/hook`, {
      allowPrivateNetworks: false,
      resolveHost: dns.resolveHost,
    })
    expect(run.sent).toBe(false)
    expect(run.logs.map((l) => l.fields.refused)).toEqual([
      `${PUBLIC_LOOKING_HOST} resolves to 10.0.0.5, which is not a public address (private)`,
    ])
  })

  it('refuses a stored URL naming the metadata service without asking DNS (jobs from before the rule)', async () => {
    const dns = zoneResolver({})
    const run = await runJob('http://169.254.169.254/latest/meta-data/', {
      allowPrivateNetworks: false,
      resolveHost: dns.resolveHost,
    })
    expect(run.sent).toBe(false)
    expect(dns.asked).toEqual([])
    expect(run.logs.map((l) => l.fields.refused)).toEqual([
      '169.254.169.254 is not a public address (linkLocal)',
    ])
  })

  it('with private networks allowed, delivers the signed callback to the address it checked (no second lookup)', async () => {
    const dns = zoneResolver({ [PUBLIC_LOOKING_HOST]: [{ address: '127.0.0.1', family: 4 }] })
    const port = new URL(receiver.url).port
    const run = await runJob(`http://${PUBLIC_LOOKING_HOST}:${port}/hook`, {
      allowPrivateNetworks: true,
      resolveHost: dns.resolveHost,
    })

    expect(run.logs).toEqual([])
    expect(run.sent).toBe(true)
    // The system resolver cannot answer for .example: the connection went to the pinned address,
    // while the request still names the URL's host.
    expect(dns.asked).toEqual([PUBLIC_LOOKING_HOST])
    expect(received).toHaveLength(1)
    expect(received[0]!.host).toBe(`${PUBLIC_LOOKING_HOST}:${port}`)
    const secret = await deriveCallbackSecret(fixture.salt, fixture.tenant.id)
    expect(await verifyCallback(secret, received[0]!.signature, received[0]!.body)).toBe(true)
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      event: 'job.completed',
      job_id: run.job.id,
      status: 'completed',
    })
  })

  it('with private networks allowed, delivers to a local receiver by its address literal', async () => {
    const run = await runJob(`${receiver.url}/hook`, {
      allowPrivateNetworks: true,
      resolveHost: zoneResolver({}).resolveHost,
    })
    expect(run.sent).toBe(true)
    expect(received.map((r) => r.path)).toEqual(['/hook'])
  })

  it('does not follow redirects: a 307 is a failed attempt, retried, never sent on', async () => {
    const run = await runJob(`${receiver.url}/moved`, {
      allowPrivateNetworks: true,
      resolveHost: zoneResolver({}).resolveHost,
    })
    expect(run.sent).toBe(false)
    expect(received.map((r) => r.path)).toEqual(['/moved', '/moved', '/moved'])
    expect(run.logs.map((l) => l.fields)).toEqual(
      [1, 2, 3].map((attempt) => ({ job_id: run.job.id, attempt, status: 307 })),
    )
    expect(run.failures).toBe(1)
  })

  it('records a delivered callback as sent, with nothing left to retry', async () => {
    const run = await runJob(`${receiver.url}/hook`, { allowPrivateNetworks: true, resolveHost: zoneResolver({}).resolveHost })
    expect(run).toMatchObject({ sent: true, failures: 0, nextInSeconds: null })
  })
})
