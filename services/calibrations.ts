import { isConnectionError } from '../db/errors'
import { createCalibrationsRepository, type Calibration } from '../db/repositories/calibrations'
import type { CalibrationThresholds, ThresholdPair } from '../db/schema'
import { DEFAULT_POLICY, PolicySchema, type Policy } from '../engine/index'
import { resolveScorer } from '../engine/model/registry'
import { audited } from './audited'
import { createCalibrationRun, createInterner, monthlyView, scoreReviewedCase, type CalibrationParams, type CompactCase } from './calibration-report'
import type { ServiceContext } from './context'
import { ServiceError } from './errors'
import { describeError } from './logger'
import { BUILTIN_POLICY_VERSION } from './resolve-versions'
import { yieldToEventLoop } from './event-loop'

/**
 * Per-tenant calibration of the scoring model's thresholds from reviews (issue 13). An admin asks
 * for one (`requestCalibration`: checked at once — base policy, enough reviews — and queued); a job
 * (the worker through QStash, or the in-process runner) computes the proposal and its report
 * (`runCalibration`: nothing changes yet); then an admin activates it — a new policy version with
 * the proposed `modelo` thresholds, made the tenant's default or bound to the course. The previous
 * version stays and can be made current again (`revertCalibration`).
 */

/** Reviewed results read per query: the inputs of one page at most are held at a time. */
export const CALIBRATION_PAGE_SIZE = 500
/** Claims a calibration may use up (crashes, database outages, errors) before it fails for good. */
export const CALIBRATION_MAX_ATTEMPTS = 5
/** How long a claim holds before the sweeper hands the calibration out again. */
export const CALIBRATION_LEASE_MS = 10 * 60_000
/** Cases scored between two yields to the event loop. */
const YIELD_EVERY = 25
/** Months of agreement the report and the console show. */
const AGREEMENT_MONTHS = 24

export interface CreateCalibrationInput {
  tenantId: string
  actorKeyId: string
  courseId: string | null
  /** The policy version to calibrate; the tenant's default when absent. */
  policyVersion?: string
  params: CalibrationParams
}

async function basePolicy(ctx: ServiceContext, tenantId: string, version: string | undefined): Promise<{ version: string; policy: Policy }> {
  if (version) {
    const stored = await ctx.repos.policies.getByVersion(tenantId, version)
    if (!stored) throw ServiceError.validation([{ loc: ['body', 'policy_version'], msg: `Unknown policy_version '${version}'`, type: 'value_error' }])
    return { version: stored.version, policy: PolicySchema.parse(stored.config) }
  }
  const stored = await ctx.repos.policies.getDefault(tenantId)
  return stored ? { version: stored.version, policy: PolicySchema.parse(stored.config) } : { version: BUILTIN_POLICY_VERSION, policy: DEFAULT_POLICY }
}

const storedBase = (ctx: ServiceContext, c: Calibration) =>
  basePolicy(ctx, c.tenantId, c.basePolicyVersion === BUILTIN_POLICY_VERSION ? undefined : c.basePolicyVersion)

/**
 * Checks what can be checked at once — the base policy has a model, there are enough reviews —
 * and stores the calibration as `queued` (audited). The caller hands its id to the job transport.
 */
export async function requestCalibration({ ctx, input }: { ctx: ServiceContext; input: CreateCalibrationInput }): Promise<Calibration> {
  const { tenantId, params } = input
  const base = await basePolicy(ctx, tenantId, input.policyVersion)
  const scorer = resolveScorer({ ...base.policy, pontuacao: 'modelo' })
  if (!scorer.model) throw ServiceError.validation([{ loc: ['body', 'policy_version'], msg: 'policy has no model to calibrate', type: 'value_error' }])
  // The reviews are re-scored offline, without the semantic signals, i.e. by the lexical base; its
  // thresholds written into the policy would then also apply to the semantic model, which they were
  // never chosen for.
  if (scorer.semantic) {
    throw ServiceError.validation([
      {
        loc: ['body', 'policy_version'],
        msg: `policy '${base.version}' names the semantic model ${scorer.semantic.model.version}; calibration re-scores reviews lexically, so calibrate a policy on its lexical base (${scorer.model.version})`,
        type: 'value_error',
      },
    ])
  }
  const repo = createCalibrationsRepository(ctx.db)
  const reviewed = await repo.countReviewed(tenantId, { courseId: input.courseId })
  if (reviewed < params.min_revisoes) {
    const where = input.courseId ? `course '${input.courseId}'` : 'the tenant'
    throw ServiceError.validation([
      {
        loc: ['body', 'min_revisoes'],
        msg: `${reviewed} reviewed result(s) with stored inputs for ${where}; a calibration needs at least ${params.min_revisoes}`,
        type: 'value_error',
      },
    ])
  }
  return audited(
    ctx,
    tenantId,
    (_repos, tx) =>
      createCalibrationsRepository(tx).enqueue(tenantId, {
        courseId: input.courseId,
        basePolicyVersion: base.version,
        params: params as unknown as Record<string, unknown>,
        requestedBy: input.actorKeyId,
      }),
    (c) => ({
      action: 'calibration.created',
      actorKeyId: input.actorKeyId,
      target: c.id,
      payload: { course_id: c.courseId, base_policy_version: c.basePolicyVersion, revisoes: reviewed, job_status: c.jobStatus },
    }),
  )
}

/** The claim was lost (its lease ran out and someone else took it): this attempt stops. */
class ClaimLost extends Error {}

/**
 * Reads every reviewed case twice, page by page (keyset on the result id, reviews as of `cutoff`),
 * keeping counts, not cases (services/calibration-report.ts `createCalibrationRun`): memory grows
 * with the courses and languages, not with the reviews. The lease is renewed after every page.
 */
async function computeCalibration(
  ctx: ServiceContext,
  c: Calibration,
  options: { cutoff: Date; pageSize: number; renew: () => Promise<boolean> },
) {
  const params = paramsOf(c)
  const base = await storedBase(ctx, c)
  const scorer = resolveScorer({ ...base.policy, pontuacao: 'modelo' })
  if (!scorer.model) throw ServiceError.validation([{ loc: ['policy_version'], msg: 'policy has no model to calibrate', type: 'value_error' }])
  const model = scorer.model
  const repo = createCalibrationsRepository(ctx.db)
  const referenceDate = ctx.clock().toISOString().slice(0, 10)
  const intern = createInterner()
  const run = createCalibrationRun({ policy: base.policy, model, current: scorer.thresholds, currentByLanguage: scorer.byLanguage, params })
  let read = 0
  const pass = async (add: (scored: CompactCase | null) => void) => {
    for (let after: string | null = null; ; ) {
      const page = await repo.reviewedPage(c.tenantId, { courseId: c.courseId, cutoff: options.cutoff, after, limit: options.pageSize })
      for (const [i, r] of page.rows.entries()) {
        add(await scoreReviewedCase(r, { policy: base.policy, model, referenceDate, intern }))
        // Scoring is CPU work: let requests served by the same process (the embedded default) in between.
        if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop()
      }
      read += page.rows.length
      if (!(await options.renew())) throw new ClaimLost()
      if (page.next === null) break
      after = page.next
    }
  }
  await pass((scored) => run.first.add(scored))
  const firstPass = read
  if (firstPass < params.min_revisoes) {
    throw ServiceError.validation([
      { loc: ['min_revisoes'], msg: `${firstPass} reviewed result(s) left; a calibration needs at least ${params.min_revisoes}`, type: 'value_error' },
    ])
  }
  run.plan()
  await pass((scored) => run.second.add(scored))
  const monthly = monthlyView(await repo.agreementByMonth(c.tenantId, { courseId: c.courseId, months: AGREEMENT_MONTHS }))
  return run.finish(monthly)
}

function paramsOf(c: Calibration): CalibrationParams {
  const p = c.params as Partial<CalibrationParams>
  const min = p.min_revisoes ?? 30
  return {
    precisao_minima_deferido: p.precisao_minima_deferido ?? 0.95,
    precisao_minima_indeferido: p.precisao_minima_indeferido ?? 0.9,
    min_revisoes: min,
    min_revisoes_por_idioma: p.min_revisoes_por_idioma ?? min,
  }
}

export type RunCalibrationOutcome =
  | { status: 'done'; calibration: Calibration }
  /** Nothing to do here: settled already, someone else's live claim, or unknown. */
  | { status: 'skipped'; reason: 'missing' | 'done' | 'failed' | 'leased' | 'superseded' }
  /** This attempt failed; the calibration is queued again (or its lease will run out). */
  | { status: 'retry'; error: string; connection: boolean }
  /** Failed for good: the last attempt, or an error no retry can mend. */
  | { status: 'failed'; error: string }

/**
 * One attempt at a queued calibration: claim it under a lease, page through the reviews, store
 * thresholds and report (only if the claim still holds), audited as `calibration.completed`.
 * A failed attempt puts it back in the queue with its error, or fails it for good after
 * `maxAttempts` claims or on an error no retry can mend; if even that cannot be written (the
 * database is away), the lease runs out and the sweeper hands it out again.
 */
export async function runCalibration({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { tenantId: string; id: string; leaseMs?: number; maxAttempts?: number; pageSize?: number }
}): Promise<RunCalibrationOutcome> {
  const repo = createCalibrationsRepository(ctx.db)
  const claimed = await repo.claim(input.tenantId, input.id, input.leaseMs ?? CALIBRATION_LEASE_MS)
  if (!claimed) {
    const found = await repo.get(input.tenantId, input.id)
    if (!found) return { status: 'skipped', reason: 'missing' }
    return { status: 'skipped', reason: found.jobStatus === 'done' ? 'done' : found.jobStatus === 'failed' ? 'failed' : 'leased' }
  }
  const leaseMs = input.leaseMs ?? CALIBRATION_LEASE_MS
  try {
    const { thresholds, report } = await computeCalibration(ctx, claimed, {
      cutoff: claimed.createdAt,
      pageSize: input.pageSize ?? CALIBRATION_PAGE_SIZE,
      renew: () => repo.renewLease(claimed.tenantId, claimed.id, claimed.attempts, leaseMs),
    })
    const stored = await audited(
      ctx,
      claimed.tenantId,
      (_repos, tx) =>
        createCalibrationsRepository(tx).complete(claimed.tenantId, claimed.id, claimed.attempts, {
          thresholds,
          report: report as unknown as Record<string, unknown>,
        }),
      (c) =>
        c && {
          action: 'calibration.completed',
          actorKeyId: claimed.requestedBy,
          target: c.id,
          payload: { revisoes: report.revisoes, modo_limiares: report.modo_limiares, limiares_propostos: thresholds, attempts: claimed.attempts },
        },
    )
    return stored ? { status: 'done', calibration: stored } : { status: 'skipped', reason: 'superseded' }
  } catch (err) {
    if (err instanceof ClaimLost) return { status: 'skipped', reason: 'superseded' }
    const error = describeError(err).error
    const connection = isConnectionError(err)
    const final = !connection && (claimed.attempts >= (input.maxAttempts ?? CALIBRATION_MAX_ATTEMPTS) || (err instanceof ServiceError && err.code === 'VALIDATION'))
    try {
      if (final) await failCalibration(ctx, claimed, error, claimed.attempts)
      else await repo.recordFailure(claimed.tenantId, claimed.id, claimed.attempts, error, false)
    } catch {
      // The database is away: the claim's lease runs out and the sweeper hands it out again.
    }
    return final ? { status: 'failed', error } : { status: 'retry', error, connection }
  }
}

/** Fails a calibration for good, audited; `attempts` null: whoever holds it (the dead-letter hook, the sweeper). */
async function failCalibration(ctx: ServiceContext, c: Pick<Calibration, 'tenantId' | 'id' | 'requestedBy'>, error: string, attempts: number | null) {
  return audited(
    ctx,
    c.tenantId,
    (_repos, tx) => createCalibrationsRepository(tx).recordFailure(c.tenantId, c.id, attempts, error, true),
    (row) => row && { action: 'calibration.failed', actorKeyId: c.requestedBy, target: c.id, payload: { error, attempts: row.attempts } },
  )
}

/** The job transport gave up on a calibration's message (retries used up): it fails with the last error. */
export async function abandonCalibration({ ctx, input }: { ctx: ServiceContext; input: { tenantId: string; id: string; error: string } }): Promise<boolean> {
  const c = await createCalibrationsRepository(ctx.db).get(input.tenantId, input.id)
  if (!c || (c.jobStatus !== 'queued' && c.jobStatus !== 'running')) return false
  return Boolean(await failCalibration(ctx, c, input.error, null))
}

/**
 * The sweeper's part: calibrations that lost their message (queued, untouched for `lostAfterMs`) or
 * their worker (running, lease expired) are handed out again — and failed for good once they used
 * up `maxAttempts` claims, so none waits forever.
 */
export async function sweepCalibrations({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { lostAfterMs: number; maxAttempts?: number; limit?: number }
}): Promise<{ redispatch: { tenantId: string; id: string }[]; failed: number }> {
  const repo = createCalibrationsRepository(ctx.db)
  const max = input.maxAttempts ?? CALIBRATION_MAX_ATTEMPTS
  const redispatch: { tenantId: string; id: string }[] = []
  let failed = 0
  for (const c of await repo.unsettled({ lostAfterMs: input.lostAfterMs, limit: input.limit ?? 100 })) {
    if (c.attempts >= max) {
      const full = await repo.get(c.tenantId, c.id)
      if (full && (await failCalibration(ctx, full, full.lastError ?? `no attempt finished in ${c.attempts} claims`, null))) failed++
      continue
    }
    await repo.touch(c.tenantId, c.id)
    redispatch.push({ tenantId: c.tenantId, id: c.id })
  }
  return { redispatch, failed }
}

export async function getCalibration({ ctx, input }: { ctx: ServiceContext; input: { tenantId: string; id: string } }): Promise<Calibration> {
  const c = await createCalibrationsRepository(ctx.db).get(input.tenantId, input.id)
  if (!c) throw ServiceError.notFound('Calibration not found')
  return c
}

export function listCalibrations({ ctx, input }: { ctx: ServiceContext; input: { tenantId: string; limit?: number } }): Promise<Calibration[]> {
  return createCalibrationsRepository(ctx.db).list(input.tenantId, input.limit ?? 100)
}

/** Engine (as stored) vs reviewer per month, now (not as of a calibration). */
export async function agreementOverTime({ ctx, input }: { ctx: ServiceContext; input: { tenantId: string; courseId?: string | null } }) {
  return monthlyView(await createCalibrationsRepository(ctx.db).agreementByMonth(input.tenantId, { courseId: input.courseId, months: AGREEMENT_MONTHS }))
}

/**
 * The policy version in force now for the calibration's scope (the course's binding, else the
 * tenant's default), so a page can say whether an activated calibration is still the one in force.
 */
export async function policyInForce({ ctx, input }: { ctx: ServiceContext; input: { tenantId: string; courseId: string | null } }): Promise<string> {
  if (input.courseId) {
    const bound = await ctx.repos.bindings.resolve(input.tenantId, input.courseId, ctx.clock().toISOString().slice(0, 10))
    if (bound) return bound.policy.version
  }
  return (await ctx.repos.policies.getDefault(input.tenantId))?.version ?? BUILTIN_POLICY_VERSION
}

/** Makes `version` current: the tenant's default (tenant-wide) or the course's binding from today. */
async function makeCurrent(
  ctx: ServiceContext,
  c: Calibration,
  version: string,
  actorKeyId: string,
  create: Policy | null,
  markActivated: boolean,
): Promise<Calibration> {
  const today = ctx.clock().toISOString().slice(0, 10)
  const { updated } = await audited(
    ctx,
    c.tenantId,
    async (repos, tx) => {
      let target = await repos.policies.getByVersion(c.tenantId, version)
      if (!target && create) target = await repos.policies.create(c.tenantId, { version, config: create, description: `calibração ${c.id}` })
      if (!target) throw ServiceError.notFound(`policy version '${version}' not found`)
      if (c.courseId) {
        await repos.bindings.create(c.tenantId, { courseId: c.courseId, policyVersionId: target.id, taxonomyVersionId: null, activeFrom: today })
      } else {
        await repos.policies.setDefault(c.tenantId, target.id)
      }
      // The calibration records its version in the same transaction as the switch.
      const updated = markActivated ? await createCalibrationsRepository(tx).markActivated(c.tenantId, c.id, target.version, ctx.clock()) : c
      return { target, updated: updated ?? c }
    },
    ({ target }) => ({
      action: markActivated ? 'calibration.activated' : 'calibration.reverted',
      actorKeyId,
      target: c.id,
      payload: { policy_version: target.version, course_id: c.courseId },
    }),
  )
  ctx.versions.invalidate(c.tenantId)
  return updated
}

/** "Never by score" is a threshold past 100 in the search; a policy says it as 100. */
const capped = (t: ThresholdPair): ThresholdPair => ({ score_deferido: Math.min(100, t.score_deferido), score_revisao: Math.min(100, t.score_revisao) })

/** The base policy with the proposed thresholds (per language too when the calibration chose them so). */
function calibratedPolicy(base: Policy, t: CalibrationThresholds): Policy {
  const perLanguage = t.por_idioma ? Object.fromEntries(Object.entries(t.por_idioma).map(([lang, pair]) => [lang, capped(pair)])) : null
  return PolicySchema.parse({
    ...base,
    pontuacao: 'modelo',
    modelo: { ...base.modelo, ...capped(t), limiares_por_idioma: perLanguage },
  })
}

/**
 * Activates a proposal: its policy version (the base policy with the proposed thresholds) is created
 * the first time and made current; activating it again makes the same version current again.
 */
export async function activateCalibration({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { tenantId: string; id: string; actorKeyId: string }
}): Promise<Calibration> {
  const c = await getCalibration({ ctx, input })
  if (c.jobStatus !== 'done' || !c.thresholds) throw ServiceError.conflict(`the calibration is ${c.jobStatus}, not done: there is nothing to activate yet`)
  const version = c.activatedPolicyVersion ?? `${c.basePolicyVersion}-cal-${c.id.slice(0, 8)}`
  const config = c.activatedPolicyVersion ? null : calibratedPolicy((await storedBase(ctx, c)).policy, c.thresholds)
  return makeCurrent(ctx, c, version, input.actorKeyId, config, true)
}

/** Makes the calibrated policy's predecessor current again (the calibration's row is kept as it is). */
export async function revertCalibration({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { tenantId: string; id: string; actorKeyId: string }
}): Promise<Calibration> {
  const c = await getCalibration({ ctx, input })
  if (c.basePolicyVersion === BUILTIN_POLICY_VERSION) {
    throw ServiceError.conflict('the calibration started from the built-in policy, which has no stored version to make current')
  }
  if (c.status !== 'ativada') throw ServiceError.conflict('the calibration was never activated: there is nothing to revert')
  await makeCurrent(ctx, c, c.basePolicyVersion, input.actorKeyId, null, false)
  return c
}
