const COMBINING_MARKS = /\p{M}+/gu
/** Printable ASCII and ordinary whitespace: nothing to fold but the case. */
const ASCII = /^[\t\n\r -~]*$/

/** Lower-case and strip accents: `Introdução` → `introducao`. Old syllabi arrive already folded. */
export function fold(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase()
  // Latin text folds one character to one: a table look-up each, no Unicode normalisation.
  if (isLatin(text)) return foldLatinRange(text, 0, text.length)
  return text.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase()
}

/** Latin code points (Basic Latin to Latin Extended-B), where folding is one character to one. */
const LATIN_END = 0x250

/** Each Latin character folded: lower case, accent removed (`Ç` → `c`). */
const FOLDED = new Uint16Array(LATIN_END)
for (let c = 0; c < LATIN_END; c++) {
  const base = String.fromCharCode(c).normalize('NFD').charAt(0).toLowerCase()
  FOLDED[c] = base.length === 1 ? base.charCodeAt(0) : c
}

/** The folded form of one UTF-16 code unit; outside Latin it is left as is. */
export function foldCode(code: number): number {
  return code < LATIN_END ? FOLDED[code]! : code
}

/** Any UTF-16 code unit from LATIN_END on (no `u` flag: surrogate halves count as code units). */
const NON_LATIN = /[\u0250-\uffff]/

/**
 * True when every character of `text` folds one to one (the scanner can then fold as it reads).
 * A regex rather than a loop: V8 answers it at once for strings it stores one byte per character.
 */
export function isLatin(text: string): boolean {
  return !NON_LATIN.test(text)
}

/** `fold(text.slice(start, end))` for Latin text, without the intermediate strings. */
export function foldLatinRange(text: string, start: number, end: number): string {
  let out = ''
  for (let i = start; i < end; i++) out += String.fromCharCode(FOLDED[text.charCodeAt(i)]!)
  return out
}
