import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listen, type Listening } from '../harness/listen'
import { createEdgeFixture, type EdgeFixture, samplePair, type TenantFixture } from './fixture'

/**
 * The body limit over a real Node HTTP server (@hono/node-server), where a declared Content-Length
 * is judged by the header and a chunked body by counting what arrives.
 */
describe('body limit on the Node server', () => {
  let f: EdgeFixture
  let t: TenantFixture
  let server: Listening

  beforeAll(async () => {
    f = await createEdgeFixture({ env: { BODY_LIMIT_BYTES: '2048' } })
    t = await f.createTenant()
    server = await listen(f.app.fetch)
  })
  afterAll(async () => {
    await server?.close()
    await f?.close()
  })

  /** A raw request, so the test chooses the framing headers itself. */
  function send(headers: Record<string, string>, chunks: string[]): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        `${server.url}/v2/equivalences/evaluate`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': t.keys['api-client'], ...headers } },
        (res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => (body += chunk))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        },
      )
      req.on('error', reject)
      for (const chunk of chunks) req.write(chunk)
      req.end()
    })
  }

  it('evaluates a body within the limit, sent with a Content-Length or chunked', async () => {
    const body = JSON.stringify(samplePair())
    const declared = await send({ 'content-length': String(Buffer.byteLength(body)) }, [body])
    expect(declared.status).toBe(200)
    expect(JSON.parse(declared.body)).toMatchObject({ decisao: 'DEFERIDO' })
    const chunked = await send({ 'transfer-encoding': 'chunked' }, [body.slice(0, 100), body.slice(100)])
    expect(chunked.status).toBe(200)
    const { timings_ms: _t1, meta: _m1, ...viaChunks } = JSON.parse(chunked.body)
    const { timings_ms: _t2, meta: _m2, ...viaLength } = JSON.parse(declared.body)
    expect(viaChunks).toEqual(viaLength)
  })

  it('refuses a declared Content-Length over the limit with 413, before reading the body', async () => {
    const body = JSON.stringify(samplePair({ context: { pad: 'x'.repeat(5000) } }))
    const res = await send({ 'content-length': String(Buffer.byteLength(body)) }, [body])
    expect(res.status).toBe(413)
    expect(JSON.parse(res.body)).toEqual({ detail: expect.stringContaining('2048') })
  })

  it('refuses a chunked body that grows past the limit with 413', async () => {
    const body = JSON.stringify(samplePair({ context: { pad: 'x'.repeat(5000) } }))
    const res = await send({ 'transfer-encoding': 'chunked' }, [body.slice(0, 1000), body.slice(1000, 3000), body.slice(3000)])
    expect(res.status).toBe(413)
    expect(JSON.parse(res.body)).toEqual({ detail: expect.stringContaining('2048') })
  })

  it('answers GET routes without a body as before', async () => {
    const res = await fetch(`${server.url}/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'alive' })
  })
})
