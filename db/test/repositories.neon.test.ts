import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNeonHttpEndpoint, type NeonHttpEndpoint } from '../../test/harness/neon-http'
import { startNeonWsProxy, type NeonWsProxy } from '../../test/harness/neon-ws-proxy'
import { createTestDatabase, type TestDatabase } from '../../test/harness/postgres'
import { createDatabase, type DatabaseHandle } from '../client'
import { createTenantsRepository } from '../repositories'
import { repositorySuite } from './repository-suite'

/**
 * The Neon driver path, end to end through the official @neondatabase/serverless client: single
 * statements over the HTTP endpoint stand-in, transactions over the WebSocket proxy stand-in, both
 * in front of the real local Postgres.
 */
describe('repositories on the Neon serverless driver', () => {
  let database: TestDatabase
  let ws: NeonWsProxy
  let http: NeonHttpEndpoint
  let handle: DatabaseHandle

  beforeAll(async () => {
    ;[database, ws, http] = await Promise.all([
      createTestDatabase(),
      startNeonWsProxy(),
      startNeonHttpEndpoint(),
    ])
    handle = await createDatabase({
      url: database.url,
      driver: 'neon',
      neon: { wsProxy: ws.wsProxy, fetchEndpoint: http.fetchEndpoint, secure: false },
    })
  })
  afterAll(async () => {
    await handle?.close()
    await Promise.all([ws?.close(), http?.close()])
    await database?.drop()
  })

  it('sends single statements over HTTP', async () => {
    expect(handle.driver).toBe('neon')
    const before = http.requests()
    await createTenantsRepository(handle.db).getBySlug('nobody')
    expect(http.requests()).toBe(before + 1)
  })

  repositorySuite(async () => ({ db: handle.db, close: async () => undefined }))
})
