import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EvaluateResponseSchema } from '../../engine/index'
import { REPLAY_HEADER } from '../../edge/routes/equivalences/evaluate'
import { type EdgeFixture, type TenantFixture, createEdgeFixture, samplePair } from './fixture'

let f: EdgeFixture
let t: TenantFixture
beforeAll(async () => {
  f = await createEdgeFixture()
  t = await f.createTenant()
})
afterAll(() => f.close())

describe('POST /v2/equivalences/evaluate', () => {
  it('answers the full wire shape and persists the result', async () => {
    const res = await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body: samplePair() })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(EvaluateResponseSchema.parse(body)).toBeTruthy()
    expect(body.decisao).toBe('DEFERIDO')
    expect(res.headers.get('X-Request-Id')).toBeTruthy()
    const list = await f.call('GET', '/v1/results', { key: t.keys.auditor })
    const page = await list.json()
    expect(page.items).toHaveLength(1)
    expect(page.items[0].decisao).toBe(body.decisao)
  })

  it('replays a repeated request_id and refuses it with another body', async () => {
    const pair = samplePair({ request_id: 'req-42' })
    const first = await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body: pair })
    const again = await f.call('POST', '/v2/equivalences/evaluate', { key: t.keys['api-client'], body: pair })
    expect(first.status).toBe(200)
    expect(again.status).toBe(200)
    expect(again.headers.get(REPLAY_HEADER)).toBe('true')
    expect(await again.json()).toEqual(await first.json())
    const other = await f.call('POST', '/v2/equivalences/evaluate', {
      key: t.keys['api-client'],
      body: { ...pair, destino: { ...pair.destino, carga_horaria: 200 } },
    })
    expect(other.status).toBe(409)
    expect((await other.json()).detail).toMatch(/req-42/)
  })
})
