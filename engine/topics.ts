/**
 * Splits a syllabus into its topics. A syllabus is a list of topics written in many ways:
 * numbered (`1 - HISTORICO 2 - DOUTRINA`, `1.`, `1)`, `(a)`), separated by semicolons, periods
 * (often with no space after them), dashes, bullets or line breaks.
 */

export interface TopicSpan {
  text: string
  inicio: number
  fim: number
}

const SEPARATOR = new RegExp(
  [
    String.raw`[\n\r;•·▪●|]+`,
    // A period that ends a sentence, not one inside a number (`2.1`).
    String.raw`(?<!\d)\.|\.(?!\d)`,
    // Dashes used as separators (not hyphens inside words).
    String.raw`\s[-–—]+\s|[–—]`,
    // Numbered items: `1 -`, `1.`, `1)`, `2.3 -`, at the start of an item.
    String.raw`(?<=^|[\s.;:,])\d{1,2}(?:\.\d{1,2})*\s*[-.)](?=\s*\p{L})`,
    // Lettered items: `(a)`, `a)`.
    String.raw`(?:^|\s)\(?[a-h]\)\s`,
  ].join('|'),
  'gu',
)

const HAS_LETTER = /\p{L}{2}/u
const MAX_TOPICS = 200

export function splitTopics(syllabus: string, end = syllabus.length): TopicSpan[] {
  const topics: TopicSpan[] = []
  let from = 0
  SEPARATOR.lastIndex = 0
  const push = (to: number) => {
    let a = from
    let b = Math.min(to, end)
    while (a < b && isTrimmable(syllabus.charCodeAt(a))) a++
    while (b > a && isTrimmable(syllabus.charCodeAt(b - 1))) b--
    if (b > a && topics.length < MAX_TOPICS) {
      const text = syllabus.slice(a, b)
      if (HAS_LETTER.test(text)) topics.push({ text, inicio: a, fim: b })
    }
  }
  for (let m = SEPARATOR.exec(syllabus); m !== null && m.index < end; m = SEPARATOR.exec(syllabus)) {
    push(m.index)
    from = m.index + m[0].length
  }
  push(end)
  return topics
}

/** Whitespace and the punctuation that wraps a topic (`,`, `:`, quotes, brackets). */
function isTrimmable(c: number): boolean {
  return c <= 32 || c === 44 || c === 58 || c === 46 || c === 45 || c === 34 || c === 39 || c === 40 || c === 41
}
