import { type Listening, listen } from './listen'

/**
 * Stands in for an OpenAI-compatible API — OpenAI itself, Workers AI's OpenAI endpoints, vLLM,
 * Ollama, LiteLLM or any compatible provider — so our fetch clients run unchanged against it.
 *
 * `POST /v1/embeddings` answers deterministic vectors that behave like real ones on shared
 * wording: hashed character n-grams (3- and 4-grams of accent-folded words) projected with a sign
 * onto a fixed dimension, L2-normalised, so texts sharing words or word stems are close and
 * unrelated ones are not. `POST /v1/chat/completions` answers from a script (the request's
 * system and user messages in, the JSON value of the message content out). Fault modes make it
 * slow, answer 500 or 429, or send malformed JSON; every request is counted and logged.
 */

export type StandInMode = 'ok' | 'slow' | '500' | '429' | 'malformed' | 'hang'

export interface ChatScriptInput {
  system: string
  user: string
  body: Record<string, unknown>
}

export interface OpenAiStandIn extends Listening {
  /** Base URL as SDKs take it (`…/v1`). */
  baseUrl: string
  /** The key it requires, if any. */
  apiKey?: string
  mode: StandInMode
  /** Delay of `slow` mode. */
  slowMs: number
  /** The next `n` requests fail with `mode`, then the stand-in answers normally again. */
  failNext(n: number, mode: Exclude<StandInMode, 'ok'>): void
  /** Returns the JSON value the assistant message holds (or a string sent as the raw content). */
  chatScript: (input: ChatScriptInput) => unknown
  readonly calls: { embeddings: number; chat: number }
  /** Every text received by /embeddings, in order. */
  readonly embeddedTexts: string[]
  readonly chatRequests: ChatScriptInput[]
  reset(): void
}

export const STAND_IN_DIMENSIONS = 256

function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

const SHORT_WORD = 3

/** The stand-in's embedding: signed hashing of character 3/4-grams of each word. */
export function standInVector(text: string, dimensions = STAND_IN_DIMENSIONS): number[] {
  const v = new Array<number>(dimensions).fill(0)
  const words = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= SHORT_WORD)
  for (const word of words) {
    const padded = `<${word}>`
    for (const n of [3, 4]) {
      for (let i = 0; i + n <= padded.length; i++) {
        const h = fnv1a(padded.slice(i, i + n))
        v[h % dimensions]! += h & 0x80000000 ? -1 : 1
      }
    }
  }
  const norm = Math.hypot(...v) || 1
  return v.map((x) => x / norm)
}

const tokensOf = (texts: readonly string[]) => texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0)

/** Echoes each concept back with a high confidence and the first words of its first passage. */
export function echoScript(input: ChatScriptInput): unknown {
  const { conceitos } = JSON.parse(input.user) as { conceitos: Array<{ id: string; trechos: string[] }> }
  return {
    avaliacoes: conceitos.map((c) => ({
      conceito_id: c.id,
      confianca: 0.9,
      citacao: (c.trechos[0] ?? '').slice(0, 24),
      justificativa: 'O trecho trata do conceito.',
    })),
  }
}

export async function startOpenAiStandIn(options: { apiKey?: string } = {}): Promise<OpenAiStandIn> {
  const calls = { embeddings: 0, chat: 0 }
  const embeddedTexts: string[] = []
  const chatRequests: ChatScriptInput[] = []
  let transient: { n: number; mode: Exclude<StandInMode, 'ok'> } | null = null
  const pendingHangs = new Set<() => void>()

  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } })

  async function fault(mode: StandInMode): Promise<Response | null> {
    switch (mode) {
      case 'ok':
        return null
      case 'slow':
        await new Promise((r) => setTimeout(r, state.slowMs))
        return null
      case 'hang':
        // Answers only when the stand-in closes (the client's timeout must act first).
        await new Promise<void>((r) => pendingHangs.add(r))
        return json(503, { error: { message: 'closed' } })
      case '500':
        return json(500, { error: { message: 'The server had an error while processing your request.', type: 'server_error' } })
      case '429':
        return json(429, { error: { message: 'Rate limit reached', type: 'requests' } }, { 'Retry-After': '0' })
      case 'malformed':
        return new Response('{"object": "list", "data": [', { status: 200, headers: { 'Content-Type': 'application/json' } })
    }
  }

  async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname
    if (request.method !== 'POST' || (path !== '/v1/embeddings' && path !== '/v1/chat/completions')) {
      return json(404, { error: { message: 'Not found' } })
    }
    if (path === '/v1/embeddings') calls.embeddings++
    else calls.chat++
    if (options.apiKey && request.headers.get('authorization') !== `Bearer ${options.apiKey}`) {
      return json(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } })
    }
    const body = (await request.json()) as Record<string, unknown>
    let mode: StandInMode = state.mode
    if (transient && transient.n > 0) {
      mode = transient.mode
      transient.n--
    }
    const failed = await fault(mode)
    if (failed) return failed

    if (path === '/v1/embeddings') {
      const input = typeof body.input === 'string' ? [body.input] : (body.input as string[])
      if (!Array.isArray(input) || input.some((t) => typeof t !== 'string')) {
        return json(400, { error: { message: "'input' must be a string or an array of strings" } })
      }
      embeddedTexts.push(...input)
      const dims = typeof body.dimensions === 'number' ? body.dimensions : STAND_IN_DIMENSIONS
      const tokens = tokensOf(input)
      return json(200, {
        object: 'list',
        data: input.map((t, index) => ({ object: 'embedding', index, embedding: standInVector(t, dims) })),
        model: body.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      })
    }
    const messages = body.messages as Array<{ role: string; content: string }>
    const input: ChatScriptInput = {
      system: messages.find((m) => m.role === 'system')?.content ?? '',
      user: messages.find((m) => m.role === 'user')?.content ?? '',
      body,
    }
    chatRequests.push(input)
    const value = state.chatScript(input)
    const content = typeof value === 'string' ? value : JSON.stringify(value)
    const prompt = tokensOf([input.system, input.user])
    const completion = tokensOf([content])
    return json(200, {
      id: `chatcmpl-${calls.chat}`,
      object: 'chat.completion',
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    })
  }

  const server = await listen(handle)
  const state: OpenAiStandIn = {
    ...server,
    baseUrl: `${server.url}/v1`,
    apiKey: options.apiKey,
    mode: 'ok',
    slowMs: 200,
    chatScript: echoScript,
    calls,
    embeddedTexts,
    chatRequests,
    failNext(n, mode) {
      transient = { n, mode }
    },
    reset() {
      calls.embeddings = 0
      calls.chat = 0
      embeddedTexts.length = 0
      chatRequests.length = 0
      transient = null
      state.mode = 'ok'
      state.chatScript = echoScript
    },
    async close() {
      for (const release of pendingHangs) release()
      pendingHangs.clear()
      await server.close()
    },
  }
  return state
}

/**
 * Stands in for a Cloudflare Workers AI binding (`env.AI`): `run(model, inputs)` answers in the
 * binding's shapes (`{ shape, data }` for text embeddings, `{ response, usage }` for chat), served
 * by the stand-in above; a failing provider makes `run` throw, as the binding does.
 */
export function workersAiBindingOf(standIn: OpenAiStandIn) {
  return {
    async run(model: string, inputs: Record<string, unknown>): Promise<unknown> {
      const chat = Array.isArray(inputs.messages)
      const response = await fetch(`${standIn.baseUrl}/${chat ? 'chat/completions' : 'embeddings'}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(standIn.apiKey ? { Authorization: `Bearer ${standIn.apiKey}` } : {}) },
        body: JSON.stringify(chat ? { model, messages: inputs.messages } : { model, input: inputs.text }),
      })
      if (!response.ok) throw new Error(`InferenceUpstreamError: ${response.status}`)
      const body = (await response.json()) as {
        data?: Array<{ embedding: number[] }>
        choices?: Array<{ message: { content: string } }>
        usage?: unknown
      }
      if (!chat) {
        const data = body.data!.map((d) => d.embedding)
        return { shape: [data.length, data[0]?.length ?? 0], data }
      }
      return { response: JSON.parse(body.choices![0]!.message.content), usage: body.usage }
    },
  }
}
