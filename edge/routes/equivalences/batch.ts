import { createRoute, z } from '@hono/zod-openapi'
import { validator } from 'hono/validator'
import { EvaluateRequestSchema, toValidationIssues, type EvaluateRequest } from '../../../engine/index'
import { findUnsafeText, UNSAFE_TEXT_MESSAGE, UNSAFE_TEXT_TYPE } from '../../../engine/safe-text'
import { ApiError, type ValidationIssue } from '../../errors'
import { requireRole } from '../../middleware/auth'
import { rateLimit } from '../../middleware/rate-limit'
import type { BatchItemPayload } from '../../../jobs/messages'
import type { ServiceContext } from '../../../services/context'
import { ServiceError } from '../../../services/errors'
import { resolveVersions, type Role } from '../../../services/resolve-versions'
import type { BatchServices } from '../../context'
import { JobStatusSchema } from '../jobs/schemas'
import { batchAcceptedExample, batchRequestExample } from '../examples'
import { type App, errorResponses, jsonContent, security } from '../openapi'
import { acceptBatch, mapInChunks } from './batch-accept'

export { DEFAULT_MAX_BATCH_ITEMS } from './batch-accept'
export const BATCH_PATH = '/v2/equivalences/batch'
/** Both wire versions' batch paths: they get the larger body limit. */
export const BATCH_PATHS: ReadonlySet<string> = new Set([BATCH_PATH, '/v1/equivalences/batch'])

const BatchRequestSchema = z.object({
  items: z.array(EvaluateRequestSchema).min(1),
  /**
   * POSTed (signed, see GET /admin/jobs/callback-secret) when the job finishes. Must be a public
   * host: loopback, private, link-local and other non-public addresses are refused, as are
   * credentials in the URL (unless the deployment sets CALLBACK_ALLOW_PRIVATE_NETWORKS).
   */
  callback_url: z.url({ protocol: /^https?$/ }).max(2000).optional(),
})
const BatchAcceptedSchema = z.object({ job_id: z.uuid(), status: JobStatusSchema, total: z.number().int() })

export type BatchRequest = z.input<typeof BatchRequestSchema>
export type BatchAccepted = z.infer<typeof BatchAcceptedSchema>

const route = createRoute({
  method: 'post',
  path: BATCH_PATH,
  tags: ['equivalences'],
  summary: 'Queue many evaluations at once; poll GET /v2/jobs/{id} or receive callback_url',
  description:
    'Every item is validated first (shape, and that its policy/taxonomy versions exist): any bad item ' +
    'is a 422 naming it as `loc: ["body", "items", i, ...]`, and nothing is created. Items are then ' +
    'evaluated by the workers with the same server-side version resolution as evaluate; each gets ' +
    'exactly one result.',
  security,
  middleware: [requireRole('admin', 'api-client'), rateLimit('batch')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: BatchRequestSchema, example: batchRequestExample } } } },
  responses: { 202: jsonContent(BatchAcceptedSchema, 'Accepted: the job and its items are stored', batchAcceptedExample), ...errorResponses },
})

/**
 * Unknown policy or taxonomy versions would only fail later, item by item; they are checked here,
 * once per distinct combination, and reported at every index that uses them.
 */
async function versionIssues(ctx: ServiceContext, tenantId: string, role: Role, items: EvaluateRequest[], today: string): Promise<ValidationIssue[]> {
  const byCombination = new Map<string, number[]>()
  for (const [i, item] of items.entries()) {
    const key = JSON.stringify([item.course_id, item.policy_version, item.taxonomy_version, item.data_referencia])
    // push, not a spread copy: 10,000 items of one combination copied their list 10,000 times (~0.5 s).
    const indexes = byCombination.get(key)
    if (indexes) indexes.push(i)
    else byCombination.set(key, [i])
  }
  const issues: ValidationIssue[] = []
  for (const indexes of byCombination.values()) {
    const item = items[indexes[0]!]!
    try {
      await resolveVersions({ ctx, input: { tenantId, role, request: { ...item, policy: undefined }, referenceDate: item.data_referencia ?? today } })
    } catch (err) {
      if (!(err instanceof ServiceError) || typeof err.detail === 'string') throw err
      for (const i of indexes) {
        for (const issue of err.detail) issues.push({ ...issue, loc: ['body', 'items', i, ...issue.loc.slice(1)] })
      }
    }
  }
  return issues.sort((a, b) => (a.loc[2] as number) - (b.loc[2] as number))
}

/**
 * What the route validates at once: the envelope. Items are validated by `validateItems`, in slices
 * with a yield between them — zod over 10,000 syllabus pairs in one go holds the event loop for
 * ~100 ms (and the NUL / surrogate walk as long again), which on the embedded default is the API's
 * only thread. Same rules and the same 422 as `BatchRequestSchema`, which still documents the route.
 */
const BatchEnvelopeSchema = BatchRequestSchema.extend({ items: z.array(z.unknown()).min(1) })

async function validateItems(items: readonly unknown[]): Promise<EvaluateRequest[]> {
  const issues: ValidationIssue[] = []
  const parsed = await mapInChunks(items, (item, i) => {
    const unsafe = findUnsafeText(item)
    if (unsafe) {
      issues.push({ loc: ['body', 'items', i, ...unsafe], msg: UNSAFE_TEXT_MESSAGE, type: UNSAFE_TEXT_TYPE })
      return null
    }
    const result = EvaluateRequestSchema.safeParse(item)
    if (!result.success) {
      issues.push(...toValidationIssues(result.error, ['body', 'items', i]))
      return null
    }
    return result.data
  })
  if (issues.length) throw ApiError.validation(issues)
  return parsed as EvaluateRequest[]
}

export function registerBatch(app: App, batch: BatchServices): void {
  // Documented as declared (items: EvaluateRequest[]); served with the envelope validated at once
  // and the items in slices (validateItems), so the route is registered by hand.
  const { middleware, ...documented } = route
  app.openAPIRegistry.registerPath(documented)
  app.post(
    BATCH_PATH,
    ...middleware,
    validator('json', (value) => {
      const result = BatchEnvelopeSchema.safeParse(value)
      if (!result.success) throw ApiError.validation(toValidationIssues(result.error, ['body']))
      return result.data
    }),
    async (c) => {
      const body = c.req.valid('json')
      const tenant = c.get('tenant')
      const role = c.get('apiKey').role
      const job = await acceptBatch(c, batch, {
        count: body.items.length,
        callbackUrl: body.callback_url,
        payloads: async () => {
          const items = await validateItems(body.items)
          const issues = await versionIssues(c.get('ctx'), tenant.id, role, items, c.get('services').clock().toISOString().slice(0, 10))
          if (issues.length) throw ApiError.validation(issues)
          return mapInChunks(items, (request): BatchItemPayload => ({ request, role }))
        },
      })
      return c.json({ job_id: job.id, status: 'QUEUED' as const, total: job.total }, 202)
    },
  )
}
