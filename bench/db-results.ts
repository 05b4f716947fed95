import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { createTestDatabase } from '../test/harness/postgres'
import { createRepositories } from '../db/repositories'

/**
 * Throughput of the persistence hot path of an evaluation: `insertIdempotent` with its audit event
 * (concurrent callers share one `append_audited_results` statement: results, chain lock, audit
 * events, commit — db/result-batcher.ts) on the local Postgres, N callers at once, all on ONE tenant (the worst case: every append waits for that tenant's chain lock) and then
 * spread over several tenants.
 *
 *   npm run bench:db -- [total=6000] [concurrency=32] [pool=20]
 */
const [total = 6000, concurrency = 32, poolSize = 20] = process.argv.slice(2).map(Number)

async function run(label: string, tenantIds: string[], repos: ReturnType<typeof createRepositories>) {
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++
        await repos.results.insertIdempotent(
          tenantIds[i % tenantIds.length]!,
          {
            requestId: randomUUID(),
            inputHash: 'f'.repeat(64),
            response: { decisao: 'DEFERIDO', score: 81, breakdown: { cobertura: 0.9 }, faltantes: [] },
            decisao: 'DEFERIDO',
            score: 81,
            policyVersion: 'padrao-v1',
            modelVersion: 'lexical-1',
          },
          { audit: { action: 'result.created', payload: { decisao: 'DEFERIDO' } } },
        )
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  console.log(
    `${label}: ${total} results + audit events in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)}/s`,
  )
}

const database = await createTestDatabase({ poolSize })
try {
  const repos = createRepositories(database.db, { apiKeySalt: 'bench-salt-0123456789' })
  const tenants = await Promise.all(
    [1, 2, 3, 4].map((n) => repos.tenants.create({ slug: `bench-${n}`, name: `B${n}` })),
  )
  console.log(`concurrency ${concurrency}, pool ${poolSize}`)
  await run('one tenant  ', [tenants[0]!.id], repos)
  await run(
    'four tenants',
    tenants.map((t) => t.id),
    repos,
  )
  for (const t of tenants) {
    const check = await repos.audit.verifyChain(t.id)
    if (!check.ok) throw new Error(`chain of ${t.slug} broken: ${JSON.stringify(check)}`)
  }
} finally {
  await database.drop()
}
