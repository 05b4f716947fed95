import { z } from '@hono/zod-openapi'

/**
 * Pydantic v2's lax-mode coercions, which the replaced service's clients rely on: numbers and
 * booleans sent as strings (`"60"`, `"true"`), integral floats for ints (`60.0`). Values that do
 * not coerce are left as they are, so the schema after the preprocess reports them.
 */

const INT_TEXT = /^[+-]?\d+$/
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const TRUE_TEXT = new Set(['1', 'true', 't', 'yes', 'y', 'on'])
const FALSE_TEXT = new Set(['0', 'false', 'f', 'no', 'n', 'off'])

export function coerceInt(value: unknown): unknown {
  if (typeof value === 'string') {
    const t = value.trim()
    return INT_TEXT.test(t) ? Number(t) : value
  }
  return value
}

export function coerceNumber(value: unknown): unknown {
  if (typeof value === 'string') {
    const t = value.trim()
    return NUMBER_TEXT.test(t) ? Number(t) : value
  }
  return value
}

export function coerceBool(value: unknown): unknown {
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase()
    if (TRUE_TEXT.has(t)) return true
    if (FALSE_TEXT.has(t)) return false
    return value
  }
  if (value === 1 || value === 0) return value === 1
  return value
}

/** Labels and ids: pydantic refuses a number for a `str`; we take it as its text (more lenient). */
export function coerceText(value: unknown): unknown {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : value
}

export const laxInt = <T extends z.ZodType>(schema: T) => z.preprocess(coerceInt, schema)
export const laxNumber = <T extends z.ZodType>(schema: T) => z.preprocess(coerceNumber, schema)
export const laxBool = <T extends z.ZodType>(schema: T) => z.preprocess(coerceBool, schema)
export const laxText = <T extends z.ZodType>(schema: T) => z.preprocess(coerceText, schema)

/** Python's `round()` (half to even), which the original applied to its 0–100 score. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x)
  const diff = x - floor
  // Scores are computed in floating point; within 1e-9 of .5 counts as a tie.
  if (Math.abs(diff - 0.5) < 1e-9) return floor % 2 === 0 ? floor : floor + 1
  return Math.round(x)
}
