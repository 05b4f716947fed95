import { newStemmer, type Stemmer } from 'snowball-stemmers'
import { foldCode, foldLatinRange } from './fold'
import { STOP_WORDS, type Language } from './stopwords'

/**
 * Snowball stemming of folded (unaccented, lower-case) words, memoised.
 *
 * Words are folded before stemming so that `PROGRAMACAO` and `programação` meet. Folding hides
 * the `-ção/-ções` endings from the Portuguese stemmer, so those (and `-são/-sões`) are cut first:
 * `aplicacoes` → `aplica` → `aplic`, the stem of `aplicar` and `aplicado` too.
 */

const MEMO_LIMIT = 50_000
const PT_NOMINAL_ENDING = /(?:coes|cao|caos|soes|sao)$/

const stemmers: Record<Language, Stemmer> = {
  pt: newStemmer('portuguese'),
  en: newStemmer('english'),
}

/** Bounded word → stem memo per language; cleared when full (a cheap, allocation-free bound). */
const memo: Record<Language, Map<string, string>> = { pt: new Map(), en: new Map() }

export function stem(word: string, lang: Language): string {
  const cache = memo[lang]
  const hit = cache.get(word)
  if (hit !== undefined) return hit
  let base = word
  if (lang === 'pt' && word.length >= 6) base = word.replace(PT_NOMINAL_ENDING, '')
  const result = /^\d+$/.test(base) ? base : stemmers[lang].stem(base)
  if (cache.size >= MEMO_LIMIT) cache.clear()
  cache.set(word, result)
  return result
}

/**
 * The stem of a folded word, or '' for a stop word or a one-letter word: one memo look-up per
 * token, stop words included.
 */
export function contentStem(word: string, lang: Language): string {
  const cache = memo[lang]
  const hit = cache.get(word)
  if (hit !== undefined) return hit
  const result = word.length > 1 && !STOP_WORDS[lang].has(word) ? stem(word, lang) : ''
  if (cache.size >= MEMO_LIMIT) cache.clear()
  cache.set(word, result)
  return result
}

/**
 * The same memo keyed by a hash of the word's characters, so that a hit allocates no string:
 * a direct-mapped table (slot = hash's low bits; a newcomer takes the slot), bounded by its size.
 * A hit reads one slot and the word's characters, both in typed arrays: syllabus after syllabus,
 * most of a text's time went to cache misses on separate arrays of hashes, words and stems.
 */
const SLOTS = 1 << 16
const SLOT_MASK = SLOTS - 1
/** Numbers per slot in `StemTable.slots`. */
const SLOT_SIZE = 4
/** Folded characters a table holds; when they run out the table starts over. */
const CHARS = 1 << 19

export interface StemTable {
  /**
   * Per slot: the scanner's hash of its word (-1 for an empty slot; hashes are non-negative), the
   * number of the word's content stem (`stemNumber`), and where the word's folded characters are
   * in `chars` (start, length).
   */
  slots: Int32Array
  chars: Uint16Array
  /** How much of `chars` is taken. */
  used: number
  lang: Language
}

function stemTable(lang: Language): StemTable {
  return { slots: new Int32Array(SLOTS * SLOT_SIZE).fill(-1), chars: new Uint16Array(CHARS), used: 0, lang }
}

function emptyTable(table: StemTable): void {
  table.slots.fill(-1)
  table.used = 0
}

const hashed: Record<Language, StemTable> = { pt: stemTable('pt'), en: stemTable('en') }

export function stemTableOf(lang: Language): StemTable {
  return lang === 'pt' ? hashed.pt : hashed.en
}

/**
 * Every distinct stem gets a small number the first time it is met, so that `analyse` can tell a
 * stem it has already seen in a text by reading an array rather than probing a Map. Numbers only
 * have to stay stable during one `analyse` call: the registry is emptied (with the tables above,
 * which hold numbers) between calls once it is full. Number 0 is '' (a stop word: no stem).
 */
const stemNumbers = new Map<string, number>([['', 0]])
const stemsByNumber: string[] = ['']
const STEM_NUMBERS_LIMIT = 100_000
export const NO_STEM = 0

export function stemNumber(stem: string): number {
  let n = stemNumbers.get(stem)
  if (n === undefined) {
    n = stemsByNumber.length
    stemNumbers.set(stem, n)
    stemsByNumber.push(stem)
  }
  return n
}

export function stemOfNumber(n: number): string {
  return stemsByNumber[n]!
}

/** Called by `analyse` before a text: forgets every stem number once there are too many. */
export function boundStemNumbers(): void {
  if (stemsByNumber.length < STEM_NUMBERS_LIMIT) return
  stemNumbers.clear()
  stemNumbers.set('', NO_STEM)
  stemsByNumber.length = 1
  emptyTable(hashed.pt)
  emptyTable(hashed.en)
}

/**
 * The number of the content stem of the word `text[start, end)`, without slicing on a hit.
 * `hash` is the scanner's hash of the word's folded characters; with `latin`, `text` is the raw
 * text and is folded character by character (`foldCode`), otherwise it is already folded. A
 * colliding entry is detected by comparing the characters, and replaced.
 */
export function stemNumberAt(table: StemTable, text: string, start: number, end: number, hash: number, latin: boolean): number {
  const slots = table.slots
  const at = (hash & SLOT_MASK) * SLOT_SIZE
  if (slots[at] === hash && sameWord(table.chars, slots[at + 2]!, slots[at + 3]!, text, start, end, latin)) return slots[at + 1]!
  const word = latin ? foldLatinRange(text, start, end) : text.slice(start, end)
  const number = stemNumber(contentStem(word, table.lang))
  if (word.length > CHARS) return number
  if (table.used + word.length > CHARS) emptyTable(table)
  const from = table.used
  for (let k = 0; k < word.length; k++) table.chars[from + k] = word.charCodeAt(k)
  table.used += word.length
  slots[at] = hash
  slots[at + 1] = number
  slots[at + 2] = from
  slots[at + 3] = word.length
  return number
}

function sameWord(chars: Uint16Array, from: number, length: number, text: string, start: number, end: number, latin: boolean): boolean {
  if (length !== end - start) return false
  if (latin) {
    for (let k = 0; k < length; k++) if (foldCode(text.charCodeAt(start + k)) !== chars[from + k]) return false
  } else {
    for (let k = 0; k < length; k++) if (text.charCodeAt(start + k) !== chars[from + k]) return false
  }
  return true
}

/** Empties the memos, so that a benchmark can measure cold evaluations. */
export function clearStemMemo(): void {
  memo.pt.clear()
  memo.en.clear()
  emptyTable(hashed.pt)
  emptyTable(hashed.en)
}

export const STEM_MEMO_LIMIT = MEMO_LIMIT
export const STEM_TABLE_SLOTS = SLOTS
