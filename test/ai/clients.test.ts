import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { CircuitBreaker } from '../../services/ai/breaker'
import { ProviderError } from '../../services/ai/errors'
import { createOpenAiChat, createOpenAiEmbeddings } from '../../services/ai/openai'
import { createWorkersAiChat, createWorkersAiEmbeddings } from '../../services/ai/workers-ai'
import { startOpenAiStandIn, workersAiBindingOf, type OpenAiStandIn } from '../harness/openai-compatible'

const KEY = 'sk-test-key'
let api: OpenAiStandIn

beforeAll(async () => {
  api = await startOpenAiStandIn({ apiKey: KEY })
})
afterAll(() => api.close())
beforeEach(() => api.reset())

const embeddings = (over: Partial<Parameters<typeof createOpenAiEmbeddings>[0]> = {}) =>
  createOpenAiEmbeddings({ url: api.baseUrl, apiKey: KEY, model: 'text-embedding-3-small', retries: 2, backoffMs: 1, timeoutMs: 2_000, ...over })

const cosine = (a: number[], b: number[]) => {
  let d = 0
  let na = 0
  let nb = 0
  a.forEach((x, i) => {
    d += x * b[i]!
    na += x * x
    nb += b[i]! * b[i]!
  })
  return d / Math.sqrt(na * nb)
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ProviderError)
  return err as ProviderError
}

describe('OpenAI-compatible embeddings client', () => {
  it('posts a batch and returns one vector per text, in order, with the usage', async () => {
    const texts = ['Derivadas e limites de funções', 'Limites e derivadas', 'Direito penal: teoria do crime']
    const { vectors, tokens } = await embeddings().embed(texts)
    expect(api.calls.embeddings).toBe(1)
    expect(api.embeddedTexts).toEqual(texts)
    expect(vectors).toHaveLength(3)
    expect(tokens).toBeGreaterThan(0)
    // The stand-in's vectors behave like real ones on shared wording.
    expect(cosine(vectors[0]!, vectors[1]!)).toBeGreaterThan(cosine(vectors[0]!, vectors[2]!) + 0.3)
  })

  it('asks for the configured dimensions and names them in the model identity', async () => {
    const client = embeddings({ dimensions: 64 })
    expect(client.model).toBe('openai:text-embedding-3-small@64')
    const { vectors } = await client.embed(['álgebra linear'])
    expect(vectors[0]).toHaveLength(64)
  })

  it('retries a 429 and a 500, then answers', async () => {
    api.failNext(2, '429')
    expect((await embeddings().embed(['a b c'])).vectors).toHaveLength(1)
    expect(api.calls.embeddings).toBe(3)
    api.reset()
    api.failNext(1, '500')
    expect((await embeddings().embed(['a b c'])).vectors).toHaveLength(1)
    expect(api.calls.embeddings).toBe(2)
  })

  it('stops after the bounded retries when the provider stays down', async () => {
    api.mode = '500'
    const err = await failure(embeddings({ retries: 2 }).embed(['x']))
    expect(err.kind).toBe('server')
    expect(api.calls.embeddings).toBe(3)
  })

  it('does not retry malformed JSON nor a refused key', async () => {
    api.mode = 'malformed'
    expect((await failure(embeddings().embed(['x']))).kind).toBe('malformed')
    expect(api.calls.embeddings).toBe(1)
    api.reset()
    expect((await failure(embeddings({ apiKey: 'wrong' }).embed(['x']))).kind).toBe('client')
    expect(api.calls.embeddings).toBe(1)
  })

  it('cuts a slow answer at the timeout', async () => {
    api.mode = 'slow'
    api.slowMs = 1_000
    const err = await failure(embeddings({ timeoutMs: 50, retries: 1 }).embed(['x']))
    expect(err.kind).toBe('timeout')
    expect(api.calls.embeddings).toBe(2)
  })

  it('error messages carry neither the texts nor the key', async () => {
    api.mode = '500'
    const err = await failure(embeddings({ retries: 0 }).embed(['segredo da ementa']))
    expect(err.message).not.toContain('segredo')
    expect(err.message).not.toContain(KEY)
  })
})

describe('circuit breaker', () => {
  it('opens after consecutive failures, fails at once while open, closes after a good trial', async () => {
    let now = 1_000_000
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 10_000, now: () => now })
    const client = embeddings({ breaker, retries: 0 })
    api.mode = '500'
    await failure(client.embed(['x']))
    await failure(client.embed(['x']))
    expect(breaker.state).toBe('open')
    expect(api.calls.embeddings).toBe(2)

    const err = await failure(client.embed(['x']))
    expect(err.kind).toBe('circuit_open')
    expect(api.calls.embeddings).toBe(2)

    now += 10_000
    expect(breaker.state).toBe('half-open')
    // A failed trial opens it again for another period.
    await failure(client.embed(['x']))
    expect(breaker.state).toBe('open')
    now += 10_000
    api.mode = 'ok'
    await client.embed(['x'])
    expect(breaker.state).toBe('closed')
    expect(api.calls.embeddings).toBe(4)
  })
})

describe('OpenAI-compatible chat client', () => {
  const chat = () => createOpenAiChat({ url: api.baseUrl, apiKey: KEY, model: 'gpt-4o-mini', retries: 1, backoffMs: 1 })
  const request = { system: 'sys', user: '{"conceitos":[]}', schemaName: 's', schema: { type: 'object' }, maxTokens: 50 }

  it('asks for a strict JSON schema answer and returns the parsed content', async () => {
    api.chatScript = () => ({ avaliacoes: [] })
    const { value, tokens } = await chat().completeJson(request)
    expect(value).toEqual({ avaliacoes: [] })
    expect(tokens).toBeGreaterThan(0)
    const body = api.chatRequests[0]!.body
    expect(body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 's', strict: true, schema: { type: 'object' } } })
    expect(body.temperature).toBe(0)
  })

  it('a message content that is not JSON is malformed', async () => {
    api.chatScript = () => 'Claro! Aqui está: {"avaliacoes": ['
    expect((await failure(chat().completeJson(request))).kind).toBe('malformed')
  })
})

describe('Workers AI binding adapter', () => {
  it('embeds and chats through env.AI.run', async () => {
    const binding = workersAiBindingOf(api)
    const emb = createWorkersAiEmbeddings({ binding, model: '@cf/baai/bge-m3' })
    expect(emb.model).toBe('workers-ai:@cf/baai/bge-m3')
    const { vectors } = await emb.embed(['um', 'dois dois'])
    expect(vectors).toHaveLength(2)
    api.chatScript = () => ({ avaliacoes: [] })
    const chat = createWorkersAiChat({ binding, model: '@cf/meta/llama-3.1-8b-instruct' })
    expect((await chat.completeJson({ system: 's', user: 'u', schemaName: 'x', schema: {}, maxTokens: 10 })).value).toEqual({ avaliacoes: [] })
  })

  it('a failing binding opens its breaker like any provider', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 60_000 })
    const emb = createWorkersAiEmbeddings({ binding: workersAiBindingOf(api), model: 'm', breaker })
    api.mode = '500'
    expect((await failure(emb.embed(['x']))).kind).toBe('server')
    expect((await failure(emb.embed(['x']))).kind).toBe('circuit_open')
    expect(api.calls.embeddings).toBe(1)
  })
})
