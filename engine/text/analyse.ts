import { fold, foldCode, foldLatinRange, isLatin } from './fold'
import { boundStemNumbers, contentStem, NO_STEM, stemNumber, stemNumberAt, stemOfNumber, stemTableOf } from './stem'
import type { Language } from './stopwords'

/** A content word of a text, with its exact character span in the original string. */
export interface Token {
  start: number
  end: number
  stem: string
}

/** A text analysed once per evaluation: its content tokens and the set of their stems. */
export interface AnalysedText {
  source: string
  /** Where content ends: catalogue boilerplate after this offset is ignored. */
  contentEnd: number
  tokens: Token[]
  /** stem → index of its first token. */
  stems: Map<string, number>
  /** The distinct stems in order of first appearance. */
  vocabulary: string[]
  /** Memo of stem look-ups into this text (exact or partial), filled by the mapper. */
  lookups: Map<string, { score: number; token: number } | null>
  /*
   * Indexes derived from the text on first use, null until then. They live on the text rather
   * than in WeakMaps keyed by it: a WeakMap entry per text cost more than most of the indexes.
   */
  /** Pairs of stems side by side (`areAdjacent`). */
  adjacentPairs: Set<number> | null
  /** Stems of at least five characters by their first five (the mapper's close-variant search). */
  stemsByPrefix: Map<string, string[]> | null
  /** The mapper's glued-word search: what is left of its budget, and the stems long enough to hold another. */
  glued: { budget: number; long: string[] } | null
}

/**
 * Pairs of stems that stand next to each other somewhere in the text, built on first use. A stem
 * is identified by the index of its first token, so a pair is one number and nothing is allocated
 * per token.
 */
const PAIR_BASE = 1 << 20

export function areAdjacent(text: AnalysedText, a: string, b: string): boolean {
  const ia = text.stems.get(a)
  const ib = text.stems.get(b)
  if (ia === undefined || ib === undefined) return false
  let pairs = text.adjacentPairs
  if (!pairs) {
    pairs = new Set()
    const { tokens, stems } = text
    let previous = -1
    for (const t of tokens) {
      const id = stems.get(t.stem)!
      if (previous >= 0) pairs.add(previous * PAIR_BASE + id)
      previous = id
    }
    text.adjacentPairs = pairs
  }
  return pairs.has(ia * PAIR_BASE + ib) || pairs.has(ib * PAIR_BASE + ia)
}

const UPPER = /^[\p{Lu}]+$/u

/**
 * Catalogue sections that are not course content (US community-college catalogues append
 * justification, grading and transfer notes to the description). Text from the first one on is
 * ignored.
 */
const BOILERPLATE =
  /\b(?:Faculty Requirements|Course Justification|Course Family|Grade Options|Formerly\b|Transferability|Foothill Equivalency|Course Philosophy|Course Development Options|Repeat Limit|Basic Skill Status|Prerequisites?\s*:|Pre-?requisites?\s*:|Co-?requisites?\s*:|Advisory\s*:|Advisories\s*:|Recommended Preparation|Enrollment (?:is )?(?:restricted|limited)|Credit (?:is )?not (?:given|granted)|May be repeated|Not open to|Cross-listed|Transfer Credit|Lecture hours|Lab hours)/i

export function contentEndOf(text: string): number {
  const m = BOILERPLATE.exec(text)
  return m && m.index > 0 ? m.index : text.length
}


const LETTER = 1
const OTHER = 2
const MARK = 3
/** Character classes by UTF-16 code unit, filled on first sight (0 = not yet known). */
const charClasses = new Uint8Array(65_536)
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u
const COMBINING = /\p{M}/u

function classOf(code: number): number {
  const known = charClasses[code]!
  if (known !== 0) return known
  const ch = String.fromCharCode(code)
  const cls = LETTER_OR_DIGIT.test(ch) ? LETTER : COMBINING.test(ch) ? MARK : OTHER
  charClasses[code] = cls
  return cls
}

/** FNV-1a hash of the last word scanned by `wordEnd`, kept in Smi range (a cheap Map key). */
let wordHash = 0

/** End of the word starting at `i`: letters, digits and combining marks. Sets `wordHash`. */
function wordEnd(text: string, i: number): number {
  let h = Math.imul(0x811c9dc5 ^ foldCode(text.charCodeAt(i)), 0x01000193)
  let j = i + 1
  for (; j < text.length; j++) {
    const c = text.charCodeAt(j)
    if (classOf(c) === OTHER) break
    h = Math.imul(h ^ foldCode(c), 0x01000193)
  }
  wordHash = h & 0x3fffffff
  return j
}

/**
 * For each stem number, the last `analyse` call that met it (its serial): a stem seen again in
 * the same text costs an array read, not a Map look-up.
 */
let lastSeenIn: Int32Array = new Int32Array(1 << 12)
let analysisSerial = 0

/**
 * Splits a text into content tokens: folded, stop words dropped, stemmed.
 * Words broken by a line-wrap hyphen (`A- VANCADAS`, `AS-PECTOS`) are rejoined.
 * A hand-written scanner rather than a global regex: no match object per word.
 */
export function analyse(source: string, lang: Language, contentEnd = source.length): AnalysedText {
  // Latin text (nearly every syllabus) is folded character by character while scanning. Other
  // text is folded whole first; when that changes its length (decomposed accents), word by word.
  const latin = isLatin(source)
  const folded = latin ? source : fold(source)
  const sameOffsets = folded.length === source.length
  const text = sameOffsets ? folded : source
  const tokens: Token[] = []
  const stems = new Map<string, number>()
  const vocabulary: string[] = []
  const limit = Math.min(contentEnd, text.length)
  const table = stemTableOf(lang)
  boundStemNumbers()
  if (++analysisSerial === 0x3fffffff) {
    lastSeenIn.fill(0)
    analysisSerial = 1
  }

  let i = 0
  while (i < limit) {
    if (classOf(text.charCodeAt(i)) !== LETTER) {
      i++
      continue
    }
    const start = i
    let segmentStart = start
    let end = wordEnd(text, start)
    const hash = wordHash
    let joined: string | null = null
    // Rejoin `AS-PECTOS`, `A- VANCADAS`: a hyphen, optional blanks, then the rest of the word.
    while (text.charCodeAt(end) === 45 /* - */) {
      let next = end + 1
      while (next < limit && isBlank(text.charCodeAt(next))) next++
      if (next >= limit || classOf(text.charCodeAt(next)) !== LETTER) break
      const nextEnd = wordEnd(text, next)
      if (!isLineWrap(source, segmentStart, end, next, nextEnd)) break
      joined = (joined ?? foldSlice(text, start, end, latin)) + foldSlice(text, next, nextEnd, latin)
      segmentStart = next
      end = nextEnd
    }
    i = end
    const number =
      joined === null && sameOffsets
        ? stemNumberAt(table, text, start, end, hash, latin)
        : stemNumber(contentStem(joined !== null ? (sameOffsets ? joined : fold(joined)) : fold(text.slice(start, end)), lang))
    if (number !== NO_STEM) {
      const s = stemOfNumber(number)
      if (number >= lastSeenIn.length) lastSeenIn = grown(lastSeenIn, number)
      if (lastSeenIn[number] !== analysisSerial) {
        lastSeenIn[number] = analysisSerial
        stems.set(s, tokens.length)
        vocabulary.push(s)
      }
      tokens.push({ start, end, stem: s })
    }
  }
  return { source, contentEnd, tokens, stems, vocabulary, lookups: new Map(), adjacentPairs: null, stemsByPrefix: null, glued: null }
}

function grown(array: Int32Array, index: number): Int32Array {
  const bigger = new Int32Array(Math.max(index + 1, array.length * 2))
  bigger.set(array)
  return bigger
}

function foldSlice(text: string, start: number, end: number, latin: boolean): string {
  return latin ? foldLatinRange(text, start, end) : text.slice(start, end)
}

function isBlank(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9
}

/**
 * `X-Y` is a broken word (not a compound like `socio-economico`) when a space or line break
 * follows the hyphen, when one part is a fragment of one or two letters, or in an all-caps
 * syllabus (old entries were typed in capitals and wrapped by hand).
 */
function isLineWrap(source: string, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (source.charCodeAt(aEnd) !== 45 /* - */) return false
  for (let i = aEnd + 1; i < bStart; i++) if (!isBlank(source.charCodeAt(i))) return false
  const a = source.slice(aStart, aEnd)
  const b = source.slice(bStart, bEnd)
  if (/\d/.test(a) || /\d/.test(b)) return false
  if (bStart > aEnd + 1) return true
  if (a.length <= 2 || b.length <= 2) return true
  return UPPER.test(a) && UPPER.test(b)
}

const PT_MARKERS = 'de da do dos das e em para com ao na no nas nos os as uma um'
const EN_MARKERS = 'the of and to in for with is are an on this by'
/** How much text is enough to tell the two languages apart. */
const LANGUAGE_SAMPLE = 600

function hashWord(word: string): number {
  wordEnd(word, 0)
  return wordHash
}

/**
 * Each language's commonest words, by the scanner's hash: +1 for a Portuguese one, -1 for an
 * English one (the lists share no word). A look-up allocates nothing.
 */
const MARKER_LEAN = new Map<number, number>([
  ...EN_MARKERS.split(' ').map((w) => [hashWord(w), -1] as const),
  ...PT_MARKERS.split(' ').map((w) => [hashWord(w), 1] as const),
])

/** > 0 when a text reads as Portuguese, < 0 as English, 0 when it gives no clue. */
function languageLean(text: string): number {
  // The scanner hashes folded characters, so case does not matter.
  const limit = Math.min(text.length, LANGUAGE_SAMPLE)
  let lean = 0
  let i = 0
  while (i < limit) {
    if (classOf(text.charCodeAt(i)) !== LETTER) {
      i++
      continue
    }
    // Marker words are one to four letters long: the word is hashed (as `wordEnd` would) while
    // its end is found, and looked up only when it is that short.
    let h = Math.imul(0x811c9dc5 ^ foldCode(text.charCodeAt(i)), 0x01000193)
    let end = i + 1
    for (; end < limit; end++) {
      const c = text.charCodeAt(end)
      if (classOf(c) === OTHER) break
      if (end - i < 4) h = Math.imul(h ^ foldCode(c), 0x01000193)
    }
    if (end - i <= 4) lean += MARKER_LEAN.get(h & 0x3fffffff) ?? 0
    i = end
  }
  return lean
}

/**
 * The language of a pair is the target's (its topics are what must be found, and the origin must
 * not change how the target is read). Portuguese when the target gives no clue.
 */
export function detectLanguage(...target: readonly string[]): Language {
  let lean = 0
  for (const t of target) lean += languageLean(t)
  return lean < 0 ? 'en' : 'pt'
}
