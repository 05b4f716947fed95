import { z } from 'zod'

/**
 * Text a database can store as sent. A JavaScript string may hold NUL (U+0000) and unpaired UTF-16
 * surrogates; Postgres `text` and `jsonb` refuse NUL (and jsonb a `\ud800` escape), and an unpaired
 * surrogate is silently turned into U+FFFD on its way to UTF-8 — either way a request that passed
 * validation would fail later (a 500) or be stored other than sent. So every string at a boundary is
 * checked: `safeText()` in a zod schema, or `findUnsafeText()` over a whole JSON body (object keys
 * included), and the request is refused with a 422 naming the field.
 *
 * With the `u` flag a surrogate pair is one code point, so `\p{Cs}` matches only an unpaired one.
 */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSAFE = /[\u0000\p{Cs}]/u

export const UNSAFE_TEXT_MESSAGE = 'String must not contain NUL characters or unpaired surrogates'
export const UNSAFE_TEXT_TYPE = 'string_unsafe_characters'

export function isSafeText(text: string): boolean {
  return !UNSAFE.test(text)
}

/** A zod string that refuses NUL and unpaired surrogates: `safeText()`, or `safeText(z.string().min(1))`. */
export function safeText(schema: z.ZodString = z.string()): z.ZodString {
  return schema.refine(isSafeText, { message: UNSAFE_TEXT_MESSAGE })
}

/**
 * The path of the first string (value or object key) in a JSON value that is not safe text, or null.
 * Iterative, so a deeply nested hostile body cannot exhaust the stack.
 */
export function findUnsafeText(value: unknown): (string | number)[] | null {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }]
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!
    if (typeof v === 'string') {
      if (!isSafeText(v)) return path
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, i] })
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v)
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!
        if (!isSafeText(key)) return [...path, key]
        stack.push({ value: child, path: [...path, key] })
      }
    }
  }
  return null
}
