import { describe } from 'vitest'
import { createTestDatabase } from '../../test/harness/postgres'
import { repositorySuite } from './repository-suite'

describe('repositories on node-postgres', () => {
  repositorySuite(async () => {
    const database = await createTestDatabase()
    return { db: database.db, close: database.drop }
  })
})
