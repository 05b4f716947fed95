/**
 * Splits a syllabus into its topics. A syllabus is a list of topics written in many ways:
 * numbered (`1 - HISTORICO 2 - DOUTRINA`, `1.`, `1)`, `(a)`), separated by semicolons, periods
 * (often with no space after them), dashes, bullets or line breaks.
 */
import { isSpace } from './text/chars'

export interface TopicSpan {
  text: string
  inicio: number
  fim: number
}

const MAX_TOPICS = 200

export function splitTopics(syllabus: string, end = syllabus.length): TopicSpan[] {
  const topics: TopicSpan[] = []
  let from = 0
  const push = (to: number) => {
    let a = from
    let b = Math.min(to, end)
    while (a < b && isTrimmable(syllabus.charCodeAt(a))) a++
    while (b > a && isTrimmable(syllabus.charCodeAt(b - 1))) b--
    if (b > a && topics.length < MAX_TOPICS && hasTwoLetters(syllabus, a, b)) topics.push({ text: syllabus.slice(a, b), inicio: a, fim: b })
  }
  for (let i = 0; i < end; ) {
    // Nearly every character is a plain letter: one table look-up rules it out.
    const c = syllabus.charCodeAt(i)
    const length = c < 128 && !MAY_START_SEPARATOR[c] && i > 0 ? 0 : separatorAt(syllabus, i)
    if (length === 0) {
      i++
      continue
    }
    push(i)
    from = i + length
    i = from
  }
  push(end)
  return topics
}

/** ASCII characters a separator can start with: line breaks, `;`, `|`, `.`, digits and blanks. */
const MAY_START_SEPARATOR = new Uint8Array(128)
for (const c of '\t\n\v\f\r ;|.0123456789') MAY_START_SEPARATOR[c.charCodeAt(0)] = 1

/**
 * The length of the separator that starts at `i`, or 0. A hand-written scanner (the topic split
 * ran once per evaluation as a regex and was among its costliest steps); it answers exactly as the
 * regex it replaced, which tried these alternatives in this order at each position:
 *
 *     [\n\r;•·▪●|]+                                            line breaks, semicolons, bullets
 *     (?<!\d)\.  |  \.(?!\d)                                   a period, not one inside a number (`2.1`)
 *     \s[-–—]+\s  |  [–—]                                      dashes used as separators, not hyphens
 *     (?<=^|[\s.;:,])\d{1,2}(?:\.\d{1,2})*\s*[-.)](?=\s*\p{L}) numbered items: `1 -`, `1.`, `1)`, `2.3 -`
 *     (?:^|\s)\(?[a-h]\)\s                                     lettered items: `(a)`, `a)`
 *
 * (`\s` and `\p{L}` in their Unicode sense.)
 */
function separatorAt(s: string, i: number): number {
  const c = s.charCodeAt(i)
  if (isListBreak(c)) {
    let j = i + 1
    while (j < s.length && isListBreak(s.charCodeAt(j))) j++
    return j - i
  }
  if (c === 46 /* . */) return !isDigit(s.charCodeAt(i - 1)) || !isDigit(s.charCodeAt(i + 1)) ? 1 : 0
  if (c === 0x2013 || c === 0x2014) return 1
  if (isDigit(c)) return i === 0 || isSpace(s.charCodeAt(i - 1)) || isItemPunctuation(s.charCodeAt(i - 1)) ? numberedItemAt(s, i) : 0
  if (isSpace(c)) {
    let j = i + 1
    while (isDash(s.charCodeAt(j))) j++
    if (j > i + 1 && isSpace(s.charCodeAt(j))) return j + 1 - i
    const itemEnd = letteredItemEnd(s, i + 1)
    return itemEnd < 0 ? 0 : itemEnd - i
  }
  // At the very start a lettered item needs no blank before it.
  return i === 0 ? Math.max(0, letteredItemEnd(s, 0)) : 0
}

/**
 * `\d{1,2}(?:\.\d{1,2})*\s*[-.)]` followed by optional blanks and a letter, from a digit at `i`;
 * the end of the item or 0 when it is not one. Greedy reading is the only one that can succeed:
 * giving back a digit or a `.N` group leaves a digit where a `.`, a blank or a letter is needed.
 */
function numberedItemAt(s: string, i: number): number {
  let j = i + (isDigit(s.charCodeAt(i + 1)) ? 2 : 1)
  while (s.charCodeAt(j) === 46 && isDigit(s.charCodeAt(j + 1))) j += isDigit(s.charCodeAt(j + 2)) ? 3 : 2
  while (isSpace(s.charCodeAt(j))) j++
  const marker = s.charCodeAt(j)
  if (marker !== 45 /* - */ && marker !== 46 /* . */ && marker !== 41 /* ) */) return 0
  let k = j + 1
  while (isSpace(s.charCodeAt(k))) k++
  return isLetterAt(s, k) ? j + 1 - i : 0
}

/** Where `\(?[a-h]\)\s` starting at `i` ends, or -1 when there is none. */
function letteredItemEnd(s: string, i: number): number {
  let j = i
  if (s.charCodeAt(j) === 40 /* ( */) j++
  const letter = s.charCodeAt(j)
  const isItem = letter >= 97 /* a */ && letter <= 104 /* h */ && s.charCodeAt(j + 1) === 41 /* ) */ && isSpace(s.charCodeAt(j + 2))
  return isItem ? j + 3 : -1
}

/** `[\n\r;•·▪●|]` */
function isListBreak(c: number): boolean {
  return c === 10 || c === 13 || c === 59 || c === 124 || c === 0x2022 || c === 0xb7 || c === 0x25aa || c === 0x25cf
}

function isDash(c: number): boolean {
  return c === 45 || c === 0x2013 || c === 0x2014
}

/** `[.;:,]`: what may stand right before an item number. */
function isItemPunctuation(c: number): boolean {
  return c === 46 || c === 59 || c === 58 || c === 44
}

/** `\d`; NaN (outside the string) is not a digit. */
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

const LETTER = /^\p{L}$/u
/** Whether each UTF-16 code unit is a letter: 1 no, 2 yes, 0 not yet known. */
const letterCodes = new Uint8Array(65_536)

/** Whether `\p{L}` matches the code point at `i` (a surrogate pair is one code point). */
function isLetterAt(s: string, i: number): boolean {
  return letterLength(s, i, s.length) > 0
}

/** The length (1 or 2 code units) of the letter at `i` when it ends before `end`, else 0. */
function letterLength(s: string, i: number, end: number): number {
  if (i >= end) return 0
  const c = s.charCodeAt(i)
  if (c >= 0xd800 && c <= 0xdbff) {
    const low = s.charCodeAt(i + 1)
    if (i + 1 < end && low >= 0xdc00 && low <= 0xdfff) return LETTER.test(s.slice(i, i + 2)) ? 2 : 0
    return 0
  }
  let known = letterCodes[c]!
  if (known === 0) {
    known = LETTER.test(String.fromCharCode(c)) ? 2 : 1
    letterCodes[c] = known
  }
  return known === 2 ? 1 : 0
}

/** `/\p{L}{2}/u.test(s.slice(a, b))`: two letters in a row, without slicing. */
function hasTwoLetters(s: string, a: number, b: number): boolean {
  let previousWasLetter = false
  for (let i = a; i < b; ) {
    const length = letterLength(s, i, b)
    if (length > 0 && previousWasLetter) return true
    previousWasLetter = length > 0
    i += length > 0 ? length : 1
  }
  return false
}

/** Whitespace and the punctuation that wraps a topic (`,`, `:`, quotes, brackets). */
function isTrimmable(c: number): boolean {
  return c <= 32 || c === 44 || c === 58 || c === 46 || c === 45 || c === 34 || c === 39 || c === 40 || c === 41
}
