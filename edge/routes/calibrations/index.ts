import { createRoute, z } from '@hono/zod-openapi'
import type { Calibration } from '../../../db/repositories/calibrations'
import { activateCalibration, createCalibration, getCalibration, revertCalibration } from '../../../services/calibrations'
import { requireRole } from '../../middleware/auth'
import { rateLimit } from '../../middleware/rate-limit'
import { recordAgreement } from './metrics'
import { type App, conflictResponse, errorResponses, jsonContent, notFoundResponse, security } from '../openapi'

/**
 * /v2/admin/calibrations (issue 13): an admin asks for thresholds calibrated on the tenant's reviews
 * (tenant-wide or one course), reads the report — current vs proposed on the same reviewed cases —
 * and activates it (a new policy version, the old one kept) or reverts to the previous version.
 */

const fraction = z.number().min(0).max(1)
const CreateCalibrationSchema = z
  .object({
    course_id: z.string().trim().min(1).max(200).nullable().default(null),
    policy_version: z.string().trim().min(1).max(100).optional(),
    precisao_minima_deferido: fraction.default(0.95),
    precisao_minima_indeferido: fraction.default(0.9),
    min_revisoes: z.number().int().min(10).max(100_000).default(30),
  })
  .strict()
  .openapi('CreateCalibration')

const CalibrationSchema = z
  .object({
    id: z.string(),
    status: z.enum(['proposta', 'ativada']),
    course_id: z.string().nullable(),
    base_policy_version: z.string(),
    limiares_propostos: z.object({ score_deferido: z.number(), score_revisao: z.number() }),
    activated_policy_version: z.string().nullable(),
    activated_at: z.string().nullable(),
    created_at: z.string(),
    report: z.record(z.string(), z.unknown()),
  })
  .openapi('Calibration')

const toWire = (c: Calibration): z.infer<typeof CalibrationSchema> => ({
  id: c.id,
  status: c.status,
  course_id: c.courseId,
  base_policy_version: c.basePolicyVersion,
  limiares_propostos: c.thresholds,
  activated_policy_version: c.activatedPolicyVersion,
  activated_at: c.activatedAt?.toISOString() ?? null,
  created_at: c.createdAt.toISOString(),
  report: c.report,
})

const IdParam = z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) })
const tags = ['admin: calibrations']

const createRouteDef = createRoute({
  method: 'post',
  path: '/v2/admin/calibrations',
  tags,
  summary: 'Calibrate the model thresholds on reviewed results (422 with too few reviews); nothing changes until activation',
  security,
  middleware: [requireRole('admin'), rateLimit('admin')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: CreateCalibrationSchema } } } },
  responses: { 201: jsonContent(CalibrationSchema, 'The proposal and its report'), ...errorResponses },
})
const getRouteDef = createRoute({
  method: 'get',
  path: '/v2/admin/calibrations/{id}',
  tags,
  summary: 'A calibration and its report',
  security,
  middleware: [requireRole('admin'), rateLimit('admin')] as const,
  request: { params: IdParam },
  responses: { 200: jsonContent(CalibrationSchema, 'The calibration'), ...errorResponses, ...notFoundResponse },
})
const activateRouteDef = createRoute({
  method: 'post',
  path: '/v2/admin/calibrations/{id}/activate',
  tags,
  summary: 'Create (once) and make current the policy version with the proposed thresholds',
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

export function registerCalibrationRoutes(app: App): void {
  app.openapi(createRouteDef, async (c) => {
    const body = c.req.valid('json')
    const created = await createCalibration({
      ctx: c.get('ctx'),
      input: {
        tenantId: c.get('tenant').id,
        actorKeyId: c.get('apiKey').id,
        courseId: body.course_id,
        policyVersion: body.policy_version,
        params: {
          precisao_minima_deferido: body.precisao_minima_deferido,
          precisao_minima_indeferido: body.precisao_minima_indeferido,
          min_revisoes: body.min_revisoes,
        },
      },
    })
    const report = created.report as { revisoes: number; concordancia: { atual: number; proposto: number } }
    recordAgreement(c.get('services').metrics, {
      tenant: c.get('tenant').id,
      course: created.courseId,
      cases: report.revisoes,
      atual: report.concordancia.atual,
      proposto: report.concordancia.proposto,
    })
    return c.json(toWire(created), 201)
  })
  app.openapi(getRouteDef, async (c) => {
    const found = await getCalibration({ ctx: c.get('ctx'), input: { tenantId: c.get('tenant').id, id: c.req.valid('param').id } })
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
