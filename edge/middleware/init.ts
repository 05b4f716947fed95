import type { Context } from 'hono'
import type { Database } from '../../db/client'
import { createServiceContext, type ServiceContext } from '../../services/context'
import type { AppEnv, Services } from '../context'

/**
 * Sets the request's ServiceContext (repositories over a database handle, the shared caches); the
 * app calls it in the one layer that also applies `defaultToJson` and the text check (every async
 * middleware layer costs each request a few µs). With `db` (Node, Deno, tests) the context is built
 * once for the app; without, from the handle the Workers entry passes with each request
 * (`c.env.db`), since a Worker may not reuse one request's connection in another.
 */
export function serviceContextFor(services: Services, db: Database | undefined): (c: Context<AppEnv>) => void {
  const build = (handle: Database): ServiceContext =>
    createServiceContext(handle, {
      apiKeySalt: services.config.API_KEY_SALT!,
      versions: services.versions,
      mapper: services.mapper,
      mappingCache: services.mappingCache,
      semantic: services.semantic,
      clock: services.clock,
    })
  const shared = db ? build(db) : undefined
  return (c) => {
    const handle = c.env?.db
    if (!shared && !handle) throw new Error('no database handle for this request')
    c.set('ctx', shared ?? build(handle!))
  }
}
