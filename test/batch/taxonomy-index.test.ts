import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTaxonomiesRepository } from '../../db/repositories/taxonomies'
import { createEmbeddedJobs } from '../../jobs/embedded'
import { createOpenAiEmbedder } from '../../jobs/embeddings/openai'
import { buildTaxonomyIndexMessage } from '../../jobs/messages'
import { listen, type Listening } from '../harness/listen'
import { createJobsFixture, type JobsFixture } from './fixture'

const nodes = [
  { id: 'lim', area: 'Matemática', subarea: 'Cálculo', conceito: 'Limites', descricao: 'Limites e continuidade', palavras_chave: ['limite', 'continuidade'], nivel: 1, critico: true },
  { id: 'der', area: 'Matemática', subarea: 'Cálculo', conceito: 'Derivadas', descricao: 'Derivação e aplicações', palavras_chave: ['derivada'], nivel: 1, critico: false },
  { id: 'int', area: 'Matemática', subarea: 'Cálculo', conceito: 'Integrais', descricao: 'Integral definida e indefinida', palavras_chave: ['integral'], nivel: 1, critico: false },
]

describe('taxonomy index job', () => {
  let fixture: JobsFixture
  /** Stands in for an OpenAI-compatible embeddings API (POST /embeddings → {data: [{index, embedding}]}). */
  let embeddingsApi: Listening
  const requests: Array<{ model: string; input: string[]; auth: string | undefined }> = []

  beforeAll(async () => {
    fixture = await createJobsFixture()
    const taxonomies = createTaxonomiesRepository(fixture.database.db)
    const draft = await taxonomies.createDraft(fixture.tenant.id, { version: 'calc-2026', nodes })
    await taxonomies.activate(fixture.tenant.id, draft.id)
    const api = new Hono().post('/v1/embeddings', async (c) => {
      const body = (await c.req.json()) as { model: string; input: string[] }
      requests.push({ ...body, auth: c.req.header('Authorization') })
      return c.json({ data: body.input.map((text, index) => ({ index, embedding: [text.length, index, 1] })).reverse() })
    })
    embeddingsApi = await listen(api.fetch)
  })
  afterAll(async () => {
    await embeddingsApi.close()
    await fixture.close()
  })

  function runtimeWith(embedder?: ReturnType<typeof createOpenAiEmbedder>) {
    const { dispatcher, runtime } = createEmbeddedJobs({
      services: fixture.services,
      callbackSigningSecret: fixture.salt,
      embedder,
      sweepEveryMs: null,
      recoverAtStart: false,
    })
    return { dispatcher, handlers: runtime.handlers }
  }
  const cached = async (model: string) =>
    (await fixture.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM embedding_cache WHERE model = $1', [model])).rows[0]!.n

  it('stores a deterministic lexical vector per node offline, and skips what is cached', async () => {
    const { handlers } = runtimeWith()
    const body = buildTaxonomyIndexMessage(fixture.tenant.id, 'calc-2026').body
    expect(await handlers['build-taxonomy-index'](body, { retried: 0, messageId: 'a' })).toEqual({
      status: 'ok',
      detail: { nodes: 3, embedded: 3, model: 'lexical-hash-256-v1' },
    })
    expect(await cached('lexical-hash-256-v1')).toBe(3)
    expect(await handlers['build-taxonomy-index'](body, { retried: 0, messageId: 'b' })).toMatchObject({ detail: { embedded: 0 } })
    expect(await handlers['build-taxonomy-index']({ tenant_id: fixture.tenant.id, taxonomy_version: 'nope' }, { retried: 0, messageId: 'c' })).toEqual({
      status: 'give-up',
      error: "unknown taxonomy_version 'nope'",
    })
  })

  it('goes through an OpenAI-compatible embeddings API when one is configured, via the dispatcher', async () => {
    const embedder = createOpenAiEmbedder({ url: `${embeddingsApi.url}/v1`, apiKey: 'sk-test', model: 'test-embed' })
    const { dispatcher } = runtimeWith(embedder)
    await dispatcher.dispatch([buildTaxonomyIndexMessage(fixture.tenant.id, 'calc-2026')])
    await dispatcher.idle()
    expect(requests).toHaveLength(1)
    expect(requests[0]).toMatchObject({ model: 'test-embed', auth: 'Bearer sk-test' })
    expect(await cached('openai:test-embed')).toBe(3)
    // Vectors are matched to texts by `index`, whatever order the API answers in.
    const { rows } = await fixture.database.pool.query<{ vector: number[] }>("SELECT vector FROM embedding_cache WHERE model = 'openai:test-embed' ORDER BY vector[1]")
    expect(rows.map((r) => r.vector[0])).toEqual(requests[0]!.input.map((t) => t.length).sort((a, b) => a - b))
  })
})
