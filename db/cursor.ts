import { sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { z } from 'zod'
import { DataError } from './errors'

/**
 * Opaque keyset-pagination cursors. A cursor is base64url JSON of the sort key of the last row a
 * page returned; clients must not build or read them. A cursor that does not decode to the
 * expected shape is the client's mistake (INVALID_CURSOR → 422), never a database error.
 */
export function encodeCursor(key: unknown): string {
  return btoa(JSON.stringify(key)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

export function decodeCursor<T>(cursor: string, shape: z.ZodType<T>): T {
  try {
    const json = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))
    return shape.parse(JSON.parse(json))
  } catch {
    throw new DataError('INVALID_CURSOR', 'cursor is not one this API returned')
  }
}

/** Sort key of lists ordered newest first: Postgres's own text of created_at (microseconds kept) and the id. */
export const CreatedAtIdCursor = z.tuple([
  z.string().regex(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)$/),
  z.uuid(),
])

export const DEFAULT_PAGE_SIZE = 50
export const MAX_PAGE_SIZE = 500

export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE
  return Math.min(Math.max(1, Math.trunc(limit)), MAX_PAGE_SIZE)
}

export interface Page<T> {
  items: T[]
  /** Pass back to get the next page; null on the last page. */
  nextCursor: string | null
}

/** The text of `created_at` that a newest-first cursor carries (select it as `cursorAt`). */
export const cursorAtOf = (createdAt: AnyPgColumn) => sql<string>`${createdAt}::text`

/** Condition for "rows after this cursor" in a list ordered by `created_at DESC, id DESC`. */
export function newestFirstAfter(
  createdAt: AnyPgColumn,
  id: AnyPgColumn,
  cursor: string | undefined,
): SQL | undefined {
  if (!cursor) return undefined
  const [at, lastId] = decodeCursor(cursor, CreatedAtIdCursor)
  return sql`(${createdAt}, ${id}) < (${at}::timestamptz, ${lastId}::uuid)`
}

/** Cuts the `limit + 1` rows a newest-first query fetched into a page and the cursor of the next one. */
export function newestFirstPage<T extends { cursorAt: string; id: string }>(
  rows: T[],
  limit: number,
): Page<Omit<T, 'cursorAt'>> {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: page.map(({ cursorAt: _cursorAt, ...row }) => row),
    nextCursor: rows.length > limit && last ? encodeCursor([last.cursorAt, last.id]) : null,
  }
}
