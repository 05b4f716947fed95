import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type DatabaseHandle } from '../../db/client'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createTenantsRepository } from '../../db/repositories/tenants'
import { createApp } from '../../edge/app'
import { parseConfig } from '../../edge/config'
import { sql } from 'drizzle-orm'
import { createLogger, describeError } from '../../services/logger'
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy'
import { createTestDatabase, type TestDatabase } from '../harness/postgres'

/**
 * Everything the app logs while it meets bad input and a database outage, scanned for what a log
 * must never carry: syllabus text (a marker planted in every ementa and nome), API keys, and the
 * statement or parameters of a failed query.
 */
let database: TestDatabase
let proxy: FaultProxy
let handle: DatabaseHandle
let app: ReturnType<typeof createApp>
let key = ''
let adminKey = ''
const lines: string[] = []
const MARKER = `EMENTA-MARCADOR-${crypto.randomUUID().slice(0, 8)}`

beforeAll(async () => {
  ;[database, proxy] = await Promise.all([createTestDatabase(), startFaultProxy({ host: '127.0.0.1', port: 5432 })])
  const salt = `test-salt-${crypto.randomUUID()}`
  const tenant = await createTenantsRepository(database.db).create({ slug: `logs-${crypto.randomUUID().slice(0, 6)}`, name: 'Logs' })
  key = (await createApiKeysRepository(database.db, salt).create(tenant.id, { role: 'api-client' })).plaintext
  adminKey = (await createApiKeysRepository(database.db, salt).create(tenant.id, { role: 'admin' })).plaintext
  handle = await createDatabase({ url: `postgres://postgres@127.0.0.1:${proxy.port}/${database.name}`, driver: 'pg', poolSize: 4 })
  const config = parseConfig({ DATABASE_DRIVER: 'pg', DATABASE_URL: database.url, API_KEY_SALT: salt, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'debug' })
  app = createApp({ config, db: handle.db, logger: createLogger('debug', (line) => lines.push(line)) })
})
afterAll(async () => {
  await proxy?.close()
  // pg's pool.end() can wait forever on a client whose proxied socket the reset half-closed (seen
  // under load; the Node entry bounds its own shutdown at 10 s): bounded here too.
  await Promise.race([handle?.close(), new Promise((resolve) => setTimeout(resolve, 3_000))])
  await database?.drop()
})

const pair = (requestId: string, extra = '') => ({
  request_id: requestId,
  origem: { nome: `Cálculo ${MARKER}`, carga_horaria: 60, ementa: `Limites ${MARKER}. Derivadas${extra}. Integrais.`, aprovado: true, ano_conclusao: 2022 },
  destino: { nome: 'Cálculo I', carga_horaria: 60, ementa: `Limites. Derivadas. Integrais ${MARKER}.` },
})
const post = (path: string, body: unknown, k = key) =>
  Promise.resolve(app.request(path, { method: 'POST', headers: { 'X-API-Key': k, 'Content-Type': 'application/json' }, body: JSON.stringify(body) }))

describe('logs under bad input and outages', () => {
  it('carry no syllabus text, no key and no query parameters', async () => {
    expect((await post('/v1/equivalences/evaluate', pair('ok-1'))).status).toBe(200)
    // Hostile strings that Postgres refuses, wherever they reach it.
    for (const bad of ['\u0000', '\ud800']) {
      const res = await post('/v1/equivalences/evaluate', pair(`bad-${bad.charCodeAt(0)}`, bad))
      expect(res.status).toBeLessThan(600)
      await post('/admin/policies', { version: `p-${MARKER}${bad}`, config: {} }, adminKey)
    }
    // The database goes away mid-traffic, then comes back.
    proxy.reset()
    for (let i = 0; i < 5; i++) expect((await post('/v1/equivalences/evaluate', pair(`cut-${i}`))).status).toBe(503)
    proxy.restore()
    expect((await post('/v1/equivalences/evaluate', pair('ok-2'))).status).toBe(200)

    expect(lines.length).toBeGreaterThan(5)
    const errors = lines.filter((l) => /"level":"(error|warn)"/.test(l))
    expect(errors.length).toBeGreaterThan(0) // the outage was logged …
    const all = lines.join('\n')
    expect(all).not.toContain(MARKER) // … without the syllabus text,
    expect(all).not.toContain(key) // the keys,
    expect(all).not.toContain(adminKey)
    expect(all).not.toMatch(/params:|Failed query: (insert|select|update)/i) // or the failed statement.
  })

  it('a failed query logged any way a caller might — message, stack, the error itself — keeps its parameters out', async () => {
    // A real failed query whose parameter is syllabus text: drizzle's DrizzleQueryError, whose
    // message and stack are "Failed query: <statement>\nparams: <values>".
    const failed = await database.db.execute(sql`SELECT ${`Ementa ${MARKER}`}::int`).then(
      () => null,
      (err: unknown) => err as Error,
    )
    expect(failed?.message).toContain(MARKER)
    const wrapped = new Error(`evaluation failed: ${failed!.message}`, { cause: failed })
    const captured: string[] = []
    const logger = createLogger('info', (line) => captured.push(line))
    for (const err of [failed!, wrapped]) {
      logger.error('job route failed', { error: err.message })
      logger.error('request failed', { ...describeError(err) })
      logger.warn('sweep failed', { error: err, stack: err.stack })
    }
    const all = captured.join('\n')
    expect(all).toContain('22P02') // what failed stays known: the SQLSTATE,
    expect(all).not.toContain(MARKER) // never the parameters
  })
})
