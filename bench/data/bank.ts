/**
 * The hand-written course bank the dev set is assembled from.
 *
 * Each file in `bank/` holds the courses of one area. A course has two or three versions: the same
 * course as two or three different institutions would word it in their catalogue (independently
 * written, reordered, with minor topics added or missing). Courses of one sequence share a `family`
 * and carry their `step` in it (Cálculo 1 → 2, Elementary → Intermediate). A course written only as
 * the near miss of another (algebra-based vs calculus-based physics) may have a single version and
 * names that course in `near`.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'

export const AREAS = [
  'computing',
  'mathematics',
  'physics',
  'chemistry',
  'biology',
  'health',
  'law',
  'economics_business',
  'engineering',
  'languages_letters',
  'social_sciences',
  'education',
] as const

export const CourseTextSchema = z.strictObject({
  nome: z.string().min(3),
  /** Hours; Portuguese catalogues give it, English ones do not (the assembler forces null for `en`). */
  carga_horaria: z.number().int().positive().nullable(),
  ementa: z.string().min(10),
})
export type CourseText = z.infer<typeof CourseTextSchema>

export const BankCourseSchema = z.strictObject({
  /** Stable key, unique over the whole bank; pair ids are built from it. */
  key: z.string().regex(/^[a-z0-9-]+$/),
  lang: z.enum(['pt', 'en']),
  /** Which file the course feeds. A whole family must sit in one split. */
  split: z.enum(['dev', 'holdout']),
  family: z.string().optional(),
  step: z.number().int().positive().optional(),
  versions: z.array(CourseTextSchema).min(1).max(3),
  /** Topics an origin course may cover beyond the target (appended to build "origin has more" pairs). */
  extra: z.string().optional(),
  /** A very short catalogue entry of the same course (a title-like sentence or two). */
  short: CourseTextSchema.optional(),
  /**
   * The same course as a curriculum with another structure describes it: another title, another
   * grain (a one-line generic entry, or a module of an integrated course), little shared wording.
   */
  loose: CourseTextSchema.optional(),
  /**
   * Courses (same split and language) that share most of this one's vocabulary but are not
   * equivalent to it: another level, audience or scope of the same subject.
   */
  near: z.array(z.string()).optional(),
  /**
   * Courses that cover this one's content and more (a higher level, a wider scope). Only this →
   * them is a negative (the origin lacks content); the reverse is left out of the set, because a
   * course that covers more may well be credited for a narrower one.
   */
  coveredBy: z.array(z.string()).optional(),
})
export type BankCourse = z.infer<typeof BankCourseSchema> & { area: Area }
export type Area = (typeof AREAS)[number]

const BankFileSchema = z.strictObject({
  area: z.enum(AREAS),
  courses: z.array(BankCourseSchema).min(1),
})

/** Reads every `bank/*.json`, validates it, and returns the courses in a stable order. */
export function loadBank(dir: string): BankCourse[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
  const courses: BankCourse[] = []
  for (const file of files) {
    const parsed = BankFileSchema.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')))
    if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`)
    for (const c of parsed.data.courses) courses.push({ ...c, area: parsed.data.area })
  }
  checkBank(courses)
  return courses
}

function checkBank(courses: BankCourse[]): void {
  const byKey = new Map(courses.map((c) => [c.key, c]))
  for (const c of courses) {
    for (const k of [...(c.near ?? []), ...(c.coveredBy ?? [])]) {
      const other = byKey.get(k)
      if (!other || other.split !== c.split || other.lang !== c.lang)
        throw new Error(`${c.key}: bad near ${k}`)
    }
  }
  const keys = new Set<string>()
  const familySplit = new Map<string, string>()
  for (const c of courses) {
    if (keys.has(c.key)) throw new Error(`duplicate course key ${c.key}`)
    keys.add(c.key)
    if (c.family !== undefined) {
      if (c.step === undefined) throw new Error(`${c.key}: a family member needs a step`)
      const split = familySplit.get(c.family)
      if (split !== undefined && split !== c.split) throw new Error(`family ${c.family} spans both splits`)
      familySplit.set(c.family, c.split)
    }
  }
}
