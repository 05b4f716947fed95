const COMBINING_MARKS = /\p{M}+/gu
const ASCII = /^[\x00-\x7f]*$/

/** Lower-case and strip accents: `Introdução` → `introducao`. Old syllabi arrive already folded. */
export function fold(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase()
  return text.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase()
}
