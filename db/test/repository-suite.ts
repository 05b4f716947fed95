import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZodError } from 'zod'
import { DEFAULT_POLICY } from '../../engine'
import { hashApiKey } from '../api-key-hash'
import type { Database } from '../client'
import { DataError } from '../errors'
import {
  createRepositories,
  findKeyForAuth,
  type ClaimedItem,
  type NewResult,
  type Repositories,
} from '../repositories'
import { auditEvents, jobItems, jobs } from '../schema'
import { withTransaction } from '../transaction'

/**
 * The repository behaviour every driver must have. Each driver's test file calls this with a way to
 * open its database; the same assertions then hold for node-postgres, Neon (WebSocket + HTTP) and
 * PGlite.
 */

export const SALT = 'test-salt-0123456789abcdef'

export interface SuiteDatabase {
  db: Database
  close(): Promise<void>
}

export function newResult(overrides: Partial<NewResult> = {}): NewResult {
  return {
    requestId: randomUUID(),
    inputHash: 'a'.repeat(64),
    response: { decisao: 'DEFERIDO', score: 82.5, faltantes: [] },
    decisao: 'DEFERIDO',
    score: 82.5,
    degraded: false,
    courseId: 'MAT101',
    policyVersion: 'p1',
    taxonomyVersion: null,
    modelVersion: 'lexical-1',
    ...overrides,
  }
}

/** What the worker stores for a finished batch item (request id `batch:<job>:<idx>`, as the worker names it). */
export function itemResult(item: Pick<ClaimedItem, 'jobId' | 'idx'>, decisao: NewResult['decisao'] = 'INDEFERIDO'): NewResult {
  return {
    requestId: `batch:${item.jobId}:${item.idx}`,
    inputHash: 'b'.repeat(64),
    courseId: null,
    response: { decisao, score: 20, degraded_mode: false, policy_version: 'p1', taxonomy_version: null, model_version: 'lexical-1' },
    decisao,
    score: 20,
    degraded: false,
    policyVersion: 'p1',
    taxonomyVersion: null,
    modelVersion: 'lexical-1',
    simulation: false,
  }
}

export const demoNodes = [
  { id: 'calc.limites', conceito: 'Limites', palavras_chave: ['limite', 'continuidade'], critico: true },
  { id: 'calc.derivadas', area: 'Matemática', conceito: 'Derivadas', nivel: 1 },
  { id: 'calc.integrais', conceito: 'Integrais', nivel: 'graduacao' },
]

export function repositorySuite(open: () => Promise<SuiteDatabase>) {
  let handle: SuiteDatabase
  let repos: Repositories
  let db: Database

  beforeAll(async () => {
    handle = await open()
    db = handle.db
    repos = createRepositories(db, { apiKeySalt: SALT })
  })
  afterAll(async () => {
    await handle?.close()
  })

  const newTenant = (name = 'Universidade') =>
    repos.tenants.create({ slug: `t-${randomUUID().slice(0, 8)}`, name })

  describe('tenants', () => {
    it('creates, reads by id and slug, changes status and rate limits', async () => {
      const tenant = await newTenant()
      expect(tenant.status).toBe('active')
      expect(await repos.tenants.get(tenant.id)).toMatchObject({ slug: tenant.slug })
      expect(await repos.tenants.getBySlug(tenant.slug)).toMatchObject({ id: tenant.id })
      expect(await repos.tenants.setStatus(tenant.id, 'disabled')).toMatchObject({ status: 'disabled' })
      expect(await repos.tenants.setRateLimits(tenant.id, { requests: 10 })).toMatchObject({
        rateLimits: { requests: 10 },
      })
    })

    it('refuses a second tenant with the same slug, and answers null for unknown or malformed ids', async () => {
      const tenant = await newTenant()
      await expect(repos.tenants.create({ slug: tenant.slug, name: 'x' })).rejects.toMatchObject({
        code: 'CONFLICT',
      })
      expect(await repos.tenants.get(randomUUID())).toBeNull()
      expect(await repos.tenants.get('not-a-uuid')).toBeNull()
      expect(await repos.tenants.setStatus('not-a-uuid', 'disabled')).toBeNull()
    })
  })

  describe('api keys', () => {
    it('returns the plaintext once, stores only its HMAC, and authenticates by it', async () => {
      const tenant = await newTenant()
      const { key, plaintext } = await repos.apiKeys.create(tenant.id, { role: 'api-client', name: 'sig' })
      expect(plaintext).toMatch(/^ee_[A-Za-z0-9_-]{43}$/)
      expect(key).not.toHaveProperty('keyHash')
      expect(plaintext.startsWith(key.prefix)).toBe(true)
      const found = await repos.apiKeys.findActiveByHash(await hashApiKey(plaintext, SALT))
      expect(found).toMatchObject({
        key: { id: key.id, role: 'api-client' },
        tenant: { id: tenant.id, status: 'active' },
      })
      expect(await repos.apiKeys.findActiveByKey(plaintext)).toMatchObject({ key: { id: key.id } })
      expect(await repos.apiKeys.findActiveByKey(`${plaintext}x`)).toBeNull()
    })

    it('reports a disabled tenant with its key, and hides expired and revoked keys', async () => {
      const tenant = await newTenant()
      const live = await repos.apiKeys.create(tenant.id, { role: 'admin' })
      const expiresAt = new Date(Date.now() - 1000)
      const expired = await repos.apiKeys.create(tenant.id, { role: 'admin', expiresAt })
      expect(await repos.apiKeys.findActiveByKey(expired.plaintext)).toBeNull()
      // The look-up the API uses returns the record as it is (the edge rejects it): expiry and all.
      const hashOf = (plaintext: string) => hashApiKey(plaintext, SALT)
      expect(await findKeyForAuth(db, await hashOf(expired.plaintext))).toMatchObject({
        key: { id: expired.key.id, status: 'active', expiresAt },
        keyHash: await hashOf(expired.plaintext),
      })
      await repos.tenants.setStatus(tenant.id, 'disabled')
      expect(await repos.apiKeys.findActiveByKey(live.plaintext)).toMatchObject({
        tenant: { status: 'disabled' },
      })
      expect(await findKeyForAuth(db, await hashOf(live.plaintext))).toMatchObject({ tenant: { id: tenant.id, status: 'disabled' } })
      expect(await repos.apiKeys.revoke(tenant.id, live.key.id)).toMatchObject({ status: 'revoked' })
      expect(await repos.apiKeys.findActiveByKey(live.plaintext)).toBeNull()
      expect(await findKeyForAuth(db, await hashOf(live.plaintext))).toMatchObject({ key: { id: live.key.id, status: 'revoked' } })
      expect(await findKeyForAuth(db, await hashOf(`${live.plaintext}x`))).toBeNull()
    })

    it('rotates: the old key stops working, the new one has the same role and name', async () => {
      const tenant = await newTenant()
      const old = await repos.apiKeys.create(tenant.id, { role: 'auditor', name: 'painel' })
      const rotated = await repos.apiKeys.rotate(tenant.id, old.key.id)
      expect(rotated).toMatchObject({
        revoked: { id: old.key.id, status: 'revoked' },
        key: { role: 'auditor', name: 'painel' },
      })
      expect(await repos.apiKeys.findActiveByKey(old.plaintext)).toBeNull()
      expect(await repos.apiKeys.findActiveByKey(rotated!.plaintext)).toMatchObject({
        key: { id: rotated!.key.id },
      })
      // A revoked key cannot be rotated again.
      expect(await repos.apiKeys.rotate(tenant.id, old.key.id)).toBeNull()
    })

    it('lists newest first with a cursor, and rejects a forged cursor', async () => {
      const tenant = await newTenant()
      const created = []
      for (const role of ['admin', 'auditor', 'api-client'] as const) {
        created.push((await repos.apiKeys.create(tenant.id, { role })).key.id)
      }
      const first = await repos.apiKeys.list(tenant.id, { limit: 2 })
      expect(first.items.map((k) => k.id)).toEqual([created[2], created[1]])
      const second = await repos.apiKeys.list(tenant.id, { limit: 2, cursor: first.nextCursor! })
      expect(second).toEqual({ items: [expect.objectContaining({ id: created[0] })], nextCursor: null })
      await expect(repos.apiKeys.list(tenant.id, { cursor: 'bm9wZQ' })).rejects.toMatchObject({
        code: 'INVALID_CURSOR',
      })
    })

    it('records the last use, at most once a minute', async () => {
      const tenant = await newTenant()
      const { key } = await repos.apiKeys.create(tenant.id, { role: 'admin' })
      const at = new Date('2030-01-01T00:00:00.000Z')
      await repos.apiKeys.touchLastUsed(tenant.id, key.id, at)
      await repos.apiKeys.touchLastUsed(tenant.id, key.id, new Date(at.getTime() + 30_000))
      expect((await repos.apiKeys.get(tenant.id, key.id))?.lastUsedAt).toEqual(at)
      const later = new Date(at.getTime() + 120_000)
      await repos.apiKeys.touchLastUsed(tenant.id, key.id, later)
      expect((await repos.apiKeys.get(tenant.id, key.id))?.lastUsedAt).toEqual(later)
    })
  })

  describe('taxonomies', () => {
    it('stores a draft with its nodes (engine defaults filled in, order kept) and reads it back', async () => {
      const tenant = await newTenant()
      const draft = await repos.taxonomies.createDraft(tenant.id, { version: 'tax-2026.1', nodes: demoNodes })
      expect(draft.status).toBe('draft')
      const stored = await repos.taxonomies.get(tenant.id, draft.id)
      expect(stored?.nodes).toEqual([
        {
          id: 'calc.limites',
          area: '',
          subarea: '',
          conceito: 'Limites',
          descricao: '',
          palavras_chave: ['limite', 'continuidade'],
          nivel: null,
          critico: true,
        },
        expect.objectContaining({ id: 'calc.derivadas', area: 'Matemática', nivel: 1, critico: false }),
        expect.objectContaining({ id: 'calc.integrais', nivel: 'graduacao' }),
      ])
      expect(await repos.taxonomies.getByVersion(tenant.id, 'tax-2026.1')).toMatchObject({ id: draft.id })
    })

    it('moves draft → active → deprecated and refuses moves that make no sense', async () => {
      const tenant = await newTenant()
      const draft = await repos.taxonomies.createDraft(tenant.id, { version: 'v1', nodes: demoNodes })
      expect(await repos.taxonomies.activate(tenant.id, draft.id)).toMatchObject({ status: 'active' })
      await expect(repos.taxonomies.activate(tenant.id, draft.id)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      })
      expect(await repos.taxonomies.deprecate(tenant.id, draft.id)).toMatchObject({ status: 'deprecated' })
      expect(await repos.taxonomies.activate(tenant.id, randomUUID())).toBeNull()
    })

    it('keeps node ids unique per version only, and refuses duplicates within one', async () => {
      const tenant = await newTenant()
      await repos.taxonomies.createDraft(tenant.id, { version: 'v1', nodes: demoNodes })
      await repos.taxonomies.createDraft(tenant.id, { version: 'v2', nodes: demoNodes })
      await expect(
        repos.taxonomies.createDraft(tenant.id, { version: 'v1', nodes: [] }),
      ).rejects.toMatchObject({
        code: 'CONFLICT',
      })
      await expect(
        repos.taxonomies.createDraft(tenant.id, { version: 'v3', nodes: [demoNodes[0]!, demoNodes[0]!] }),
      ).rejects.toBeInstanceOf(ZodError)
      expect(await repos.taxonomies.getByVersion(tenant.id, 'v3')).toBeNull()
      const list = await repos.taxonomies.list(tenant.id)
      expect(list.map((t) => [t.version, t.nodeCount])).toEqual([
        ['v2', 3],
        ['v1', 3],
      ])
    })
  })

  describe('policies', () => {
    it('validates with the engine schema and stores the complete policy', async () => {
      const tenant = await newTenant()
      const policy = await repos.policies.create(tenant.id, {
        version: 'p1',
        config: { cobertura_minima: 0.8 },
      })
      expect(policy.config).toEqual({ ...DEFAULT_POLICY, cobertura_minima: 0.8 })
      expect(await repos.policies.get(tenant.id, policy.id)).toMatchObject({
        version: 'p1',
        config: policy.config,
      })
      await expect(
        repos.policies.create(tenant.id, { version: 'p2', config: { cobertura_minima: 3 } as never }),
      ).rejects.toBeInstanceOf(ZodError)
      await expect(repos.policies.create(tenant.id, { version: 'p1', config: {} })).rejects.toMatchObject({
        code: 'CONFLICT',
      })
    })

    it('keeps exactly one default', async () => {
      const tenant = await newTenant()
      expect(await repos.policies.getDefault(tenant.id)).toBeNull()
      const a = await repos.policies.create(tenant.id, { version: 'a', config: {}, isDefault: true })
      const b = await repos.policies.create(tenant.id, { version: 'b', config: {}, isDefault: true })
      expect((await repos.policies.getDefault(tenant.id))?.id).toBe(b.id)
      expect(await repos.policies.setDefault(tenant.id, a.id)).toMatchObject({ id: a.id, isDefault: true })
      expect((await repos.policies.getDefault(tenant.id))?.id).toBe(a.id)
      expect((await repos.policies.list(tenant.id)).filter((p) => p.isDefault)).toHaveLength(1)
      expect(await repos.policies.getByVersion(tenant.id, 'b')).toMatchObject({ id: b.id, isDefault: false })
    })
  })

  describe('course bindings', () => {
    it('resolves the binding in force at a reference date', async () => {
      const tenant = await newTenant()
      const p1 = await repos.policies.create(tenant.id, { version: 'p1', config: {} })
      const p2 = await repos.policies.create(tenant.id, { version: 'p2', config: { score_deferido: 80 } })
      const tax = await repos.taxonomies.createDraft(tenant.id, { version: 't1', nodes: demoNodes })
      await repos.bindings.create(tenant.id, {
        courseId: 'MAT101',
        policyVersionId: p1.id,
        activeFrom: '2024-01-01',
      })
      await repos.bindings.create(tenant.id, {
        courseId: 'MAT101',
        policyVersionId: p2.id,
        taxonomyVersionId: tax.id,
        activeFrom: '2025-08-01',
      })
      expect(await repos.bindings.resolve(tenant.id, 'MAT101', '2023-12-31')).toBeNull()
      expect(await repos.bindings.resolve(tenant.id, 'MAT101', '2025-07-31')).toMatchObject({
        policy: { version: 'p1' },
        taxonomy: null,
      })
      expect(await repos.bindings.resolve(tenant.id, 'MAT101', '2025-08-01')).toMatchObject({
        policy: { version: 'p2', config: { score_deferido: 80 } },
        taxonomy: { version: 't1' },
      })
      expect(await repos.bindings.resolve(tenant.id, 'MAT101', 'amanhã')).toBeNull()
      expect((await repos.bindings.list(tenant.id, 'MAT101')).map((b) => b.activeFrom)).toEqual([
        '2025-08-01',
        '2024-01-01',
      ])
      await expect(
        repos.bindings.create(tenant.id, {
          courseId: 'MAT101',
          policyVersionId: p1.id,
          activeFrom: '2024-01-01',
        }),
      ).rejects.toMatchObject({ code: 'CONFLICT' })
      await expect(
        repos.bindings.create(tenant.id, {
          courseId: 'X',
          policyVersionId: randomUUID(),
          activeFrom: '2024-01-01',
        }),
      ).rejects.toMatchObject({ code: 'INVALID_STATE' })
    })
  })

  describe('results', () => {
    it('stores a result once per request id and hands the stored one back to a repeat', async () => {
      const tenant = await newTenant()
      const input = newResult()
      const first = await repos.results.insertIdempotent(tenant.id, input)
      expect(first.created).toBe(true)
      const again = await repos.results.insertIdempotent(tenant.id, {
        ...input,
        inputHash: 'b'.repeat(64),
        score: 1,
      })
      expect(again).toEqual({ created: false, result: first.result })
      // Stored as written: the keys come back in the order they were sent (jsonb would sort them).
      expect(JSON.stringify((await repos.results.get(tenant.id, first.result.id))!.response)).toBe(JSON.stringify(input.response))
      expect(await repos.results.get(tenant.id, first.result.id)).toEqual(first.result)
      expect(await repos.results.getByRequestId(tenant.id, input.requestId)).toEqual(first.result)
      expect(await repos.results.get(tenant.id, 'nope')).toBeNull()
    })

    it('writes the audit event with the result, in one transaction, only when it is created', async () => {
      const tenant = await newTenant()
      const input = newResult()
      const audit = { action: 'result.created', payload: { decisao: 'DEFERIDO' } }
      const { result } = await repos.results.insertIdempotent(tenant.id, input, { audit })
      await repos.results.insertIdempotent(tenant.id, input, { audit })
      const events = await repos.audit.list(tenant.id)
      expect(events.items).toEqual([
        expect.objectContaining({ seq: 1, action: 'result.created', target: result.id }),
      ])
    })

    it('shares one statement among concurrent audited inserts, answering with exactly what it stored', async () => {
      const [a, b] = [await newTenant(), await newTenant()]
      const inputs = Array.from({ length: 30 }, (_, i) => ({
        tenantId: i % 3 === 0 ? b.id : a.id,
        input: newResult({ courseId: i % 2 ? null : 'MAT101', degraded: undefined, simulation: i === 7 }),
      }))
      const answers = await Promise.all(
        inputs.map(({ tenantId, input }) =>
          repos.results.insertIdempotent(tenantId, input, {
            audit: { action: 'result.created', payload: { request_id: input.requestId } },
          }),
        ),
      )
      expect(answers.every((x) => x.created)).toBe(true)
      // A shared statement gives its rows one timestamp; row-by-row fallbacks would give 30.
      expect(new Set(answers.map((x) => x.result.createdAt.getTime())).size).toBeLessThan(10)
      for (const [i, { result }] of answers.entries()) {
        const stored = await repos.results.get(inputs[i]!.tenantId, result.id)
        expect(stored).toEqual(result)
        expect(JSON.stringify(stored!.response)).toBe(JSON.stringify(inputs[i]!.input.response))
      }
      for (const tenant of [a, b]) {
        const events = await repos.audit.list(tenant.id, { limit: 100 })
        const mine = answers.filter((_, i) => inputs[i]!.tenantId === tenant.id).map((x) => x.result.id)
        expect(events.items.map((e) => e.target).sort()).toEqual([...mine].sort())
        expect(events.items.map((e) => e.seq).sort((x, y) => x - y)).toEqual(mine.map((_, i) => i + 1))
        expect(await repos.audit.verifyChain(tenant.id)).toMatchObject({ ok: true, checked: mine.length })
      }
    })

    it('lists with filters and pages through ties on created_at without loss or repeats', async () => {
      const tenant = await newTenant()
      // One transaction: now() is the same for every row, so only the id orders them.
      await withTransaction(db, async (tx) => {
        const inTx = createRepositories(tx, { apiKeySalt: SALT }).results
        for (let i = 0; i < 7; i++) {
          await inTx.insertIdempotent(
            tenant.id,
            newResult({
              decisao: i % 2 ? 'INDEFERIDO' : 'DEFERIDO',
              degraded: i === 3,
              courseId: i < 4 ? 'MAT101' : 'FIS101',
            }),
          )
        }
      })
      const seen: string[] = []
      let cursor: string | undefined
      do {
        const page = await repos.results.list(tenant.id, {}, { limit: 3, cursor })
        expect(page.items.length).toBeLessThanOrEqual(3)
        seen.push(...page.items.map((r) => r.id))
        cursor = page.nextCursor ?? undefined
      } while (cursor)
      expect(new Set(seen).size).toBe(7)
      expect(seen).toEqual([...seen].sort().reverse())

      expect((await repos.results.list(tenant.id, { decisao: 'INDEFERIDO' })).items).toHaveLength(3)
      expect((await repos.results.list(tenant.id, { degraded: true })).items).toHaveLength(1)
      expect((await repos.results.list(tenant.id, { courseId: 'FIS101' })).items).toHaveLength(3)
      expect(await repos.results.count(tenant.id, { courseId: 'MAT101', decisao: 'DEFERIDO' })).toBe(2)
      expect(await repos.results.count(tenant.id, { from: new Date(Date.now() + 60_000) })).toBe(0)
      expect(await repos.results.count(tenant.id, { to: new Date(Date.now() + 60_000) })).toBe(7)
    })
  })

  describe('reviews', () => {
    it('labels a result and lists its reviews', async () => {
      const tenant = await newTenant()
      const { key } = await repos.apiKeys.create(tenant.id, { role: 'auditor' })
      const { result } = await repos.results.insertIdempotent(
        tenant.id,
        newResult({ decisao: 'ANALISE_HUMANA' }),
      )
      const review = await repos.reviews.create(tenant.id, {
        resultId: result.id,
        reviewerKeyId: key.id,
        label: 'DEFERIDO',
        notes: 'ementas equivalentes',
      })
      expect(review).toMatchObject({ resultId: result.id, reviewerKeyId: key.id, label: 'DEFERIDO' })
      expect(await repos.reviews.listByResult(tenant.id, result.id)).toEqual([review])
      expect(
        await repos.reviews.create(tenant.id, { resultId: randomUUID(), label: 'INDEFERIDO' }),
      ).toBeNull()
    })
  })

  describe('jobs', () => {
    const create = (tenantId: string, count: number, callbackUrl: string | null = null) =>
      repos.jobs.create(tenantId, {
        payloads: Array.from({ length: count }, (_, n) => ({ n })),
        callbackUrl,
        createdByKeyId: null,
      })
    /** Lets the worker holding `itemId` "die": its lease lies in the past. */
    const expireLease = (itemId: string) =>
      db
        .update(jobItems)
        .set({ leaseUntil: sql`now() - interval '1 minute'` })
        .where(eq(jobItems.id, itemId))

    it('creates a job with its items (audited) and pages through them by index', async () => {
      const tenant = await newTenant()
      const { job, itemIds } = await create(tenant.id, 5, 'https://sig.example.edu/hook')
      expect(job).toMatchObject({
        status: 'queued',
        total: 5,
        done: 0,
        failed: 0,
        callbackUrl: 'https://sig.example.edu/hook',
      })
      expect(itemIds).toHaveLength(5)
      expect(await repos.jobs.get(tenant.id, job.id)).toEqual(job)
      const first = await repos.jobItems.listItems(tenant.id, job.id, { limit: 3 })
      expect(first.map((i) => [i.idx, i.id, i.status, i.attempts, i.response])).toEqual(
        [0, 1, 2].map((idx) => [idx, itemIds[idx], 'queued', 0, null]),
      )
      const rest = await repos.jobItems.listItems(tenant.id, job.id, { afterIdx: 2, limit: 3 })
      expect(rest.map((i) => i.idx)).toEqual([3, 4])
      expect(await repos.jobItems.listItems(tenant.id, job.id, { afterIdx: 4 })).toEqual([])
      const [created] = (await repos.audit.list(tenant.id)).items
      expect(created).toMatchObject({
        action: 'job.created',
        target: job.id,
        payload: { total: 5, callback: true },
      })
      // Malformed ids are "not found", never a database error.
      expect(await repos.jobs.get(tenant.id, 'not-a-uuid')).toBeNull()
      expect(await repos.jobItems.listItems(tenant.id, 'not-a-uuid')).toEqual([])
      expect(await repos.jobItems.claim('not-a-uuid', 60_000)).toEqual({ skipped: 'missing' })
      expect(await repos.jobItems.claim(randomUUID(), 60_000)).toEqual({ skipped: 'missing' })
    })

    it('backs off a failing callback (doubling, capped) and hands out the soonest due first', async () => {
      const tenant = await newTenant()
      const made = await Promise.all(
        [1, 2, 3].map(() => create(tenant.id, 1, 'https://sig.example.edu/hook')),
      )
      const [a, b, c] = made.map((m) => m.job.id) as [string, string, string]
      await db
        .update(jobs)
        .set({ status: 'completed', completedAt: sql`now()` })
        .where(sql`${jobs.id} IN (${a}, ${b}, ${c})`)
      const dueIn = async (id: string) => {
        const [row] = await db
          .select({
            failures: jobs.callbackFailures,
            seconds: sql<number>`extract(epoch FROM ${jobs.callbackNextAt} - now())::float8`,
          })
          .from(jobs)
          .where(eq(jobs.id, id))
        return row!
      }
      for (let i = 0; i < 3; i++) await repos.jobs.markCallbackFailed(a)
      expect(await dueIn(a)).toMatchObject({ failures: 3, seconds: expect.closeTo(240, -1) })
      await repos.jobs.markCallbackFailed(a, { baseMs: 60_000, maxMs: 90_000 })
      expect(await dueIn(a)).toMatchObject({ failures: 4, seconds: expect.closeTo(90, -1) })

      // Due: c (never tried) first, then the one overdue longest.
      await db
        .update(jobs)
        .set({ callbackNextAt: sql`now() - interval '10 minutes'` })
        .where(eq(jobs.id, a))
      await db
        .update(jobs)
        .set({ callbackNextAt: sql`now() - interval '1 minute'` })
        .where(eq(jobs.id, b))
      const pending = (await repos.jobs.pendingCallbacks(1000))
        .map((j) => j.id)
        .filter((id) => [a, b, c].includes(id))
      expect(pending).toEqual([c, a, b])
      await repos.jobs.markCallbackSent(a)
      expect(await dueIn(a)).toMatchObject({ failures: 4, seconds: null })
      await repos.jobs.markCallbackFailed(a)
      expect(await dueIn(a)).toMatchObject({ failures: 4, seconds: null })
    })

    it('reports how long the oldest waiting item has waited', async () => {
      const tenant = await newTenant()
      const { itemIds } = await create(tenant.id, 2)
      await db.update(jobItems).set({ createdAt: sql`now() - interval '2 hours'` }).where(eq(jobItems.id, itemIds[0]!))
      expect(await repos.jobItems.oldestWaitingSeconds()).toBeGreaterThanOrEqual(7200)
      const [claimed] = await repos.jobItems.claimMany([itemIds[0]!], 60_000)
      await repos.jobItems.complete(claimed!, itemResult(claimed!))
      expect(await repos.jobItems.oldestWaitingSeconds()).toBeLessThan(7200)
    })

    it('runs an item through claim → fail → claim → complete, once', async () => {
      const tenant = await newTenant()
      const { job, itemIds } = await create(tenant.id, 2, 'https://sig.example.edu/hook')
      const [first, second] = itemIds as [string, string]

      const claimed = await repos.jobItems.claim(first, 60_000)
      expect(claimed).toEqual({
        claimed: { id: first, jobId: job.id, tenantId: tenant.id, idx: 0, payload: { n: 0 }, attempts: 1 },
      })
      const firstClaim = (claimed as { claimed: ClaimedItem }).claimed
      expect(await repos.jobs.get(tenant.id, job.id)).toMatchObject({ status: 'running' })
      // A second delivery while the lease holds gets nothing.
      expect(await repos.jobItems.claim(first, 60_000)).toEqual({ skipped: 'leased' })
      await repos.jobItems.recordFailure(firstClaim, 'timeout')
      expect((await repos.jobItems.listItems(tenant.id, job.id))[0]).toMatchObject({
        status: 'failed',
        lastError: 'timeout',
      })

      const { claimed: secondClaim } = (await repos.jobItems.claim(first, 60_000)) as { claimed: ClaimedItem }
      expect(secondClaim.attempts).toBe(2)
      // The first holder's late failure or success no longer counts (attempts is the fencing token).
      await repos.jobItems.recordFailure(firstClaim, 'late')
      expect(await repos.jobItems.complete(firstClaim, itemResult(firstClaim))).toEqual({
        settled: false,
        finishedJob: null,
      })
      expect(await repos.jobItems.complete(secondClaim, itemResult(secondClaim))).toEqual({
        settled: true,
        finishedJob: null,
      })
      expect(await repos.jobItems.complete(secondClaim, itemResult(secondClaim))).toEqual({
        settled: false,
        finishedJob: null,
      })
      expect(await repos.jobItems.claim(first, 60_000)).toEqual({ skipped: 'done' })
      expect(await repos.jobs.get(tenant.id, job.id)).toMatchObject({ done: 1, failed: 0, status: 'running' })
      const [done] = await repos.jobItems.listItems(tenant.id, job.id)
      expect(done).toMatchObject({
        status: 'done',
        attempts: 2,
        lastError: null,
        response: { decisao: 'INDEFERIDO' },
      })
      expect(await repos.results.getByRequestId(tenant.id, `batch:${job.id}:0`)).toMatchObject({
        decisao: 'INDEFERIDO',
      })

      // A delivery still under a live lease is not killed; once released, retries exhausted → dead.
      const { claimed: other } = (await repos.jobItems.claim(second, 60_000)) as { claimed: ClaimedItem }
      expect(await repos.jobItems.markDead(second, 'bad payload')).toEqual({ dead: false, finishedJob: null })
      await repos.jobItems.recordFailure(other, 'bad payload')
      const finished = { id: job.id, tenantId: tenant.id, callbackUrl: 'https://sig.example.edu/hook' }
      expect(await repos.jobItems.markDead(second, 'bad payload')).toEqual({ dead: true, finishedJob: finished })
      expect(await repos.jobItems.markDead(second, 'bad payload')).toEqual({ dead: false, finishedJob: null })
      expect(await repos.jobItems.claim(second, 60_000)).toEqual({ skipped: 'dead' })
      expect(await repos.jobs.get(tenant.id, job.id)).toMatchObject({
        done: 1,
        failed: 1,
        status: 'completed',
      })
      expect((await repos.jobs.getById(job.id))?.completedAt).toBeInstanceOf(Date)
      expect(await repos.jobItems.listDead(tenant.id, { jobId: job.id, limit: 10 })).toMatchObject([
        { id: second, status: 'dead', lastError: 'bad payload' },
      ])

      // The callback is pending until sent; a failed delivery run puts it off for its back-off.
      expect(await repos.jobs.pendingCallbacks(1000)).toContainEqual(finished)
      await repos.jobs.markCallbackFailed(job.id)
      expect(await repos.jobs.pendingCallbacks(1000)).not.toContainEqual(finished)
      await repos.jobs.markCallbackFailed(job.id, { baseMs: 0, maxMs: 0 })
      expect(await repos.jobs.pendingCallbacks(1000)).toContainEqual(finished)
      await repos.jobs.markCallbackSent(job.id)
      expect(await repos.jobs.pendingCallbacks(1000)).not.toContainEqual(finished)

      // An admin requeues the dead item: the job reopens, and finishing it completes the job again.
      expect(await repos.jobItems.requeueDead(tenant.id, { jobId: job.id, itemId: first })).toEqual([])
      expect(await repos.jobItems.requeueDead(tenant.id, { jobId: job.id }, null)).toEqual([second])
      expect(await repos.jobs.get(tenant.id, job.id)).toMatchObject({
        failed: 0,
        status: 'running',
        completedAt: null,
        callbackSentAt: null,
      })
      expect((await repos.audit.list(tenant.id)).items[0]).toMatchObject({
        action: 'job.requeued',
        target: job.id,
      })
      const { claimed: again } = (await repos.jobItems.claim(second, 60_000)) as { claimed: ClaimedItem }
      expect(again.attempts).toBe(1)
      expect(await repos.jobItems.complete(again, itemResult(again))).toEqual({
        settled: true,
        finishedJob: finished,
      })
      expect(await repos.jobs.get(tenant.id, job.id)).toMatchObject({
        done: 2,
        failed: 0,
        status: 'completed',
      })
      expect((await repos.jobItems.listItems(tenant.id, job.id)).map((i) => i.status)).toEqual(['done', 'done'])
    })

    it('claims and completes many items in one statement each', async () => {
      const tenant = await newTenant()
      const { job, itemIds } = await create(tenant.id, 3)
      const held = await repos.jobItems.claimMany([itemIds[0]!], 60_000)
      const claimed = await repos.jobItems.claimMany([...itemIds, 'not-a-uuid', randomUUID()], 60_000)
      expect(claimed.map((c) => c.idx).sort()).toEqual([1, 2])
      const { settledIds, finishedJobs } = await repos.jobItems.completeMany(
        [...held, ...claimed].map((item) => ({ item, result: itemResult(item) })),
      )
      expect([...settledIds].sort()).toEqual([...itemIds].sort())
      expect(finishedJobs).toEqual([{ id: job.id, tenantId: tenant.id, callbackUrl: null }])
      expect(await repos.jobs.get(tenant.id, job.id)).toMatchObject({ done: 3, status: 'completed' })

      // Every stored result is audited like an evaluation's, with its job and position; a repeat
      // completion (claim lost) stores nothing and audits nothing.
      const items = await db
        .select({ idx: jobItems.idx, resultId: jobItems.resultId })
        .from(jobItems)
        .where(eq(jobItems.jobId, job.id))
      const again = await repos.jobItems.completeMany(claimed.map((item) => ({ item, result: itemResult(item) })))
      expect(again.settledIds.size).toBe(0)
      const events = (await repos.audit.list(tenant.id, { action: 'result.created' })).items
      expect(events.map((e) => e.target).sort()).toEqual(items.map((i) => i.resultId).sort())
      for (const item of items) {
        expect(events.find((e) => e.target === item.resultId)?.payload).toMatchObject({
          job_id: job.id,
          idx: item.idx,
          request_id: `batch:${job.id}:${item.idx}`,
        })
      }
      expect(await repos.audit.verifyChain(tenant.id)).toMatchObject({ ok: true, checked: 4 })
    })

    it('lets an item whose lease ran out be claimed again, and sweeps stale items', async () => {
      const tenant = await newTenant()
      const { job, itemIds } = await create(tenant.id, 4)
      const [stale, fresh, exhausted, lost] = itemIds as [string, string, string, string]
      await repos.jobItems.claimMany([stale, fresh, exhausted], 60_000)
      await expireLease(stale)
      expect(await repos.jobItems.claim(stale, 60_000)).toMatchObject({ claimed: { attempts: 2 } })
      expect(await repos.jobItems.claim(fresh, 60_000)).toEqual({ skipped: 'leased' })

      // The sweeper: `stale`'s holder died again, `exhausted` used its last claim, `lost`'s message was lost.
      await expireLease(stale)
      await expireLease(exhausted)
      await db.update(jobItems).set({ attempts: 5 }).where(eq(jobItems.id, exhausted))
      await db
        .update(jobItems)
        .set({ updatedAt: sql`now() - interval '1 hour'` })
        .where(eq(jobItems.id, lost))
      const depth = await repos.jobItems.queueDepth()
      expect(depth.running).toBeGreaterThanOrEqual(3)
      const swept = await repos.jobItems.sweepStale({ staleMs: 15 * 60_000, maxAttempts: 5, limit: 1000 })
      const mine = swept.redispatch.filter((r) => itemIds.includes(r.id))
      expect(mine.sort((a, b) => a.attempts - b.attempts)).toEqual([
        // The tenant travels with each re-dispatch: its QStash failure callback names it.
        { id: lost, attempts: 0, tenant_id: tenant.id },
        { id: stale, attempts: 2, tenant_id: tenant.id },
      ])
      expect(swept.dead).toBe(1)
      expect((await repos.jobItems.listItems(tenant.id, job.id)).map((i) => [i.status, i.lastError])).toEqual([
        ['failed', 'lease expired (worker crashed or timed out)'],
        ['running', null],
        ['dead', 'lease expired after 5 attempts (worker crashed or timed out)'],
        ['queued', null],
      ])
      expect(await repos.jobs.get(tenant.id, job.id)).toMatchObject({ failed: 1, status: 'running' })
      // A second pass finds nothing new of this job.
      const again = await repos.jobItems.sweepStale({ staleMs: 15 * 60_000, maxAttempts: 5, limit: 1000 })
      expect(again.redispatch.filter((r) => itemIds.includes(r.id))).toEqual([])

      // The others settle without completing the job (as after a crash): the sweeper completes it.
      for (const id of [stale, fresh, lost]) {
        await expireLease(id)
        const { claimed } = (await repos.jobItems.claim(id, 60_000)) as { claimed: ClaimedItem }
        await db.execute(
          sql`UPDATE job_items SET status = 'done', lease_until = NULL WHERE id = ${claimed.id}`,
        )
      }
      await db.execute(sql`UPDATE jobs SET done = 3 WHERE id = ${job.id}`)
      expect(await repos.jobs.completeSettledJobs()).toContainEqual({
        id: job.id,
        tenantId: tenant.id,
        callbackUrl: null,
      })
      expect(await repos.jobs.get(tenant.id, job.id)).toMatchObject({ status: 'completed' })
    })
  })

  describe('audit chain', () => {
    it('numbers each tenant’s events from 1, chains them, and verifies', async () => {
      const tenant = await newTenant()
      for (let i = 0; i < 5; i++) {
        await repos.audit.append(tenant.id, {
          action: 'policy.created',
          target: `p${i}`,
          payload: { i, nota: 'ção' },
        })
      }
      const page = await repos.audit.list(tenant.id, { limit: 3 })
      expect(page.items.map((e) => e.seq)).toEqual([5, 4, 3])
      const rest = await repos.audit.list(tenant.id, { limit: 3, cursor: page.nextCursor! })
      expect(rest.items.map((e) => e.seq)).toEqual([2, 1])
      expect(rest.items[1]!.prevHash).toBe('0'.repeat(64))
      expect(rest.items[0]!.prevHash).toBe(rest.items[1]!.hash)
      expect(await repos.audit.verifyChain(tenant.id)).toEqual({
        ok: true,
        checked: 5,
        head: { seq: 5, hash: page.items[0]!.hash },
      })
    })
  })

  describe('transactions', () => {
    it('roll back every write, audit rows included, when the function throws', async () => {
      const tenant = await newTenant()
      const requestId = randomUUID()
      await expect(
        withTransaction(db, async (tx) => {
          const inTx = createRepositories(tx, { apiKeySalt: SALT })
          await inTx.results.insertIdempotent(tenant.id, newResult({ requestId }), {
            audit: { action: 'result.created' },
          })
          await inTx.policies.create(tenant.id, { version: 'rolled-back', config: {} })
          throw new Error('boom')
        }),
      ).rejects.toThrow('boom')
      expect(await repos.results.getByRequestId(tenant.id, requestId)).toBeNull()
      expect(await repos.policies.getByVersion(tenant.id, 'rolled-back')).toBeNull()
      expect(await db.select().from(auditEvents).where(eq(auditEvents.tenantId, tenant.id))).toEqual([])
    })

    it('surface data errors as DataError, not as driver errors', async () => {
      const tenant = await newTenant()
      const error = await repos.tenants.create({ slug: tenant.slug, name: 'dup' }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(DataError)
    })
  })
}
