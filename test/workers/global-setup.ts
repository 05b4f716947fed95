import type { TestProject } from 'vitest/node'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createTenantsRepository } from '../../db/repositories/tenants'
import { startNeonHttpEndpoint } from '../harness/neon-http'
import { startNeonWsProxy } from '../harness/neon-ws-proxy'
import { startOpenAiStandIn } from '../harness/openai-compatible'
import { createTestDatabase } from '../harness/postgres'
import { startQStashStandIn } from '../harness/qstash'
import { freePort } from '../runtime/process'
import { parseWorkerConfig } from '../../worker/config'
import { startWorker } from '../../worker/main'

/**
 * Runs in Node before the workerd tests: a fresh Postgres database, the Neon HTTP and WebSocket
 * stand-ins in front of it (so the Worker uses the official Neon driver), the QStash stand-in with
 * the real batch worker (worker/main.ts, in this Node process) it delivers to — the Workers entry's
 * only batch tier — and one tenant with keys.
 * The tests receive what they need through `inject`.
 */
export default async function setup(project: TestProject) {
  const [database, http, ws, ai] = await Promise.all([createTestDatabase(), startNeonHttpEndpoint(), startNeonWsProxy(), startOpenAiStandIn()])
  const salt = `workerd-salt-${crypto.randomUUID()}`
  const tenant = await createTenantsRepository(database.db).create({ slug: 'workerd', name: 'Workerd' })
  const keys = createApiKeysRepository(database.db, salt)
  const client = (await keys.create(tenant.id, { role: 'api-client' })).plaintext
  const auditor = (await keys.create(tenant.id, { role: 'auditor' })).plaintext
  const admin = (await keys.create(tenant.id, { role: 'admin' })).plaintext
  const qstash = await startQStashStandIn()
  const workerPort = await freePort()
  const workerUrl = `http://127.0.0.1:${workerPort}`
  const worker = await startWorker(
    parseWorkerConfig({
      DATABASE_URL: database.url,
      API_KEY_SALT: salt,
      QSTASH_URL: qstash.url,
      QSTASH_TOKEN: qstash.token,
      QSTASH_CURRENT_SIGNING_KEY: qstash.currentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: qstash.nextSigningKey,
      WORKER_URL: workerUrl,
      PORT: String(workerPort),
      SWEEP_CRON: '',
      LOG_LEVEL: 'silent',
    }),
    { scheduleSweep: false },
  )
  project.provide('workerd', {
    bindings: {
      DATABASE_URL: database.url,
      API_KEY_SALT: salt,
      NEON_FETCH_ENDPOINT: http.fetchEndpoint,
      NEON_WS_PROXY: ws.wsProxy,
      NEON_SECURE: 'false',
      RATE_LIMIT_ENABLED: 'false',
      QSTASH_URL: qstash.url,
      QSTASH_TOKEN: qstash.token,
      QSTASH_CURRENT_SIGNING_KEY: qstash.currentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: qstash.nextSigningKey,
      WORKER_URL: workerUrl,
      LOG_LEVEL: 'warn',
    },
    keys: { client, auditor, admin },
    // The OpenAI-compatible stand-in, for the semantic tier's own workerd test (not an app binding).
    ai: { baseUrl: ai.baseUrl },
  })
  return async () => {
    await worker.stop()
    await Promise.all([http.close(), ws.close(), ai.close(), qstash.close()])
    await database.drop()
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    workerd: { bindings: Record<string, string>; keys: { client: string; auditor: string; admin: string }; ai: { baseUrl: string } }
  }
}
