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
 */
const SLOTS = 1 << 16
const SLOT_MASK = SLOTS - 1

export interface StemTable {
  /** The scanner's hash of the word in each slot; -1 for an empty slot (hashes are non-negative). */
  hashes: Int32Array
  words: string[]
  stems: string[]
  /** `stemNumber` of each slot's stem. */
  numbers: Int32Array
  lang: Language
}

function stemTable(lang: Language): StemTable {
  return {
    hashes: new Int32Array(SLOTS).fill(-1),
    words: new Array<string>(SLOTS).fill(''),
    stems: new Array<string>(SLOTS).fill(''),
    numbers: new Int32Array(SLOTS),
    lang,
  }
}

const hashed: Record<Language, StemTable> = { pt: stemTable('pt'), en: stemTable('en') }

export function stemTableOf(lang: Language): StemTable {
  return lang === 'pt' ? hashed.pt : hashed.en
}

/**
 * Every distinct stem gets a small number the first time it is met, so that `analyse` can tell a
 * stem it has already seen in a text by reading an array rather than probing a Map. Numbers only
 * have to stay stable during one `analyse` call: the registry is emptied (with the tables below,
 * which hold numbers) between calls once it is full.
 */
const stemNumbers = new Map<string, number>()
const STEM_NUMBERS_LIMIT = 100_000

export function stemNumber(stem: string): number {
  let n = stemNumbers.get(stem)
  if (n === undefined) {
    n = stemNumbers.size
    stemNumbers.set(stem, n)
  }
  return n
}

/** Called by `analyse` before a text: forgets every stem number once there are too many. */
export function boundStemNumbers(): void {
  if (stemNumbers.size < STEM_NUMBERS_LIMIT) return
  stemNumbers.clear()
  hashed.pt.hashes.fill(-1)
  hashed.en.hashes.fill(-1)
}

/**
 * The slot of `table` that holds the content stem of the word `text[start, end)`, filled on a
 * miss, without slicing on a hit. `hash` is the scanner's hash of the word's folded characters;
 * with `latin`, `text` is the raw text and is folded character by character (`foldCode`),
 * otherwise it is already folded. A colliding entry is detected by comparing the characters, and
 * replaced.
 */
export function stemSlotAt(table: StemTable, text: string, start: number, end: number, hash: number, latin: boolean): number {
  const slot = hash & SLOT_MASK
  if (table.hashes[slot] === hash && sameWord(table.words[slot]!, text, start, end, latin)) return slot
  const word = latin ? foldLatinRange(text, start, end) : text.slice(start, end)
  const result = contentStem(word, table.lang)
  table.hashes[slot] = hash
  table.words[slot] = word
  table.stems[slot] = result
  table.numbers[slot] = stemNumber(result)
  return slot
}

function sameWord(word: string, text: string, start: number, end: number, latin: boolean): boolean {
  if (word.length !== end - start) return false
  if (!latin) return text.startsWith(word, start)
  for (let k = 0; k < word.length; k++) if (foldCode(text.charCodeAt(start + k)) !== word.charCodeAt(k)) return false
  return true
}

/** Empties the memos, so that a benchmark can measure cold evaluations. */
export function clearStemMemo(): void {
  memo.pt.clear()
  memo.en.clear()
  hashed.pt.hashes.fill(-1)
  hashed.en.hashes.fill(-1)
}

export const STEM_MEMO_LIMIT = MEMO_LIMIT
export const STEM_TABLE_SLOTS = SLOTS
