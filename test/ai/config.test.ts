import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../../edge/config'
import { parseAiConfig } from '../../services/ai/index'
import { parseWorkerConfig } from '../../worker/config'

const worker = {
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
  API_KEY_SALT: 'a-salt-of-sixteen-chars',
  QSTASH_TOKEN: 't',
  QSTASH_CURRENT_SIGNING_KEY: 'c',
  QSTASH_NEXT_SIGNING_KEY: 'n',
  WORKER_URL: 'http://worker.internal:8080',
}

describe('AI configuration: one set of names for the API, the worker and eval', () => {
  it('reads EMBED_* and LLM_*, with defaults', () => {
    const c = parseAiConfig({ EMBED_URL: 'https://api.openai.com/v1', EMBED_API_KEY: 'sk-x', EMBED_DIMENSIONS: '256', LLM_URL: 'https://api.openai.com/v1', LLM_MODEL: 'gpt-4o-mini' })
    expect(c).toMatchObject({ EMBED_MODEL: 'text-embedding-3-small', EMBED_DIMENSIONS: 256, AI_TIMEOUT_MS: 5000, AI_RETRIES: 2, LLM_MODEL: 'gpt-4o-mini' })
  })

  it('accepts the worker\u2019s EMBEDDINGS_* names, the new name winning', () => {
    expect(parseAiConfig({ EMBEDDINGS_URL: 'http://e.local/v1', EMBEDDINGS_MODEL: 'm1' })).toMatchObject({ EMBED_URL: 'http://e.local/v1', EMBED_MODEL: 'm1' })
    expect(parseAiConfig({ EMBEDDINGS_MODEL: 'old', EMBED_MODEL: 'new' }).EMBED_MODEL).toBe('new')
    expect(parseConfig({ EMBEDDINGS_URL: 'http://e.local/v1' }).EMBED_URL).toBe('http://e.local/v1')
    expect(parseWorkerConfig({ ...worker, EMBEDDINGS_URL: 'http://e.local/v1', EMBEDDINGS_API_KEY: 'k' })).toMatchObject({ EMBED_URL: 'http://e.local/v1', EMBED_API_KEY: 'k' })
  })

  it('names every bad key, never a value', () => {
    let err: unknown
    try {
      parseConfig({ EMBED_URL: 'not a url', AI_TIMEOUT_MS: '-1', LLM_URL: 'https://llm.local/v1', LLM_API_KEY: 'sk-secret-value' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    const keys = (err as ConfigError).issues.map((i) => i.key)
    expect(keys).toEqual(expect.arrayContaining(['EMBED_URL', 'AI_TIMEOUT_MS', 'LLM_MODEL']))
    expect((err as Error).message).not.toContain('sk-secret-value')
    expect(() => parseWorkerConfig({ ...worker, LLM_URL: 'https://llm.local/v1' })).toThrow(/LLM_MODEL/)
  })
})
