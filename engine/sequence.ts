import { collapseSpaces } from './text/chars'
import { fold } from './text/fold'

/**
 * Course titles carry sequence markers (`Cálculo 1`, `Calculus II`, `Spanish 1B`, `Elementary
 * French`, `Introdução à Economia` / `Economia Avançada`). A reviewer never credits a different
 * member of the same sequence: Cálculo 1 does not replace Cálculo 2, however alike the words.
 */

export interface TitleInfo {
  /** The title without a leading catalogue code (`MATH 31`) and without the sequence marker. */
  base: string
  /** Position in a sequence (number × 10 + letter: `1` → 10, `1B` → 12, `II` → 20; level words 1–3), or null. */
  ordinal: number | null
  /** Which kind of marker gave the ordinal: numbers and level words are compared separately. */
  markerKind: 'numero' | 'nivel' | null
}

const CATALOGUE_CODE = /^\s*[A-Z][A-Z&]{1,5}\s?-?\d{1,4}[A-Z]{0,3}\b[\s:.-]*(?=\S)/
/** Titles at least this alike (Dice of stems) name one course family. */
const SAME_FAMILY = 0.75
const ROMAN: Record<string, number> = { i: 1, ii: 2, iii: 3, iv: 4, v: 5, vi: 6, vii: 7, viii: 8 }
const TRAILING_NUMBER = /(?:^|\s|-)(?:(\d{1,2})([a-d])?|(i{1,3}|iv|vi{0,3}))\s*(?:\([^)]*\))?\s*$/
const LEVEL_WORDS: [RegExp, number][] = [
  [/\b(?:elementary|beginning|beginner|basic|introductory|introduction|first[- ]?(?:term|year|semester)|basico|basica|introdutori[oa]|introducao|iniciacao|elementar)\b/, 1],
  [/\b(?:intermediate|second[- ]?(?:term|year|semester)|intermediari[oa])\b/, 2],
  [/\b(?:advanced|third[- ]?(?:term|year|semester)|avancad[oa]s?|superior)\b/, 3],
]

const INNER_HYPHEN = /([\p{L}\p{N}])-(?=[\p{L}\p{N}])/gu

/** `Pre-Calculus` → `PreCalculus`; most titles have no hyphen, and then no regex runs. */
function joinInnerHyphens(title: string): string {
  return title.includes('-') ? title.replace(INNER_HYPHEN, '$1') : title
}

/** What an `Introduction to` / `Introdução à` leaves behind. */
const LEFTOVER_PREPOSITION = /^\s*(?:to|a|ao|as|aos|de|da|do|das|dos|em|in)\b/

/** `MATH 31 Precalculus I` → `Precalculus I`. */
export function stripCatalogueCode(nome: string): string {
  return nome.replace(CATALOGUE_CODE, '')
}

export function parseTitle(nome: string, stripCode: boolean): TitleInfo {
  let title = nome
  if (stripCode) title = stripCatalogueCode(title)
  // `Pre-Calculus` / `Precalculus`, `2-D Design` / `2D Design`: one word however it is hyphenated.
  let base = collapseSpaces(joinInnerHyphens(fold(title))).trim()
  const m = TRAILING_NUMBER.exec(base)
  if (m) {
    let ordinal: number | null = null
    if (m[1]) ordinal = Number(m[1]) * 10 + (m[2] ? m[2].charCodeAt(0) - 96 : 0)
    else if (m[3]) ordinal = (ROMAN[m[3]] ?? 0) * 10
    if (ordinal !== null) {
      base = base.slice(0, m.index).trim()
      return { base, ordinal, markerKind: 'numero' }
    }
  }
  for (const [pattern, level] of LEVEL_WORDS) {
    if (pattern.test(base)) {
      const rest = base.replace(pattern, ' ').replace(LEFTOVER_PREPOSITION, ' ').replace(/\s+/g, ' ').trim()
      return { base: rest, ordinal: level, markerKind: 'nivel' }
    }
  }
  return { base, ordinal: null, markerKind: null }
}

/**
 * Two titles are different members of one sequence when both carry a marker of the same kind,
 * the markers differ, and what remains of the titles is the same course name: nearly the same
 * for numbered sequences, exactly the same for level words (`Elementary Italian` vs
 * `Intermediate Italian`; `Intermediate Drawing` vs `Introduction to Drawing for the Major` are
 * different course families whose levels do not line up).
 */
export function isDifferentSequenceMember(a: TitleInfo, b: TitleInfo, baseSimilarity: number): boolean {
  if (a.ordinal === null || b.ordinal === null || a.markerKind !== b.markerKind) return false
  if (a.markerKind === 'nivel') return a.base === b.base && a.ordinal !== b.ordinal
  if (baseSimilarity < SAME_FAMILY) return false
  // `1` and `1A` may name the same first part; only compare the letters when both carry one.
  const lettered = a.ordinal % 10 !== 0 && b.ordinal % 10 !== 0
  const same = lettered ? a.ordinal === b.ordinal : Math.floor(a.ordinal / 10) === Math.floor(b.ordinal / 10)
  return !same
}
