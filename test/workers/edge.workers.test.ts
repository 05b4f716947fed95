/// <reference types="@cloudflare/vitest-pool-workers/types" />
import { SELF } from 'cloudflare:test'
import { describe, expect, inject, it } from 'vitest'

/**
 * Inside workerd (@cloudflare/vitest-pool-workers): the real Workers entry with the bindings of
 * global-setup.ts, the official Neon driver against the local Postgres through the stand-ins.
 */
const { keys } = inject('workerd')

const pair = {
  request_id: 'workerd-1',
  origem: {
    // The same title on both sides: the default scorer (engine/model) credits a pair only when titles and
    // contents agree; `Cálculo Diferencial e Integral I` → `Cálculo I` goes to a person.
    nome: 'Cálculo I',
    carga_horaria: 90,
    ementa: 'Limites e continuidade. Derivadas e regras de derivação. Aplicações da derivada. Integral definida e indefinida. Teorema fundamental do cálculo.',
  },
  destino: {
    nome: 'Cálculo I',
    carga_horaria: 80,
    ementa: '1 - Limites e continuidade. 2 - Derivadas e regras de derivação. 3 - Aplicações da derivada. 4 - Integral definida e indefinida. 5 - Teorema fundamental do cálculo.',
  },
}

const evaluate = (body: unknown, key?: string) =>
  SELF.fetch('http://edge.test/v2/equivalences/evaluate', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(key ? { 'X-API-Key': key } : {}) },
    body: JSON.stringify(body),
  })

describe('edge API inside workerd', () => {
  it('answers /health', async () => {
    const res = await SELF.fetch('http://edge.test/health')
    expect(await res.json()).toEqual({ status: 'alive' })
  })

  it('evaluates end to end, persists (transaction over the Neon WebSocket) and replays', async () => {
    const res = await evaluate(pair, keys.client)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { decisao: string; meta: { request_id: string } }
    expect(body.decisao).toBe('DEFERIDO')
    expect(body.meta.request_id).toBe('workerd-1')

    const again = await evaluate(pair, keys.client)
    expect(again.headers.get('Idempotent-Replayed')).toBe('true')
    expect(await again.json()).toEqual(body)

    const list = await SELF.fetch('http://edge.test/v1/results', { headers: { 'X-API-Key': keys.auditor } })
    const page = (await list.json()) as { items: { request_id: string }[] }
    expect(page.items.map((i) => i.request_id)).toContain('workerd-1')
  })

  it('keeps the error shapes', async () => {
    expect(await (await evaluate(pair)).json()).toEqual({ detail: 'Missing X-API-Key' })
    const invalid = await evaluate({}, keys.client)
    expect(invalid.status).toBe(422)
    const { detail } = (await invalid.json()) as { detail: { loc: string[] }[] }
    expect(detail[0]?.loc[0]).toBe('body')
  })

  it('is ready: the database answers through the Neon driver', async () => {
    const res = await SELF.fetch('http://edge.test/ready')
    expect(await res.json()).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'not_configured' } })
  })
})
