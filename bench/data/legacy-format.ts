/**
 * Renders a syllabus the way old catalogue entries were typed and scanned: upper case with the
 * accents stripped, no space after most periods, a word or two broken by a line-wrap hyphen
 * (`AS-PECTOS`, `A- VANCADAS`) and a short word glued to the next one (`DOSHOSPITAIS`).
 * Deterministic for a given seed, so the generated files are stable.
 */
import { fnv1a, rng } from './hash'

const GLUE_WORDS = new Set(['DE', 'DA', 'DO', 'DOS', 'DAS', 'E', 'EM', 'NA', 'NO', 'NOS', 'NAS', 'AO', 'AOS'])
const VOWELS = new Set(['A', 'E', 'I', 'O', 'U'])

export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '')
}

export function toLegacyFormat(text: string, seed: string): string {
  const random = rng(fnv1a(seed))
  let out = stripAccents(text).toUpperCase()
  out = out.replace(/\. (?=\S)/g, (m) => (random() < 0.7 ? '.' : m))
  const words = out.split(' ')
  const long = words.map((w, i) => ({ w, i })).filter(({ w }) => /^[A-Z]{9,}$/.test(w))
  const breaks = Math.min(long.length, 1 + Math.floor(random() * 2))
  for (let k = 0; k < breaks; k++) {
    const pick = long.splice(Math.floor(random() * long.length), 1)[0]
    if (pick) words[pick.i] = wrapHyphen(pick.w, random() < 0.5 ? '-' : '- ')
  }
  const glueAt = words.findIndex(
    (w, i) => i > 2 && GLUE_WORDS.has(w) && /^[A-Z]{4,}/.test(words[i + 1] ?? ''),
  )
  if (glueAt >= 0 && random() < 0.8) words.splice(glueAt, 2, `${words[glueAt]}${words[glueAt + 1]}`)
  return words.join(' ')
}

/**
 * Breaks a word near its middle where Portuguese syllables split: before a consonant that opens
 * a syllable (`AS-PECTOS`, `TRANSFORMA-COES`), never inside `CH`, `LH`, `NH`, `BR`, `PL`...
 */
function wrapHyphen(word: string, mark: string): string {
  const isVowel = (i: number) => VOWELS.has(word[i] ?? '')
  const opensSyllable = (i: number) =>
    !isVowel(i) && isVowel(i + 1) && !(/[HLR]/.test(word[i] ?? '') && !isVowel(i - 1))
  const middle = Math.floor(word.length / 2)
  for (let d = 0; d < middle - 2; d++) {
    for (const i of [middle - d, middle + d]) {
      if (i >= 2 && i <= word.length - 3 && opensSyllable(i))
        return `${word.slice(0, i)}${mark}${word.slice(i)}`
    }
  }
  return `${word.slice(0, middle)}${mark}${word.slice(middle)}`
}
