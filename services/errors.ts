/**
 * The one error services throw. A code says what went wrong in domain terms; each transport maps
 * it once: the edge to an HTTP status (edge/errors.ts `toApiError`), the job runner to retry,
 * give up or dead (jobs/handlers/evaluate-item.ts `outcomeOf`).
 */

/** One `{loc, msg, type}` item of a FastAPI-style 422 body. */
export type ValidationIssue = { loc: (string | number)[]; msg: string; type: string }

export type ServiceErrorCode =
  /** The input names something that does not exist or may not be used (an unknown version): never retried. */
  | 'VALIDATION'
  /** The tenant has no such thing (a foreign id reads as absent). */
  | 'NOT_FOUND'
  /** The input clashes with what is stored (a reused request id, an existing version). */
  | 'CONFLICT'

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    readonly detail: string | ValidationIssue[],
  ) {
    super(typeof detail === 'string' ? detail : detail.map((d) => d.msg).join('; '))
    this.name = 'ServiceError'
  }

  static validation = (issues: ValidationIssue[]) => new ServiceError('VALIDATION', issues)
  static notFound = (what: string) => new ServiceError('NOT_FOUND', what)
  static conflict = (what: string) => new ServiceError('CONFLICT', what)
}
