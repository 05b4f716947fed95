import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../edge/app'
import { parseConfig } from '../../edge/config'
import { createMetrics } from '../../edge/lib/metrics'
import { createMemoryMappingCache } from '../../engine/index'
import { DEFAULT_MODEL_VERSION, registerModel } from '../../engine/model/registry'
import { deriveCallbackSecret } from '../../jobs/callbacks/signature'
import { createEmbeddedJobs, type EmbeddedJobs } from '../../jobs/embedded'
import { requestCalibration, runCalibration } from '../../services/calibrations'
import { createServiceContext, type ServiceContext } from '../../services/context'
import { createLogger } from '../../services/logger'
import { createVersionCache } from '../../services/resolve-versions'
import { createApiKeysRepository } from '../../db/repositories/api-keys'
import { createTenantsRepository } from '../../db/repositories/tenants'
import { createTestDatabase, type TestDatabase } from '../harness/postgres'

/**
 * /v2/admin/calibrations over the real app, the in-process job runner and Postgres: the request is
 * checked at once and queued (202), a job computes the proposal and its report (paging through
 * every review), a failed attempt is retried and none is left waiting forever; activation is a new
 * policy version made current, and reverting makes the old one current again. Syllabi written for
 * the test.
 */
let database: TestDatabase
let app: App
let jobs: EmbeddedJobs
let ctx: ServiceContext
type Keys = { id: string; admin: string; auditor: string; client: string; adminId: string }
let tt: Keys
let other: Keys

const limites = 'Limites e continuidade de funções reais. Derivadas e regras de derivação. Aplicações da derivada. Integral definida e indefinida. Teorema fundamental do cálculo.'
const limits = 'Limits and continuity of real functions. Derivatives and differentiation rules. Applications of the derivative. Definite and indefinite integrals. The fundamental theorem of calculus.'
const course = (nome: string, ementa: string) => ({ nome, carga_horaria: 90, ementa })
/**
 * Kinds of pair, each a course of its own: the model scores them high, middling and low. The base
 * policy names gbdt-pares-1, whose one DEFERIDO threshold (96) sends the middling pair to a person;
 * gbdt-pares-2's Portuguese threshold (84) would already credit it. Two English kinds make a second
 * language with enough reviews for thresholds of its own.
 */
const templates = {
  alto: { origem: course('Cálculo I', limites), destino: course('Cálculo I', limites) },
  medio: { origem: course('Cálculo Diferencial e Integral I', limites), destino: course('Cálculo I', limites) },
  baixo: {
    origem: course('História da Arte Moderna', 'Impressionismo e pós-impressionismo. Vanguardas europeias. Arte moderna no Brasil. Crítica de arte e museus.'),
    destino: course('Cálculo I', limites),
  },
  enalto: { origem: course('Calculus I', limits), destino: course('Calculus I', limits) },
  enbaixo: {
    origem: course('History of Modern Art', 'Impressionism and post-impressionism. European avant-garde movements. Modern art in Latin America. Art criticism and museums.'),
    destino: course('Calculus I', limits),
  },
} as const
type Kind = keyof typeof templates
/** What the reviewers said: they credit the middling pairs too, so the calibrated DEFERIDO threshold must come down to them. */
const labels: Record<Kind, 'DEFERIDO' | 'INDEFERIDO'> = { alto: 'DEFERIDO', medio: 'DEFERIDO', baixo: 'INDEFERIDO', enalto: 'DEFERIDO', enbaixo: 'INDEFERIDO' }
const PER_KIND = 12
const TOTAL = 5 * PER_KIND
const scores: Record<string, number> = {}

async function call(method: string, path: string, key: string, body?: unknown): Promise<Response> {
  return app.request(path, {
    method,
    headers: { 'X-API-Key': key, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
}

const sql = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) => (await database.pool.query(text, params)).rows as T[]

beforeAll(async () => {
  database = await createTestDatabase()
  const salt = `test-salt-${crypto.randomUUID()}`
  const config = parseConfig({ DATABASE_DRIVER: 'pg', DATABASE_URL: database.url, API_KEY_SALT: salt, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'silent' })
  const versions = createVersionCache(config.VERSION_CACHE_TTL_MS)
  const mappingCache = createMemoryMappingCache()
  ctx = createServiceContext(database.db, { apiKeySalt: salt, versions, mappingCache })
  jobs = createEmbeddedJobs({
    services: ctx,
    callbackSigningSecret: salt,
    sweepEveryMs: null,
    recoverAtStart: false,
    retryDelayMs: () => 10,
    sweep: { lostAfterMs: 0 },
  })
  app = createApp({
    config,
    db: database.db,
    versions,
    mappingCache,
    metrics: createMetrics(),
    logger: createLogger('silent'),
    batch: { dispatcher: jobs.dispatcher, callbackSecret: (tenantId) => deriveCallbackSecret(salt, tenantId) },
  })
  const makeTenant = async (): Promise<Keys> => {
    const tenant = await createTenantsRepository(database.db).create({ slug: `t-${crypto.randomUUID().slice(0, 8)}`, name: 'Universidade Calibrada' })
    const repo = createApiKeysRepository(database.db, salt)
    const admin = await repo.create(tenant.id, { role: 'admin', name: 'admin' })
    const auditor = await repo.create(tenant.id, { role: 'auditor', name: 'auditor' })
    const client = await repo.create(tenant.id, { role: 'api-client', name: 'client' })
    return { id: tenant.id, admin: admin.plaintext, auditor: auditor.plaintext, client: client.plaintext, adminId: admin.key.id }
  }
  tt = await makeTenant()
  other = await makeTenant()
  const base = await call('POST', '/admin/policies', tt.admin, { version: 'base', config: { modelo: { versao: 'gbdt-pares-1' } }, is_default: true })
  expect(base.status).toBe(201)
  for (const [kind, pair] of Object.entries(templates)) {
    for (let i = 0; i < PER_KIND; i++) {
      const res = await call('POST', '/v2/equivalences/evaluate', tt.client, { ...pair, request_id: `${kind}-${i}`, course_id: `curso-${kind}` })
      expect(res.status).toBe(200)
      scores[kind] = ((await res.json()) as { score: number }).score
    }
  }
  const page = (await call('GET', '/v1/results?limit=100', tt.auditor).then((r) => r.json())) as { items: { id: string; request_id: string }[] }
  expect(page.items).toHaveLength(TOTAL)
  for (const item of page.items) {
    const kind = item.request_id.split('-')[0] as Kind
    const review = await call('POST', `/v1/results/${item.id}/reviews`, tt.auditor, { label: labels[kind] })
    expect(review.status).toBeLessThan(300)
  }
}, 180_000)

afterAll(async () => {
  await jobs?.stop()
  await database?.drop()
})

type Pair = { score_deferido: number; score_revisao: number }
type Wire = {
  id: string
  status: string
  job_status: string
  status_url: string
  attempts: number
  error: string | null
  limiares_propostos: Pair | null
  limiares_propostos_por_idioma: Record<string, Pair> | null
  activated_policy_version: string | null
  report: Report | null
}
type Summary = {
  n: number
  precisao_deferido: number
  precisao_deferido_ic95: number[]
  taxa_automacao: number
  confusao: Record<string, Record<string, number>>
}
type Report = {
  revisoes: number
  modo_limiares: string
  limiares_propostos_por_idioma: Record<string, Pair> | null
  atual: Summary
  proposto: Summary
  por_idioma: Record<string, { revisoes: number; atual: Summary; proposto: Summary }>
  casos_alterados: Record<string, unknown>[]
  validacao_cruzada: { folds: number }
  concordancia: { atual: number; proposto: number }
  concordancia_por_curso: { course_id: string | null; revisoes: number; atual: number; proposto: number }[]
  concordancia_mensal: { mes: string; revisoes: number; automaticas: number; concordantes: number }[]
}

/** Asks for a calibration (202), lets the in-process runner finish it, and reads it back. */
async function calibrate(body: Record<string, unknown>): Promise<Wire> {
  const res = await call('POST', '/v2/admin/calibrations', tt.admin, body)
  expect(res.status).toBe(202)
  const queued = (await res.json()) as Wire
  expect(queued.job_status).toBe('queued')
  expect(queued.report).toBeNull()
  expect(res.headers.get('location')).toBe(queued.status_url)
  await jobs.idle()
  return (await call('GET', queued.status_url, tt.admin).then((r) => r.json())) as Wire
}

const calibrationCount = async () => (await sql<{ n: number }>('SELECT count(*)::int AS n FROM calibrations WHERE tenant_id = $1', [tt.id]))[0]!.n

describe('/v2/admin/calibrations', () => {
  let calibration: Wire

  it('refuses too few reviews with a 422 naming min_revisoes, checked before anything is queued', async () => {
    const res = await call('POST', '/v2/admin/calibrations', tt.admin, { course_id: 'curso-sem-revisoes' })
    expect(res.status).toBe(422)
    const { detail } = (await res.json()) as { detail: { loc: string[]; msg: string }[] }
    expect(detail[0]!.loc).toEqual(['body', 'min_revisoes'])
    expect(detail[0]!.msg).toContain('0 reviewed')
    const few = await call('POST', '/v2/admin/calibrations', tt.admin, { min_revisoes: 100 })
    expect(few.status).toBe(422)
    expect(((await few.json()) as { detail: { msg: string }[] }).detail[0]!.msg).toContain(`${TOTAL} reviewed`)
    expect((await call('POST', '/v2/admin/calibrations', tt.admin, { precisao_minima_deferido: 2 })).status).toBe(422)
    expect((await call('POST', '/v2/admin/calibrations', tt.admin, { policy_version: 'nao-existe' })).status).toBe(422)
    expect(await calibrationCount()).toBe(0)
  })

  it('refuses a policy on a semantic scoring model: reviews are re-scored lexically, by its base', async () => {
    // A one-split semantic model over the lexical default (never shipped; the policy names it).
    registerModel({
      versao: 'teste-calibracao-semantico',
      tipo: 'gbdt',
      features: ['semantica_ementas'],
      base_lexica: DEFAULT_MODEL_VERSION,
      base: 0,
      arvores: [{ feature: [0, -1, -1], threshold: [0.5, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, -3, 3] }],
      limiares: { score_deferido: 90, score_revisao: 10 },
    })
    const created = await call('POST', '/admin/policies', tt.admin, { version: 'semantica', config: { modelo: { versao: 'teste-calibracao-semantico' } } })
    expect(created.status).toBeLessThan(300)
    const res = await call('POST', '/v2/admin/calibrations', tt.admin, { policy_version: 'semantica' })
    expect(res.status).toBe(422)
    const { detail } = (await res.json()) as { detail: { loc: string[]; msg: string }[] }
    expect(detail[0]!.loc).toEqual(['body', 'policy_version'])
    expect(detail[0]!.msg).toContain('semantic model teste-calibracao-semantico')
    expect(await calibrationCount()).toBe(0)
  })

  it('queues the calibration, and the job proposes per-language thresholds the reviews call for, with the report', async () => {
    expect(scores.medio).toBeLessThan(scores.alto!)
    calibration = await calibrate({ precisao_minima_deferido: 0.95, precisao_minima_indeferido: 0.9, min_revisoes_por_idioma: 20 })
    expect(calibration).toMatchObject({ job_status: 'done', status: 'proposta', attempts: 1, error: null })
    const r = calibration.report!
    expect(r.revisoes).toBe(TOTAL)
    expect(r.modo_limiares).toBe('por_idioma')
    const pt = calibration.limiares_propostos_por_idioma!.pt!
    const en = calibration.limiares_propostos_por_idioma!.en!
    expect(r.limiares_propostos_por_idioma).toEqual(calibration.limiares_propostos_por_idioma)
    // Portuguese: every middling pair was credited by its reviewer and nothing scored between them and the refused ones.
    expect(pt.score_deferido).toBeLessThanOrEqual(scores.medio!)
    expect(pt.score_deferido).toBeGreaterThan(scores.baixo!)
    expect(pt.score_revisao).toBeGreaterThan(scores.baixo!)
    // English: between its own two kinds.
    expect(en.score_deferido).toBeLessThanOrEqual(scores.enalto!)
    expect(en.score_revisao).toBeGreaterThan(scores.enbaixo!)
    expect(r.por_idioma.pt!.revisoes).toBe(3 * PER_KIND)
    expect(r.por_idioma.en!.revisoes).toBe(2 * PER_KIND)
    expect(r.por_idioma.pt!.atual.confusao.DEFERIDO!.ANALISE_HUMANA).toBeGreaterThanOrEqual(PER_KIND)
    expect(r.por_idioma.pt!.proposto.taxa_automacao).toBe(1)
    expect(r.proposto.precisao_deferido).toBe(1)
    expect(r.proposto.precisao_deferido_ic95[0]!).toBeGreaterThan(0.8)
    expect(r.proposto.taxa_automacao).toBe(1)
    expect(r.atual.taxa_automacao).toBeLessThan(1)
    const medio = r.casos_alterados.filter((c) => c.course_id === 'curso-medio')
    expect(medio).toHaveLength(PER_KIND)
    expect(medio[0]).toMatchObject({ decisao_atual: 'ANALISE_HUMANA', decisao_proposta: 'DEFERIDO', revisao: 'DEFERIDO', idioma: 'pt' })
    expect(r.validacao_cruzada.folds).toBe(5)
    expect(r.concordancia.proposto).toBeGreaterThan(r.concordancia.atual)
    // Per course: the middling course goes from none to all agreeing.
    expect(r.concordancia_por_curso).toHaveLength(5)
    expect(r.concordancia_por_curso.find((c) => c.course_id === 'curso-medio')).toEqual({ course_id: 'curso-medio', revisoes: PER_KIND, atual: 0, proposto: 1 })
    // Agreement over time: this month holds every review; the engine's stored decisions are counted as they were.
    const month = new Date().toISOString().slice(0, 7)
    expect(r.concordancia_mensal[0]).toMatchObject({ mes: month, revisoes: TOTAL })

    // Audited: asked for, then computed.
    const actions = await sql<{ action: string }>('SELECT action FROM audit_events WHERE tenant_id = $1 AND target = $2 ORDER BY seq', [tt.id, calibration.id])
    expect(actions.map((a) => a.action)).toEqual(['calibration.created', 'calibration.completed'])

    // Agreement with the reviewers at calibration, per tenant and course ('*': tenant-wide), on /metrics.
    const metrics = await (await call('GET', '/metrics', tt.admin)).text()
    expect(metrics).toContain(`ee_review_agreement{tenant="${tt.id}",course="*",limiares="propostos"} ${r.concordancia.proposto}`)
    expect(metrics).toContain(`ee_review_agreement{tenant="${tt.id}",course="*",limiares="atuais"} ${r.concordancia.atual}`)
    expect(metrics).toContain(`ee_review_agreement_cases{tenant="${tt.id}",course="*"} ${TOTAL}`)
  })

  it('falls back to one pair for all languages when a language has too few reviews', async () => {
    const c = await calibrate({ min_revisoes_por_idioma: 2 * PER_KIND + 1 })
    expect(c.job_status).toBe('done')
    expect(c.report!.modo_limiares).toBe('geral')
    expect(c.limiares_propostos_por_idioma).toBeNull()
    expect(c.report!.por_idioma.en!.revisoes).toBe(2 * PER_KIND)
  })

  it('reads every reviewed result, page by page, with no cap', async () => {
    const queued = await requestCalibration({
      ctx,
      input: {
        tenantId: tt.id,
        actorKeyId: tt.adminId,
        courseId: null,
        params: { precisao_minima_deferido: 0.95, precisao_minima_indeferido: 0.9, min_revisoes: 10, min_revisoes_por_idioma: 20 },
      },
    })
    const outcome = await runCalibration({ ctx, input: { tenantId: tt.id, id: queued.id, pageSize: 7 } })
    expect(outcome.status).toBe('done')
    if (outcome.status !== 'done') return
    const report = outcome.calibration.report as unknown as Report
    expect(report.revisoes).toBe(TOTAL)
    // The same cases, whatever the page size.
    expect(outcome.calibration.thresholds).toEqual({ ...calibration.limiares_propostos, por_idioma: calibration.limiares_propostos_por_idioma })
    // A second delivery of the same message is a no-op.
    expect(await runCalibration({ ctx, input: { tenantId: tt.id, id: queued.id } })).toEqual({ status: 'skipped', reason: 'done' })
  })

  it('without a batch tier (Workers without QStash), the request computes it itself and answers it done', async () => {
    const config = parseConfig({ DATABASE_DRIVER: 'pg', DATABASE_URL: database.url, API_KEY_SALT: ctx.apiKeySalt, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'silent' })
    const alone = createApp({ config, db: database.db, logger: createLogger('silent') })
    const res = await alone.request('/v2/admin/calibrations', {
      method: 'POST',
      headers: { 'X-API-Key': tt.admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ min_revisoes_por_idioma: 20 }),
    })
    expect(res.status).toBe(202)
    const body = (await res.json()) as Wire
    expect(body).toMatchObject({ job_status: 'done', attempts: 1, limiares_propostos: calibration.limiares_propostos })
    expect(body.report!.revisoes).toBe(TOTAL)
  })

  it('is the admin’s and the tenant’s only', async () => {
    expect((await call('GET', `/v2/admin/calibrations/${calibration.id}`, other.admin)).status).toBe(404)
    expect((await call('POST', `/v2/admin/calibrations/${calibration.id}/activate`, other.admin)).status).toBe(404)
    expect((await call('GET', `/v2/admin/calibrations/${calibration.id}`, tt.auditor)).status).toBe(403)
    expect((await call('POST', '/v2/admin/calibrations', tt.client, {})).status).toBe(403)
    expect((await call('GET', '/v2/admin/calibrations/not-a-uuid', tt.admin)).status).toBe(422)
    const list = (await call('GET', '/v2/admin/calibrations', other.admin).then((r) => r.json())) as { items: unknown[] }
    expect(list.items).toEqual([])
  })

  it('activates as a new policy version with the per-language thresholds, and reverts to the old one', async () => {
    // A syllabus the reviews never saw (one more sentence, same score), so no precedent decides it.
    const unseen = { ...templates.medio, origem: { ...templates.medio.origem, ementa: `${limites} Lista de exercícios.` } }
    const evaluateMedio = async (id: string) => {
      const res = await call('POST', '/v2/equivalences/evaluate', tt.client, { ...unseen, request_id: id })
      return (await res.json()) as { decisao: string; policy_version: string }
    }
    expect((await evaluateMedio('antes')).decisao).toBe('ANALISE_HUMANA')

    const res = await call('POST', `/v2/admin/calibrations/${calibration.id}/activate`, tt.admin)
    expect(res.status).toBe(200)
    const activated = (await res.json()) as Wire
    expect(activated.status).toBe('ativada')
    const version = activated.activated_policy_version!
    expect(version).toMatch(/^base-cal-/)
    const policy = (await call('GET', `/admin/policies/${version}`, tt.admin).then((r) => r.json())) as {
      is_default: boolean
      config: { modelo: { score_deferido: number; limiares_por_idioma: Record<string, Pair> } }
    }
    expect(policy.is_default).toBe(true)
    expect(policy.config.modelo.score_deferido).toBe(calibration.limiares_propostos!.score_deferido)
    expect(policy.config.modelo.limiares_por_idioma.pt).toEqual(calibration.limiares_propostos_por_idioma!.pt)
    expect(policy.config.modelo.limiares_por_idioma.en).toEqual(calibration.limiares_propostos_por_idioma!.en)
    expect(await evaluateMedio('depois')).toMatchObject({ decisao: 'DEFERIDO', policy_version: version })

    const reverted = await call('POST', `/v2/admin/calibrations/${calibration.id}/revert`, tt.admin)
    expect(reverted.status).toBe(200)
    expect(await evaluateMedio('revertido')).toMatchObject({ decisao: 'ANALISE_HUMANA', policy_version: 'base' })
    expect((await call('GET', `/admin/policies/${version}`, tt.admin)).status).toBe(200)

    // Activating again makes the same calibrated version current; no second version is made.
    const again = (await call('POST', `/v2/admin/calibrations/${calibration.id}/activate`, tt.admin).then((r) => r.json())) as Wire
    expect(again.activated_policy_version).toBe(version)
    expect(await evaluateMedio('de-novo')).toMatchObject({ decisao: 'DEFERIDO', policy_version: version })
  })
})

/**
 * Faults are injected in Postgres itself: a trigger makes the update that stores a finished report
 * raise, the first `n` times, with SQLSTATE `code` (57P01, "admin shutdown", reads as the database
 * going away; P0001 as any other error).
 */
describe('a calibration job through failures', () => {
  beforeAll(async () => {
    await sql(`CREATE TABLE fault_plan (n int NOT NULL, code text NOT NULL)`)
    await sql(`INSERT INTO fault_plan VALUES (0, 'P0001')`)
    await sql(`CREATE SEQUENCE fault_seq`)
    await sql(`CREATE FUNCTION inject_fault() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE plan record;
      BEGIN
        SELECT * INTO plan FROM fault_plan;
        IF NEW.job_status = 'done' AND nextval('fault_seq') <= plan.n THEN
          RAISE EXCEPTION 'injected fault' USING ERRCODE = plan.code;
        END IF;
        RETURN NEW;
      END $$`)
    await sql(`CREATE TRIGGER inject_fault BEFORE UPDATE ON calibrations FOR EACH ROW EXECUTE FUNCTION inject_fault()`)
  })
  const plan = async (n: number, code: string) => {
    await sql(`UPDATE fault_plan SET n = $1, code = $2`, [n, code])
    await sql(`SELECT setval('fault_seq', 1, false)`)
  }
  afterAll(async () => {
    await sql(`DROP TRIGGER inject_fault ON calibrations`)
  })

  it('retries a database blip and finishes', async () => {
    await plan(2, '57P01')
    const c = await calibrate({ min_revisoes_por_idioma: 20 })
    expect(c).toMatchObject({ job_status: 'done', attempts: 3, error: null })
    expect(c.report!.revisoes).toBe(TOTAL)
  })

  it('fails for good, with its error, when every attempt fails for another reason', async () => {
    await plan(100, 'P0001')
    const c = await calibrate({})
    expect(c.job_status).toBe('failed')
    expect(c.error).toContain('injected fault')
    expect(c.report).toBeNull()
    const actions = await sql<{ action: string }>('SELECT action FROM audit_events WHERE tenant_id = $1 AND target = $2 ORDER BY seq', [tt.id, c.id])
    expect(actions.map((a) => a.action)).toEqual(['calibration.created', 'calibration.failed'])
    // Nothing to activate.
    expect((await call('POST', `/v2/admin/calibrations/${c.id}/activate`, tt.admin)).status).toBe(409)
  })

  it('outlasts an outage longer than its retries: the sweeper hands it out again once the database is back', async () => {
    await plan(100, '57P01')
    const c = await calibrate({})
    // Retries used up during the outage: it waits, queued, for the sweeper (not failed for a blip).
    expect(c.job_status).toBe('queued')
    expect(c.attempts).toBe(4)
    await plan(0, 'P0001')
    const swept = await jobs.runtime.handlers.sweep({}, { retried: 0, messageId: 'test-sweep' })
    expect(swept).toMatchObject({ status: 'ok', detail: { calibrations_redispatched: 1 } })
    await jobs.idle()
    const after = (await call('GET', c.status_url, tt.admin).then((r) => r.json())) as Wire
    expect(after).toMatchObject({ job_status: 'done', attempts: 5 })
  })

  it('renews its lease after every page, and stops (storing nothing) once another claim took over', async () => {
    const ask = () =>
      requestCalibration({
        ctx,
        input: { tenantId: tt.id, actorKeyId: tt.adminId, courseId: null, params: { precisao_minima_deferido: 0.95, precisao_minima_indeferido: 0.9, min_revisoes: 10, min_revisoes_por_idioma: 20 } },
      })
    // Counts the lease renewals; with steal_plan set, the first one also hands the claim to "someone else" (attempts + 1).
    await sql(`CREATE TABLE steal_plan (steal boolean NOT NULL)`)
    await sql(`INSERT INTO steal_plan VALUES (false)`)
    await sql(`CREATE SEQUENCE renewals`)
    await sql(`CREATE FUNCTION count_renewals() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.job_status = 'running' AND NEW.job_status = 'running' AND NEW.lease_until > OLD.lease_until THEN
          PERFORM nextval('renewals');
          IF (SELECT steal FROM steal_plan) AND OLD.attempts = 1 THEN NEW.attempts := OLD.attempts + 1; END IF;
        END IF;
        RETURN NEW;
      END $$`)
    await sql(`CREATE TRIGGER count_renewals BEFORE UPDATE ON calibrations FOR EACH ROW EXECUTE FUNCTION count_renewals()`)
    const renewals = async () => Number((await sql<{ last_value: string; is_called: boolean }>('SELECT last_value, is_called FROM renewals'))[0]!.last_value)
    try {
      const pages = Math.ceil((TOTAL + 1) / 7)
      const whole = await runCalibration({ ctx, input: { tenantId: tt.id, id: (await ask()).id, pageSize: 7 } })
      expect(whole.status).toBe('done')
      // One renewal per page, in each of the two passes.
      expect(await renewals()).toBe(2 * pages)

      await sql(`UPDATE steal_plan SET steal = true`)
      const stolen = await ask()
      const outcome = await runCalibration({ ctx, input: { tenantId: tt.id, id: stolen.id, pageSize: 7 } })
      expect(outcome).toEqual({ status: 'skipped', reason: 'superseded' })
      // The renewal that handed the claim over was the last one to hold; nothing was stored.
      expect(await renewals()).toBe(2 * pages + 1)
      const [row] = await sql<{ job_status: string; attempts: number; report: unknown }>('SELECT job_status, attempts, report FROM calibrations WHERE id = $1', [stolen.id])
      expect(row).toEqual({ job_status: 'running', attempts: 2, report: null })
      await sql(`UPDATE calibrations SET job_status = 'failed' WHERE id = $1`, [stolen.id])
    } finally {
      await sql(`DROP TRIGGER count_renewals ON calibrations`)
    }
  })

  it('never waits forever: a claim whose worker died is handed out again, and one out of attempts fails', async () => {
    const c = (await call('POST', '/v2/admin/calibrations', tt.admin, {}).then((r) => r.json())) as Wire
    await jobs.idle()
    // As if its worker died holding it: running under an expired lease.
    await sql(`UPDATE calibrations SET job_status = 'running', lease_until = now() - interval '1 minute', report = NULL, thresholds = NULL WHERE id = $1`, [c.id])
    await jobs.runtime.handlers.sweep({}, { retried: 0, messageId: 'test-sweep' })
    await jobs.idle()
    expect(((await call('GET', c.status_url, tt.admin).then((r) => r.json())) as Wire).job_status).toBe('done')

    await sql(`UPDATE calibrations SET job_status = 'running', attempts = 5, lease_until = now() - interval '1 minute' WHERE id = $1`, [c.id])
    await jobs.runtime.handlers.sweep({}, { retried: 0, messageId: 'test-sweep' })
    await jobs.idle()
    const failed = (await call('GET', c.status_url, tt.admin).then((r) => r.json())) as Wire
    expect(failed.job_status).toBe('failed')
    expect(failed.error).toMatch(/claims/)
  })
})

describe('agreement as reviews are recorded', () => {
  const outcomes = async () => {
    const text = await (await call('GET', '/metrics', tt.admin)).text()
    return text
      .split('\n')
      .filter((l) => l.startsWith('ee_review_outcomes_total{') && l.includes(`tenant="${tt.id}"`))
      .map((l) => ({ line: l, value: Number(l.split(' ').at(-1)) }))
  }

  it('counts every review against the engine decision, with a course label only for bound courses', async () => {
    const before = await outcomes()
    expect(before.reduce((n, o) => n + o.value, 0)).toBe(TOTAL)
    expect(before.every((o) => o.line.includes('course="_outros"'))).toBe(true)
    // Reviewers credited the middling pairs the engine (gbdt-pares-1) sent to a person: those disagree.
    expect(before.find((o) => o.line.includes('decisao="ANALISE_HUMANA"') && o.line.includes('revisao="DEFERIDO"'))?.line).toContain('concorda="nao"')

    expect((await call('POST', '/admin/bindings', tt.admin, { course_id: 'curso-novo', policy_version: 'base', active_from: '2020-01-01' })).status).toBeLessThan(300)
    const res = await call('POST', '/v2/equivalences/evaluate', tt.client, { ...templates.alto, request_id: 'vinculado-1', course_id: 'curso-novo' })
    const result = (await res.json()) as { decisao: string; result_id?: string; meta: Record<string, unknown> }
    const [row] = await sql<{ id: string; decisao: string }>('SELECT id, decisao FROM equivalence_results WHERE tenant_id = $1 AND request_id = $2', [tt.id, 'vinculado-1'])
    expect((await call('POST', `/v1/results/${row!.id}/reviews`, tt.auditor, { label: 'DEFERIDO' })).status).toBeLessThan(300)
    const after = await outcomes()
    const bound = after.filter((o) => o.line.includes('course="curso-novo"'))
    expect(bound).toHaveLength(1)
    expect(bound[0]!.line).toContain(`decisao="${row!.decisao}"`)
    expect(bound[0]!.line).toContain(`concorda="${row!.decisao === 'DEFERIDO' ? 'sim' : 'nao'}"`)
    expect(bound[0]!.value).toBe(1)
    expect(result.decisao).toBe(row!.decisao)

    // Over time, as of now (not of a calibration): this month counts the new review too.
    const agreement = (await call('GET', '/v2/admin/calibrations/agreement', tt.admin).then((r) => r.json())) as { meses: { revisoes: number }[] }
    expect(agreement.meses[0]!.revisoes).toBe(TOTAL + 1)
    const perCourse = (await call('GET', '/v2/admin/calibrations/agreement?course_id=curso-novo', tt.admin).then((r) => r.json())) as {
      meses: { revisoes: number; concordantes: number }[]
    }
    expect(perCourse.meses).toEqual([expect.objectContaining({ revisoes: 1, concordantes: row!.decisao === 'DEFERIDO' ? 1 : 0 })])
  })
})
