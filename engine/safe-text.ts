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

type Pending = { value: unknown; key: string | number; parent: Pending | null }

function pathOf(entry: Pending, last?: string): (string | number)[] {
  const path: (string | number)[] = last === undefined ? [] : [last]
  let e = entry
  while (e.parent) {
    path.push(e.key)
    e = e.parent
  }
  return path.reverse()
}

/**
 * The path of the first string (value or object key) in a JSON value that is not safe text, or null.
 * Iterative, so a deeply nested hostile body cannot exhaust the stack. Each pending value keeps only
 * its parent's entry and its own key; the path is put together for the unsafe string alone, so a
 * safe body (nearly every one) allocates no path at all.
 */
export function findUnsafeText(value: unknown): (string | number)[] | null {
  const stack: Pending[] = [{ value, key: '', parent: null }]
  while (stack.length > 0) {
    const entry = stack.pop()!
    const v = entry.value
    if (typeof v === 'string') {
      if (!isSafeText(v)) return pathOf(entry)
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: entry })
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v)
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!
        if (!isSafeText(key)) return pathOf(entry, key)
        stack.push({ value: (v as Record<string, unknown>)[key], key, parent: entry })
      }
    }
  }
  return null
}
