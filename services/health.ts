import { sql } from 'drizzle-orm'
import type { ServiceContext } from './context'

/** A cheap round trip to the database, for readiness probes. */
export async function pingDatabase(ctx: Pick<ServiceContext, 'db'>): Promise<void> {
  await ctx.db.execute(sql`SELECT 1`)
}
