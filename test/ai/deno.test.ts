import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startOpenAiStandIn, type OpenAiStandIn } from '../harness/openai-compatible'

/** The semantic tier under Deno (fetch + Web Crypto), against the stand-in in this process. */
let api: OpenAiStandIn
beforeAll(async () => {
  api = await startOpenAiStandIn()
})
afterAll(() => api.close())

it('maps through embeddings under Deno', async () => {
  const { stdout } = await promisify(execFile)('node_modules/.bin/deno', ['run', '--allow-net', '--allow-read', '--allow-env', 'test/ai/deno-smoke.ts', api.baseUrl], {
    timeout: 170_000,
  })
  const out = JSON.parse(stdout.trim().split('\n').pop()!) as { model_version: string; semantico: { estado: string } }
  expect(out.model_version.startsWith('hibrido-1:lexical-1.0.0+openai:text-embedding-3-small')).toBe(true)
  expect(out.semantico.estado).toBe('ok')
  expect(api.calls.embeddings).toBe(1)
}, 180_000)
