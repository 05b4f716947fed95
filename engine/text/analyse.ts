import { fold } from './fold'
import { stem } from './stem'
import { GRAMMAR_WORDS, STOP_WORDS, type Language } from './stopwords'

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
}

/** Pairs of stems that stand next to each other somewhere in the text (built on first use). */
const adjacency = new WeakMap<AnalysedText, Set<string>>()

export function areAdjacent(text: AnalysedText, a: string, b: string): boolean {
  let pairs = adjacency.get(text)
  if (!pairs) {
    pairs = new Set()
    for (let i = 1; i < text.tokens.length; i++) pairs.add(`${text.tokens[i - 1]!.stem} ${text.tokens[i]!.stem}`)
    adjacency.set(text, pairs)
  }
  return pairs.has(`${a} ${b}`) || pairs.has(`${b} ${a}`)
}

const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu
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

const PT_MARKERS = /\b(?:de|da|do|dos|das|e|em|para|com|ao|na|no|nas|nos|os|as|uma|um)\b/g
const EN_MARKERS = /\b(?:the|of|and|to|in|for|with|is|are|an|on|this|by)\b/g

/** > 0 when a text reads as Portuguese, < 0 as English, 0 when it gives no clue. */
function languageLean(text: string): number {
  const sample = text.slice(0, 2_000).toLowerCase()
  return (sample.match(PT_MARKERS)?.length ?? 0) - (sample.match(EN_MARKERS)?.length ?? 0)
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

export function isGrammarWord(word: string, lang: Language): boolean {
  return GRAMMAR_WORDS[lang].has(word)
}

/**
 * Splits a text into content tokens: folded, stop words dropped, stemmed.
 * Words broken by a line-wrap hyphen (`A- VANCADAS`, `AS-PECTOS`) are rejoined.
 */
export function analyse(source: string, lang: Language, contentEnd = source.length): AnalysedText {
  const folded = fold(source)
  // Folding normally keeps offsets; when it does not (decomposed input), fold word by word.
  const sameOffsets = folded.length === source.length
  const text = sameOffsets ? folded : source
  const stops = STOP_WORDS[lang]
  const tokens: Token[] = []
  const stems = new Map<string, number>()

  WORD.lastIndex = 0
  let pendingStart = -1
  let pendingEnd = -1
  let pendingWord = ''
  const flush = () => {
    if (pendingStart < 0) return
    const word = sameOffsets ? pendingWord : fold(pendingWord)
    if (word.length > 1 && !stops.has(word)) {
      const s = stem(word, lang)
      if (!stems.has(s)) stems.set(s, tokens.length)
      tokens.push({ start: pendingStart, end: pendingEnd, stem: s })
    }
    pendingStart = -1
  }

  for (let m = WORD.exec(text); m !== null && m.index < contentEnd; m = WORD.exec(text)) {
    const start = m.index
    const end = start + m[0].length
    if (pendingStart >= 0 && isLineWrap(source, pendingStart, pendingEnd, start, end)) {
      pendingWord += m[0]
      pendingEnd = end
      continue
    }
    flush()
    pendingStart = start
    pendingEnd = end
    pendingWord = m[0]
  }
  flush()
  return { source, contentEnd, tokens, stems }
}

/**
 * `X-Y` is a broken word (not a compound like `socio-economico`) when a space or line break
 * follows the hyphen, when one part is a fragment of one or two letters, or in an all-caps
 * syllabus (old entries were typed in capitals and wrapped by hand).
 */
function isLineWrap(source: string, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (source.charCodeAt(aEnd) !== 45 /* - */) return false
  for (let i = aEnd + 1; i < bStart; i++) {
    const c = source.charCodeAt(i)
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return false
  }
  const a = source.slice(aStart, aEnd)
  const b = source.slice(bStart, bEnd)
  if (/\d/.test(a) || /\d/.test(b)) return false
  if (bStart > aEnd + 1) return true
  if (a.length <= 2 || b.length <= 2) return true
  return UPPER.test(a) && UPPER.test(b)
}
