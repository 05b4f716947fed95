const COMBINING_MARKS = /\p{M}+/gu

/** Lower-case and strip accents: `Introdução` → `introducao`. Old syllabi arrive already folded. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase()
}
