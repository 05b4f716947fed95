/// <reference types="@cloudflare/vitest-pool-workers/types" />
import { SELF } from 'cloudflare:test'
import { describe, expect, inject, it } from 'vitest'
import type { z } from 'zod'
import { allExamples } from '../contract/original-examples'
import * as Py from '../contract/python-models'

/**
 * A `/v1` batch on the Workers entry: accepted in the original's shape, published through QStash
 * (the stand-in, with the official client) to the real batch worker that global-setup.ts starts,
 * and polled to `done` the way the original's clients poll. The Workers entry runs no batch item
 * itself, so a job that reaches `done` went through QStash.
 */
const { keys } = inject('workerd')

const call = (method: string, path: string, key: string, body?: unknown) =>
  SELF.fetch(`http://edge.test${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), 'X-API-Key': key },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

async function expectModel<T extends z.ZodType>(res: Response, status: number, model: T): Promise<z.infer<T>> {
  const text = await res.text()
  expect(res.status, text).toBe(status)
  return model.parse(JSON.parse(text))
}

describe('/v1 batch inside workerd', () => {
  it('is accepted, runs through QStash to done, and its item’s request_id then answers cached', async () => {
    const items = [
      { ...allExamples.testPageDeferido, request_id: 'wd-batch-1' },
      { request_id: 'wd-batch-2-invalido', origem: { nome: 'Sem ementa', carga_horaria: 60 } },
    ]
    const created = await expectModel(await call('POST', '/v1/equivalences/batch', keys.client, { items }), 200, Py.BatchCreated)
    expect(created).toMatchObject({ status: 'QUEUED', total: 2 })

    let status: z.infer<typeof Py.JobStatus>
    for (;;) {
      status = await expectModel(await call('GET', `/v1/jobs/${created.job_id}`, keys.client), 200, Py.JobStatus)
      if (status.status !== 'queued' && status.status !== 'running') break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(status.status).toBe('done')
    expect(status.progress).toMatchObject({ done: 1, failed: 1, total: 2 })

    const results = await expectModel(await call('GET', `/v1/jobs/${created.job_id}/results`, keys.client), 200, Py.JobResults)
    expect(results.map((r) => r.status)).toEqual(['done', 'failed'])
    expect(results[0]!.result).toMatchObject({ request_id: 'wd-batch-1' })
    expect(results[1]!.error).toMatch(/ementa/)

    // The original stored batch results under the client's request_id: evaluate with it replays.
    const again = await expectModel(await call('POST', '/v1/equivalences/evaluate', keys.client, items[0]), 200, Py.EvaluateResponse)
    expect(again).toMatchObject({ cached: true, request_id: 'wd-batch-1', decisao: results[0]!.result!.decision })
  })
})
