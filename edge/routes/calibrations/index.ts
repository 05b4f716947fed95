import { createRoute, z } from '@hono/zod-openapi'
import type { Calibration } from '../../../db/repositories/calibrations'
import { calibrateMessage } from '../../../jobs/messages'
import {
  activateCalibration,
  agreementOverTime,
  getCalibration,
  listCalibrations,
  requestCalibration,
  revertCalibration,
  runCalibration,
} from '../../../services/calibrations'
import type { ServiceContext } from '../../../services/context'
import type { BatchServices, Services } from '../../context'
import { requireRole } from '../../middleware/auth'
import { rateLimit } from '../../middleware/rate-limit'
import { recordCalibrationAgreement } from './metrics'
import { type App, conflictResponse, errorResponses, jsonContent, notFoundResponse, security } from '../openapi'

/**
 * /v2/admin/calibrations (issue 13): an admin asks for thresholds calibrated on the tenant's reviews
 * (tenant-wide or one course); the request is checked at once (422 with too few reviews) and
 * answered 202 while a job computes it (the worker through QStash, or the in-process runner);
 * `GET .../{id}` shows queued → running → done | failed and, once done, the report — current vs
 * proposed on the same reviewed cases. Activation makes a new policy version current (the old one
 * kept); revert makes the old one current again.
 */

const fraction = z.number().min(0).max(1)
export const CreateCalibrationSchema = z
  .object({
    course_id: z.string().trim().min(1).max(200).nullable().default(null),
    policy_version: z.string().trim().min(1).max(100).optional(),
    precisao_minima_deferido: fraction.default(0.95),
    precisao_minima_indeferido: fraction.default(0.9),
    min_revisoes: z.number().int().min(10).max(100_000).default(30),
    /** Reviews each language needs for thresholds of its own; absent: `min_revisoes`. */
    min_revisoes_por_idioma: z.number().int().min(10).max(100_000).optional(),
  })
  .strict()
  .openapi('CreateCalibration')

const Pair = z.object({ score_deferido: z.number(), score_revisao: z.number() })
const CalibrationSchema = z
  .object({
    id: z.string(),
    status: z.enum(['proposta', 'ativada']),
    /** The computation: queued → running → done | failed (a failed attempt is queued again until the last). */
    job_status: z.enum(['queued', 'running', 'done', 'failed']),
    status_url: z.string(),
    attempts: z.number().int(),
    error: z.string().nullable(),
    course_id: z.string().nullable(),
    base_policy_version: z.string(),
    params: z.record(z.string(), z.unknown()),
    limiares_propostos: Pair.nullable(),
    limiares_propostos_por_idioma: z.record(z.string(), Pair).nullable(),
    activated_policy_version: z.string().nullable(),
    activated_at: z.string().nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    report: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('Calibration')

const CalibrationListSchema = z.object({ items: z.array(CalibrationSchema) }).openapi('CalibrationList')

const MonthSchema = z.object({
  mes: z.string(),
  revisoes: z.number().int(),
  automaticas: z.number().int(),
  concordantes: z.number().int(),
  concordancia: z.number().nullable(),
  concordancia_automaticas: z.number().nullable(),
})
const AgreementSchema = z.object({ course_id: z.string().nullable(), meses: z.array(MonthSchema) }).openapi('ReviewAgreement')

export const calibrationStatusUrl = (id: string) => `/v2/admin/calibrations/${id}`

export const toWire = (c: Calibration): z.infer<typeof CalibrationSchema> => ({
  id: c.id,
  status: c.status,
  job_status: c.jobStatus,
  status_url: calibrationStatusUrl(c.id),
  attempts: c.attempts,
  error: c.jobStatus === 'done' ? null : c.lastError,
  course_id: c.courseId,
  base_policy_version: c.basePolicyVersion,
  params: c.params,
  limiares_propostos: c.thresholds ? { score_deferido: c.thresholds.score_deferido, score_revisao: c.thresholds.score_revisao } : null,
  limiares_propostos_por_idioma: (c.thresholds?.por_idioma as Record<string, z.infer<typeof Pair>> | undefined) ?? null,
  activated_policy_version: c.activatedPolicyVersion,
  activated_at: c.activatedAt?.toISOString() ?? null,
  created_at: c.createdAt.toISOString(),
  started_at: c.startedAt?.toISOString() ?? null,
  finished_at: c.finishedAt?.toISOString() ?? null,
  report: c.report,
})

const IdParam = z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) })
const tags = ['admin: calibrations']

const createRouteDef = createRoute({
  method: 'post',
  path: '/v2/admin/calibrations',
  tags,
  summary: 'Ask for thresholds calibrated on reviewed results: 202 while a job computes them (422 with too few reviews); nothing changes until activation',
  security,
  middleware: [requireRole('admin'), rateLimit('admin')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: CreateCalibrationSchema } } } },
  responses: { 202: jsonContent(CalibrationSchema, 'Queued: poll status_url'), ...errorResponses },
})
const listRouteDef = createRoute({
  method: 'get',
  path: '/v2/admin/calibrations',
  tags,
  summary: "The tenant's calibrations, newest first",
  security,
  middleware: [requireRole('admin'), rateLimit('admin')] as const,
  responses: { 200: jsonContent(CalibrationListSchema, 'Calibrations'), ...errorResponses },
})
const agreementRouteDef = createRoute({
  method: 'get',
  path: '/v2/admin/calibrations/agreement',
  tags,
  summary: 'Engine vs reviewer agreement per month of review (tenant-wide or one course), as of now',
  security,
  middleware: [requireRole('admin'), rateLimit('admin')] as const,
  request: { query: z.object({ course_id: z.string().trim().min(1).max(200).optional() }) },
  responses: { 200: jsonContent(AgreementSchema, 'Agreement per month, newest first'), ...errorResponses },
})
const getRouteDef = createRoute({
  method: 'get',
  path: '/v2/admin/calibrations/{id}',
  tags,
  summary: 'A calibration: its job status and, once done, its report',
  security,
  middleware: [requireRole('admin'), rateLimit('admin')] as const,
  request: { params: IdParam },
  responses: { 200: jsonContent(CalibrationSchema, 'The calibration'), ...errorResponses, ...notFoundResponse },
})
const activateRouteDef = createRoute({
  method: 'post',
  path: '/v2/admin/calibrations/{id}/activate',
  tags,
  summary: 'Create (once) and make current the policy version with the proposed thresholds (409 until done)',
  security,
  middleware: [requireRole('admin'), rateLimit('admin')] as const,
  request: { params: IdParam },
  responses: { 200: jsonContent(CalibrationSchema, 'The activated calibration'), ...errorResponses, ...notFoundResponse, ...conflictResponse },
})
const revertRouteDef = createRoute({
  method: 'post',
  path: '/v2/admin/calibrations/{id}/revert',
  tags,
  summary: 'Make the policy version the calibration started from current again',
  security,
  middleware: [requireRole('admin'), rateLimit('admin')] as const,
  request: { params: IdParam },
  responses: { 200: jsonContent(CalibrationSchema, 'The calibration'), ...errorResponses, ...notFoundResponse, ...conflictResponse },
})

/**
 * Queues a checked calibration with the job transport. Without one (a Workers deployment without
 * QStash), the request computes it itself. A dispatch that fails leaves it queued: the sweeper
 * hands it out again.
 */
export async function startCalibration(
  ctx: ServiceContext,
  services: Pick<Services, 'logger' | 'metrics'>,
  batch: BatchServices | undefined,
  input: Parameters<typeof requestCalibration>[0]['input'],
): Promise<Calibration> {
  const queued = await requestCalibration({ ctx, input })
  if (!batch) {
    const outcome = await runCalibration({ ctx, input: { tenantId: queued.tenantId, id: queued.id } })
    if (outcome.status === 'done') recordCalibrationAgreement(services.metrics, outcome.calibration)
    return getCalibration({ ctx, input: { tenantId: queued.tenantId, id: queued.id } })
  }
  try {
    await batch.dispatcher.dispatch([calibrateMessage(queued.tenantId, queued.id)])
  } catch (err) {
    services.logger.warn('calibration dispatch failed; the sweeper will hand it out', {
      calibration_id: queued.id,
      error: err instanceof Error ? err.name : 'unknown',
    })
  }
  return queued
}

export function registerCalibrationRoutes(app: App): void {
  app.openapi(createRouteDef, async (c) => {
    const body = c.req.valid('json')
    const created = await startCalibration(c.get('ctx'), c.get('services'), c.get('services').batch, {
      tenantId: c.get('tenant').id,
      actorKeyId: c.get('apiKey').id,
      courseId: body.course_id,
      policyVersion: body.policy_version,
      params: {
        precisao_minima_deferido: body.precisao_minima_deferido,
        precisao_minima_indeferido: body.precisao_minima_indeferido,
        min_revisoes: body.min_revisoes,
        min_revisoes_por_idioma: body.min_revisoes_por_idioma ?? body.min_revisoes,
      },
    })
    c.header('Location', calibrationStatusUrl(created.id))
    return c.json(toWire(created), 202)
  })
  app.openapi(listRouteDef, async (c) => {
    const items = await listCalibrations({ ctx: c.get('ctx'), input: { tenantId: c.get('tenant').id } })
    return c.json({ items: items.map(toWire) }, 200)
  })
  app.openapi(agreementRouteDef, async (c) => {
    const courseId = c.req.valid('query').course_id ?? null
    const meses = await agreementOverTime({ ctx: c.get('ctx'), input: { tenantId: c.get('tenant').id, courseId } })
    return c.json({ course_id: courseId, meses }, 200)
  })
  app.openapi(getRouteDef, async (c) => {
    const found = await getCalibration({ ctx: c.get('ctx'), input: { tenantId: c.get('tenant').id, id: c.req.valid('param').id } })
    // The job may have run in a worker: the gauges of this instance learn a finished report here.
    if (found.jobStatus === 'done') recordCalibrationAgreement(c.get('services').metrics, found)
    return c.json(toWire(found), 200)
  })
  app.openapi(activateRouteDef, async (c) => {
    const input = { tenantId: c.get('tenant').id, id: c.req.valid('param').id, actorKeyId: c.get('apiKey').id }
    return c.json(toWire(await activateCalibration({ ctx: c.get('ctx'), input })), 200)
  })
  app.openapi(revertRouteDef, async (c) => {
    const input = { tenantId: c.get('tenant').id, id: c.req.valid('param').id, actorKeyId: c.get('apiKey').id }
    return c.json(toWire(await revertCalibration({ ctx: c.get('ctx'), input })), 200)
  })
}
