/**
 * Calibration over many reviews: time and peak heap of one calibration job over a small and a
 * large set of reviewed results, side by side in one process, so the ratios say how they scale
 * (time should grow with the reviews; memory should not: the job keeps counts, not cases). With
 * --expose-gc the heap is sampled after a collection every second (live heap, not garbage; the
 * collections cost a little time too).
 *
 *     npx tsx --expose-gc bench/calibration.ts [SMALL=2000] [LARGE=20000]
 *
 * Syllabi are our own (a few pairs, copied with SQL into many reviewed results); a fresh database
 * on the local Postgres (test/harness/postgres.ts), dropped at the end.
 */
import { createApiKeysRepository } from '../db/repositories/api-keys'
import { createTenantsRepository } from '../db/repositories/tenants'
import { createApp } from '../edge/app'
import { parseConfig } from '../edge/config'
import { requestCalibration, runCalibration } from '../services/calibrations'
import { createServiceContext } from '../services/context'
import { createLogger } from '../services/logger'
import { createVersionCache } from '../services/resolve-versions'
import { createTestDatabase } from '../test/harness/postgres'

const SMALL = Number(process.argv[2] ?? 2000)
const LARGE = Number(process.argv[3] ?? 20000)
const gc = (globalThis as { gc?: () => void }).gc

const limites = 'Limites e continuidade de funções reais. Derivadas e regras de derivação. Aplicações da derivada. Integral definida e indefinida. Teorema fundamental do cálculo.'
const arte = 'Impressionismo e pós-impressionismo. Vanguardas europeias. Arte moderna no Brasil. Crítica de arte e museus. '.repeat(8)
const course = (nome: string, ementa: string) => ({ nome, carga_horaria: 90, ementa })
const pairs = [
  { origem: course('Cálculo I', limites), destino: course('Cálculo I', limites), label: 'DEFERIDO' },
  { origem: course('Cálculo Diferencial e Integral I', limites), destino: course('Cálculo I', limites), label: 'DEFERIDO' },
  { origem: course('História da Arte Moderna', arte), destino: course('Cálculo I', limites), label: 'INDEFERIDO' },
]

async function main() {
  const database = await createTestDatabase({ poolSize: 4 })
  try {
    const salt = `bench-salt-${crypto.randomUUID()}`
    const config = parseConfig({ DATABASE_DRIVER: 'pg', DATABASE_URL: database.url, API_KEY_SALT: salt, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'silent' })
    const app = createApp({ config, db: database.db, logger: createLogger('silent') })
    const ctx = createServiceContext(database.db, { apiKeySalt: salt, versions: createVersionCache(5000) })
    const tenant = await createTenantsRepository(database.db).create({ slug: 'bench-calibracao', name: 'Bench' })
    const keys = createApiKeysRepository(database.db, salt)
    const admin = await keys.create(tenant.id, { role: 'admin', name: 'admin' })
    const post = (path: string, body: unknown) =>
      app.request(path, { method: 'POST', headers: { 'X-API-Key': admin.plaintext, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    for (const [i, { label, ...pair }] of pairs.entries()) {
      const res = await post('/v2/equivalences/evaluate', { ...pair, request_id: `seed-${i}`, course_id: `curso-${i}` })
      if (res.status !== 200) throw new Error(`evaluate ${res.status}`)
      const { rows } = await database.pool.query<{ id: string }>('SELECT id FROM equivalence_results WHERE request_id = $1', [`seed-${i}`])
      await post(`/v1/results/${rows[0]!.id}/reviews`, { label })
    }
    // Copies of the seed results and their reviews, in SQL: `LARGE` reviewed results, the first `SMALL` of one course.
    const columns = async (table: string) =>
      (await database.pool.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [table])).rows.map((r) => r.column_name)
    const resultCols = await columns('equivalence_results')
    const reviewCols = await columns('reviews')
    const pick = (cols: string[], over: Record<string, string>) => cols.map((c) => over[c] ?? `s.${c}`).join(', ')
    await database.pool.query(
      `INSERT INTO equivalence_results (${resultCols.join(', ')})
       SELECT ${pick(resultCols, { id: 'gen_random_uuid()', request_id: `'copia-' || g`, course_id: `CASE WHEN g <= ${SMALL} THEN 'pequeno' ELSE s.course_id END` })}
       FROM generate_series(1, ${LARGE}) g JOIN equivalence_results s ON s.request_id = 'seed-' || (g % 3)`,
    )
    await database.pool.query(
      `INSERT INTO reviews (${reviewCols.join(', ')})
       SELECT ${pick(reviewCols, { id: 'gen_random_uuid()', result_id: 'r.id' })}
       FROM equivalence_results r
       JOIN equivalence_results seed ON seed.request_id = 'seed-' || (substring(r.request_id from 7)::int % 3)
       JOIN reviews s ON s.result_id = seed.id
       WHERE r.request_id LIKE 'copia-%'`,
    )
    await database.pool.query('ANALYZE')

    const measure = async (courseId: string | null) => {
      const queued = await requestCalibration({
        ctx,
        input: { tenantId: tenant.id, actorKeyId: admin.key.id, courseId, params: { precisao_minima_deferido: 0.95, precisao_minima_indeferido: 0.9, min_revisoes: 10, min_revisoes_por_idioma: 10 } },
      })
      gc?.()
      const before = process.memoryUsage().heapUsed
      let peak = before
      // Live heap: with --expose-gc each sample collects first, so garbage not yet collected does not count.
      const sampler = setInterval(() => {
        gc?.()
        peak = Math.max(peak, process.memoryUsage().heapUsed)
      }, 1000)
      const started = performance.now()
      const outcome = await runCalibration({ ctx, input: { tenantId: tenant.id, id: queued.id } })
      const seconds = (performance.now() - started) / 1000
      clearInterval(sampler)
      peak = Math.max(peak, process.memoryUsage().heapUsed)
      if (outcome.status !== 'done') throw new Error(`calibration ${outcome.status}`)
      const reviews = (outcome.calibration.report as { revisoes: number }).revisoes
      return { reviews, seconds, peakMiB: (peak - before) / 2 ** 20 }
    }
    // Alternate small and large, twice; report the second round (warm caches, JIT).
    let small = await measure('pequeno')
    let large = await measure(null)
    small = await measure('pequeno')
    large = await measure(null)
    const row = (name: string, m: typeof small) =>
      `${name.padEnd(6)} ${String(m.reviews).padStart(7)} reviews  ${m.seconds.toFixed(2).padStart(7)} s  ${(m.reviews / m.seconds).toFixed(0).padStart(6)} reviews/s  peak live heap +${m.peakMiB.toFixed(1)} MiB`
    console.log(row('small', small))
    console.log(row('large', large))
    console.log(`ratios large/small: reviews ${(large.reviews / small.reviews).toFixed(1)}×, time ${(large.seconds / small.seconds).toFixed(1)}×, peak live heap ${(large.peakMiB / Math.max(0.1, small.peakMiB)).toFixed(2)}×`)
    if (!gc) console.log('(run with --expose-gc for steadier heap figures)')
  } finally {
    await database.drop()
  }
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
