import { createCalibrationsRepository, type Calibration } from '../db/repositories/calibrations'
import { DEFAULT_POLICY, PolicySchema, type Policy } from '../engine/index'
import { resolveScorer } from '../engine/model/registry'
import { audited } from './audited'
import { buildCalibrationReport, type CalibrationParams } from './calibration-report'
import type { ServiceContext } from './context'
import { ServiceError } from './errors'
import { BUILTIN_POLICY_VERSION } from './resolve-versions'

/**
 * Per-tenant calibration of the scoring model's thresholds from reviews (issue 13): compute a
 * proposal and its report (stored, nothing changes), then an admin activates it — a new policy
 * version with the proposed `modelo` thresholds, made the tenant's default or bound to the course.
 * The previous version stays and can be made current again (`revertCalibration`).
 */

/** Most reviewed results one calibration reads (newest first). */
const MAX_CASES = 5000

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

export async function createCalibration({ ctx, input }: { ctx: ServiceContext; input: CreateCalibrationInput }): Promise<Calibration> {
  const { tenantId, params } = input
  const base = await basePolicy(ctx, tenantId, input.policyVersion)
  const scorer = resolveScorer({ ...base.policy, pontuacao: 'modelo' })
  if (!scorer.model) throw ServiceError.validation([{ loc: ['body', 'policy_version'], msg: 'policy has no model to calibrate', type: 'value_error' }])
  const repo = createCalibrationsRepository(ctx.db)
  const cases = await repo.reviewedResults(tenantId, { courseId: input.courseId, limit: MAX_CASES })
  if (cases.length < params.min_revisoes) {
    const where = input.courseId ? `course '${input.courseId}'` : 'the tenant'
    throw ServiceError.validation([
      {
        loc: ['body', 'min_revisoes'],
        msg: `${cases.length} reviewed result(s) with stored inputs for ${where}; a calibration needs at least ${params.min_revisoes}`,
        type: 'value_error',
      },
    ])
  }
  const { thresholds, report } = await buildCalibrationReport({
    cases,
    policy: base.policy,
    model: scorer.model,
    current: scorer.thresholds,
    currentByLanguage: scorer.byLanguage,
    params,
    referenceDate: ctx.clock().toISOString().slice(0, 10),
  })
  return audited(
    ctx,
    tenantId,
    (_repos, tx) =>
      createCalibrationsRepository(tx).create(tenantId, {
        courseId: input.courseId,
        basePolicyVersion: base.version,
        params: params as unknown as Record<string, unknown>,
        thresholds,
        report: report as unknown as Record<string, unknown>,
      }),
    (c) => ({
      action: 'calibration.created',
      actorKeyId: input.actorKeyId,
      target: c.id,
      payload: { course_id: c.courseId, base_policy_version: c.basePolicyVersion, revisoes: report.revisoes },
    }),
  )
}

export async function getCalibration({ ctx, input }: { ctx: ServiceContext; input: { tenantId: string; id: string } }): Promise<Calibration> {
  const c = await createCalibrationsRepository(ctx.db).get(input.tenantId, input.id)
  if (!c) throw ServiceError.notFound('Calibration not found')
  return c
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
  const version = c.activatedPolicyVersion ?? `${c.basePolicyVersion}-cal-${c.id.slice(0, 8)}`
  let config: Policy | null = null
  if (!c.activatedPolicyVersion) {
    const base = await basePolicy(ctx, c.tenantId, c.basePolicyVersion === BUILTIN_POLICY_VERSION ? undefined : c.basePolicyVersion)
    // "Never by score" is a threshold past 100 in the search; a policy says it as 100.
    const t = { score_deferido: Math.min(100, c.thresholds.score_deferido), score_revisao: Math.min(100, c.thresholds.score_revisao) }
    config = PolicySchema.parse({ ...base.policy, pontuacao: 'modelo', modelo: { ...base.policy.modelo, ...t } })
  }
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
  await makeCurrent(ctx, c, c.basePolicyVersion, input.actorKeyId, null, false)
  return c
}
