const COMBINING_MARKS = /\p{M}+/gu
/** Printable ASCII and ordinary whitespace: nothing to fold but the case. */
const ASCII = /^[\t\n\r -~]*$/

/** Lower-case and strip accents: `Introdução` → `introducao`. Old syllabi arrive already folded. */
export function fold(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase()
  return text.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase()
}
