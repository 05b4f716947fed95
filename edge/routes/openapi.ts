import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../context'
import { ApiError } from '../errors'
import { toValidationIssues } from '../../engine/index'

/** The app type every `registerX(app)` takes. */
export type App = OpenAPIHono<AppEnv>

/**
 * Request validation failures become the FastAPI 422 shape. `loc` starts with where the value
 * came from (`body`, `query`, `path`, `header`), as FastAPI's does.
 */
export function createOpenApiApp(): App {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, _c) => {
      if (!result.success) {
        const where = result.target === 'json' ? 'body' : result.target === 'param' ? 'path' : result.target
        throw ApiError.validation(toValidationIssues(result.error, [where]))
      }
    },
  })
}

const ValidationIssueSchema = z.object({
  loc: z.array(z.union([z.string(), z.number()])),
  msg: z.string(),
  type: z.string(),
})
const DetailSchema = z.object({ detail: z.string() }).openapi('ErrorDetail')
const ValidationErrorSchema = z.object({ detail: z.array(ValidationIssueSchema) }).openapi('ValidationError')

const json = <T extends z.ZodType>(schema: T, description: string, example?: unknown) => ({
  description,
  content: { 'application/json': { schema, ...(example === undefined ? {} : { example }) } },
})

/** Error responses spread into every authenticated route's definition. */
export const errorResponses = {
  401: json(DetailSchema, 'Missing X-API-Key / Invalid API key'),
  403: json(DetailSchema, 'The key’s role may not use this route'),
  413: json(DetailSchema, 'Request body too large'),
  422: json(ValidationErrorSchema, 'Invalid request: list of {loc, msg, type}'),
  429: json(DetailSchema, 'Rate limit exceeded (see Retry-After)'),
  503: json(DetailSchema, 'A dependency is unavailable (see Retry-After)'),
} as const

export const notFoundResponse = { 404: json(DetailSchema, 'Not found (or owned by another tenant)') } as const
export const conflictResponse = { 409: json(DetailSchema, 'Conflicts with existing state') } as const
export { json as jsonContent }

export const security = [{ ApiKeyAuth: [] as string[] }]
