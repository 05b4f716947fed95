import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../db/client'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createAuditRepository, verifyAuditChain } from '../../db/repositories/audit'
import { createJobItemsRepository } from '../../db/repositories/job-items'
import { createJobsRepository } from '../../db/repositories/jobs'
import { createBindingsRepository } from '../../db/repositories/bindings'
import { createCalibrationsRepository } from '../../db/repositories/calibrations'
import { createPoliciesRepository } from '../../db/repositories/policies'
import { createResultsRepository } from '../../db/repositories/results'
import { createPrecedentsRepository } from '../../db/repositories/precedents'
import { createReviewQueueRepository } from '../../db/repositories/review-queue'
import { createReviewsRepository } from '../../db/repositories/reviews'
import { createTaxonomiesRepository } from '../../db/repositories/taxonomies'
import { createTenantsRepository } from '../../db/repositories/tenants'
import * as schema from '../../db/schema'
import {
  DEFAULT_POLICY,
  evaluateEquivalence,
  hashText,
  type EvaluateRequestInput,
  EvaluateRequestSchema,
} from '../../engine/index'
import { createTestDatabase, PG_SERVER_URL, type TestDatabase } from '../harness/postgres'

/**
 * The restore drill (DEPLOY.md §8), against the real Postgres with the real scripts:
 * seed tenants, keys, policies, a taxonomy, results with audit events, reviews and a batch job
 * through the repositories → scripts/backup.sh → DROP DATABASE → CREATE DATABASE (empty) →
 * scripts/restore.sh → every table has the same rows, the audit chains verify with the same head,
 * and the restored API keys still authenticate.
 */

const root = join(import.meta.dirname, '..', '..')
const run = promisify(execFile)
const SALT = 'restore-drill-salt-0123456789abcdef'
const REFERENCE_DATE = '2026-03-01'

async function script(name: string, args: string[], databaseUrl: string) {
  return run('bash', [join(root, 'scripts', name), ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
  })
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${PG_SERVER_URL}/postgres` })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Row count of every table outside the system schemas (drizzle's migration journal included). */
async function rowCounts(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    )
    const counts: Record<string, number> = {}
    for (const { name } of tables)
      counts[name] = Number((await client.query(`SELECT count(*) FROM ${name}`)).rows[0].count)
    return counts
  } finally {
    await client.end()
  }
}

const request = (n: number): EvaluateRequestInput => ({
  request_id: `drill-${n}`,
  origem: {
    nome: 'Cálculo Diferencial e Integral I',
    carga_horaria: 60 + n * 15,
    ementa:
      'Limites e continuidade. Derivadas e aplicações. Integral definida e indefinida. Teorema fundamental do cálculo.',
    ano_conclusao: 2020,
  },
  destino: {
    nome: 'Cálculo I',
    carga_horaria: 90,
    ementa: 'Limites. Continuidade. Derivadas. Regras de derivação. Integrais. Técnicas de integração.',
  },
})

/** Tenants, keys, versions, results with audit events, a review and a batch job, as the service writes them. */
async function seed(db: Database) {
  const tenants = createTenantsRepository(db)
  const keys = createApiKeysRepository(db, SALT)
  const audit = createAuditRepository(db)
  const results = createResultsRepository(db)
  const seeded: { tenantId: string; plaintextKey: string }[] = []

  for (const slug of ['univ-a', 'univ-b']) {
    const tenant = await tenants.create({ slug, name: `Universidade ${slug}` })
    const { key, plaintext } = await keys.create(tenant.id, { role: 'admin', name: 'drill admin' })
    await keys.create(tenant.id, { role: 'api-client', name: 'sig' })
    seeded.push({ tenantId: tenant.id, plaintextKey: plaintext })

    const policy = await createPoliciesRepository(db).create(tenant.id, {
      version: 'p-2026',
      config: DEFAULT_POLICY,
      isDefault: true,
    })
    await audit.append(tenant.id, {
      action: 'policy.created',
      actorKeyId: key.id,
      target: policy.id,
      payload: { version: 'p-2026' },
    })
    const taxonomies = createTaxonomiesRepository(db)
    const taxonomy = await taxonomies.createDraft(tenant.id, {
      version: 't-1',
      nodes: [
        {
          id: 'calc.limites',
          conceito: 'Limites',
          palavras_chave: ['limite', 'continuidade'],
          critico: true,
        },
        { id: 'calc.derivadas', conceito: 'Derivadas', palavras_chave: ['derivada', 'derivação'] },
        { id: 'calc.integrais', conceito: 'Integrais', palavras_chave: ['integral', 'integração'] },
      ],
    })
    await taxonomies.activate(tenant.id, taxonomy.id)
    await audit.append(tenant.id, { action: 'taxonomy.activated', actorKeyId: key.id, target: taxonomy.id })
    await createBindingsRepository(db).create(tenant.id, {
      courseId: 'MAT101',
      policyVersionId: policy.id,
      taxonomyVersionId: taxonomy.id,
      activeFrom: '2026-01-01',
    })

    const resultIds: string[] = []
    for (let n = 0; n < 4; n++) {
      const req = EvaluateRequestSchema.parse(request(n))
      const response = await evaluateEquivalence(req, {
        policy: DEFAULT_POLICY,
        policyVersion: 'p-2026',
        taxonomy: { version: 't-1', nodes: taxonomy.nodes },
        referenceDate: REFERENCE_DATE,
      })
      const { result } = await results.insertIdempotent(
        tenant.id,
        {
          requestId: req.request_id!,
          inputHash: hashText(JSON.stringify(req)),
          response: response as unknown as Record<string, unknown>,
          decisao: response.decisao,
          score: response.score,
          degraded: response.degraded_mode,
          courseId: 'MAT101',
          policyVersion: response.policy_version,
          taxonomyVersion: response.taxonomy_version,
          modelVersion: response.model_version,
        },
        { audit: { action: 'result.created', actorKeyId: key.id, payload: { decisao: response.decisao } } },
      )
      resultIds.push(result.id)
    }
    const review = await createReviewsRepository(db).create(tenant.id, {
      resultId: resultIds[0]!,
      reviewerKeyId: key.id,
      label: 'DEFERIDO',
    })
    // The review's precedent and a case taken from the queue (services/reviews.ts, the console).
    await createPrecedentsRepository(db).create(
      tenant.id,
      {
        originKey: 'drill|mat01|calculo',
        originSyllabusHash: 'drill-origin',
        targetKey: 'drill|calc1|calculo i',
        targetSyllabusHash: 'drill-target',
        decisao: 'DEFERIDO',
        resultId: resultIds[0]!,
        reviewId: review!.id,
        reviewerKeyId: key.id,
        policyVersion: 'p-2026',
        taxonomyVersion: 't-1',
        modelVersion: 'drill',
        validFrom: '2026-01-01',
      },
      key.id,
    )
    await createReviewQueueRepository(db).assign(tenant.id, resultIds[1]!, key.id, key.id)
    // A calibration proposal from the reviews (issue 13).
    await createCalibrationsRepository(db).create(tenant.id, {
      courseId: 'MAT101',
      basePolicyVersion: 'p-2026',
      params: { min_revisoes: 30 },
      thresholds: { score_deferido: 90, score_revisao: 20 },
      report: { revisoes: 1 },
    })

    const jobs = createJobsRepository(db)
    const jobItems = createJobItemsRepository(db)
    const { itemIds } = await jobs.create(tenant.id, {
      payloads: [request(10), request(11), request(12)] as Record<string, unknown>[],
      callbackUrl: null,
      createdByKeyId: key.id,
    })
    const claim = await jobItems.claim(itemIds[0]!, 60_000)
    if (!('claimed' in claim)) throw new Error(`could not claim: ${claim.skipped}`)
    await jobItems.recordFailure(claim.claimed, 'drill: transient failure')
    await jobItems.markDead(itemIds[1]!, 'drill: retries exhausted')
  }
  // The shared embedding cache has no repository of its own: the mapper writes it directly.
  await db
    .insert(schema.embeddingCache)
    .values({ textHash: 'drill', model: 'drill-model', vector: [0.25, -0.5, 1] })
  return seeded
}

// A ceiling for pg_dump/pg_restore child processes on a busy 2-core CI machine, not a measurement.
describe('restore drill', { timeout: 90_000 }, () => {
  let database: TestDatabase
  let workdir: string
  let seeded: Awaited<ReturnType<typeof seed>>

  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 2 })
    workdir = mkdtempSync(join(tmpdir(), 'ee-restore-drill-'))
    seeded = await seed(database.db)
  })
  afterAll(async () => {
    await database?.drop()
    if (workdir) rmSync(workdir, { recursive: true, force: true })
  })

  it('backs up, loses the database, restores it into an empty one, and nothing is missing', async () => {
    const before = await rowCounts(database.url)
    const chainsBefore = await Promise.all(seeded.map((t) => verifyAuditChain(database.db, t.tenantId)))
    // At least the six events seeded above (repositories may add their own, e.g. for a review).
    for (const chain of chainsBefore) {
      expect(chain.ok).toBe(true)
      expect(chain.checked).toBeGreaterThanOrEqual(6)
    }
    // Every table holds something, so "the same counts" cannot pass by being empty on both sides.
    for (const [table, count] of Object.entries(before)) expect(count, table).toBeGreaterThan(0)

    const file = join(workdir, 'drill.dump')
    const backup = await script('backup.sh', [file], database.url)
    expect(backup.stdout.trim()).toBe(file)
    // pg_dump must be at least the server's major version; the script prints both.
    const [, server, client] = /server (\d+), pg_dump (\d+)/.exec(backup.stderr) ?? []
    expect(Number(client)).toBeGreaterThanOrEqual(Number(server))

    // The bad day: the database is gone. An empty one of the same name takes its place.
    // (FORCE) also cuts the harness pool's idle connections; its error listener absorbs that.
    await admin(async (c) => {
      await c.query(`DROP DATABASE "${database.name}" WITH (FORCE)`)
      await c.query(`CREATE DATABASE "${database.name}"`)
    })
    expect(await rowCounts(database.url)).toEqual({})

    await script('restore.sh', [file], database.url)
    expect(await rowCounts(database.url)).toEqual(before)

    const pool = new pg.Pool({ connectionString: database.url, max: 2 })
    try {
      const restored = drizzle({ client: pool, schema }) as unknown as Database
      for (const [i, tenant] of seeded.entries()) {
        const chain = await verifyAuditChain(restored, tenant.tenantId)
        expect(chain).toEqual(chainsBefore[i])
        // Key hashes survived: the admin key still authenticates, under the same salt.
        const key = await createApiKeysRepository(restored, SALT).findActiveByKey(tenant.plaintextKey)
        expect(key?.tenant.id).toBe(tenant.tenantId)
        // The restored chain still takes appends.
        await createAuditRepository(restored).append(tenant.tenantId, { action: 'restore.verified' })
        expect(await verifyAuditChain(restored, tenant.tenantId)).toMatchObject({
          ok: true,
          checked: chainsBefore[i]!.checked + 1,
        })
      }
    } finally {
      await pool.end()
    }
  })

  it('refuses to restore over a database that is not empty, or from a file that is not an archive', async () => {
    const file = join(workdir, 'current.dump')
    await script('backup.sh', [file], database.url)
    await expect(script('restore.sh', [file], database.url)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('the target database is not empty'),
    })
    const junk = join(workdir, 'junk.dump')
    writeFileSync(junk, 'not a dump')
    await expect(script('restore.sh', [junk], database.url)).rejects.toMatchObject({
      stderr: expect.stringContaining('is not a pg_dump custom-format archive'),
    })
  })

  it('keeps daily, weekly and monthly archives with the configured retention', async () => {
    const dir = join(workdir, 'scheduled')
    for (const [sub, names] of Object.entries({
      daily: ['20200101T030000Z', '20200102T030000Z', '20200103T030000Z', '20200104T030000Z'],
      weekly: ['2020-W01', '2020-W02', '2020-W03'],
      monthly: ['2019-11', '2019-12', '2020-01'],
    })) {
      await run('mkdir', ['-p', join(dir, sub)])
      for (const name of names) writeFileSync(join(dir, sub, `equivalence-${name}.dump`), 'old')
    }
    await run('bash', [join(root, 'scripts', 'backup-schedule.sh'), '--once'], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        BACKUP_DIR: dir,
        BACKUP_KEEP_DAYS: '2',
        BACKUP_KEEP_WEEKS: '2',
        BACKUP_KEEP_MONTHS: '3',
      },
    })
    const list = (sub: string) => readdirSync(join(dir, sub)).sort()
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '')
    expect(list('daily')).toHaveLength(2)
    expect(list('daily')[0]).toBe('equivalence-20200104T030000Z.dump')
    expect(list('daily')[1]).toMatch(new RegExp(`^equivalence-${today}T\\d{6}Z\\.dump$`))
    expect(list('weekly')).toHaveLength(2)
    expect(list('weekly')[0]).toBe('equivalence-2020-W03.dump')
    expect(list('monthly')).toEqual([
      'equivalence-2019-12.dump',
      'equivalence-2020-01.dump',
      `equivalence-${today.slice(0, 4)}-${today.slice(4, 6)}.dump`,
    ])
    // The new weekly and monthly entries are the new daily dump itself (hard links), and it restores.
    const { stdout } = await run('pg_restore', ['--list', join(dir, 'monthly', list('monthly')[2]!)])
    expect(stdout).toContain('TABLE DATA public audit_events')
  })
})
