import { createRoute, z } from '@hono/zod-openapi'
import { verifyAudit } from '../../../db/repositories/audit'
import { ApiError } from '../../errors'
import { type App, errorResponses, jsonContent, security } from '../openapi'

const REASONS = [
  'missing_row',
  'prev_hash_mismatch',
  'hash_mismatch',
  'anchor_mismatch',
  'result_mismatch',
  'result_missing',
  'result_unaudited',
] as const

const VerificationSchema = z
  .object({
    ok: z.boolean(),
    checked: z.number().int().openapi({ description: 'Audit events whose links were verified.' }),
    results: z.number().int().openapi({ description: 'Stored results found matching their events.' }),
    broken_at: z.number().int().nullable().openapi({ description: 'Seq of the broken event (0: a result with no event).' }),
    reason: z.enum(REASONS).nullable(),
    result_id: z.string().nullable().openapi({ description: 'The result concerned, for the result_* reasons.' }),
    head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
  })
  .openapi('AuditVerification')

const AnchorQuery = z.object({
  anchor_seq: z.coerce.number().int().positive().optional().openapi({ description: 'Seq of a head stored earlier, outside the database.' }),
  anchor_hash: z.string().regex(/^[0-9a-f]{64}$/).optional().openapi({ description: 'Its hash; both or neither.' }),
})

const verifyRoute = createRoute({
  method: 'get',
  path: '/admin/audit/verify',
  tags: ['admin: audit'],
  summary: 'Recompute the tenant’s audit chain, compare every stored result with its event, and check an anchor',
  description:
    'Walks the hash chain from seq 1, then compares every stored result with the event that recorded it ' +
    '(an edited, swapped or deleted result, or one without an event, is reported). With `anchor_seq` and ' +
    '`anchor_hash` (a head from GET /admin/audit/head kept outside the database), the chain must still ' +
    'hold that exact event: a rewrite from any earlier seq, or a cut of the newest events, fails.',
  security,
  request: { query: AnchorQuery },
  responses: { 200: jsonContent(VerificationSchema, 'Verification result'), ...errorResponses },
})

const HeadSchema = z
  .object({
    seq: z.number().int(),
    hash: z.string(),
    created_at: z.string(),
  })
  .nullable()
  .openapi('AuditHead')

const headRoute = createRoute({
  method: 'get',
  path: '/admin/audit/head',
  tags: ['admin: audit'],
  summary: 'The newest audit event’s (seq, hash): an anchor to store outside the database',
  description:
    'The chain is unkeyed: whoever can write the table can rewrite it from some seq on. Store this head ' +
    'elsewhere (a ticket, a log archive, a backup manifest) and pass it to /admin/audit/verify or ' +
    '`npm run db:verify-audit -- <slug> --anchor <seq>:<hash>` later. `null` before the first event.',
  security,
  responses: { 200: jsonContent(HeadSchema, 'The head'), ...errorResponses },
})

export function registerAuditRoutes(app: App): void {
  app.openapi(verifyRoute, async (c) => {
    const { anchor_seq: seq, anchor_hash: hash } = c.req.valid('query')
    if ((seq === undefined) !== (hash === undefined)) {
      const missing = seq === undefined ? 'anchor_seq' : 'anchor_hash'
      throw ApiError.validation([{ loc: ['query', missing], msg: 'anchor_seq and anchor_hash go together', type: 'missing' }])
    }
    const anchor = seq !== undefined && hash !== undefined ? { seq, hash } : undefined
    const v = await verifyAudit(c.get('ctx').db, c.get('tenant').id, { anchor })
    return c.json(
      v.ok
        ? { ok: true, checked: v.checked, results: v.results, broken_at: null, reason: null, result_id: null, head: v.head }
        : { ok: false, checked: v.checked, results: v.results, broken_at: v.brokenAt, reason: v.reason, result_id: v.resultId ?? null, head: null },
      200,
    )
  })

  app.openapi(headRoute, async (c) => {
    const head = await c.get('ctx').repos.audit.head(c.get('tenant').id)
    return c.json(head && { seq: head.seq, hash: head.hash, created_at: head.createdAt.toISOString() }, 200)
  })
}
