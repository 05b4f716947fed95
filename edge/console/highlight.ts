/**
 * Cuts a syllabus into plain and highlighted pieces from evidence spans. Spans may overlap; each
 * piece lists every evidence index that covers it, so hovering one topic lights all of its text.
 */

export type Span = { inicio: number; fim: number; trecho: string; ev: number }
export type Piece = { text: string; ev: number[] }

/** Where the span really is: its offsets when they match its text, else the text's first occurrence. */
function locate(text: string, s: Span): [number, number] | null {
  if (s.inicio >= 0 && s.fim <= text.length && s.fim > s.inicio && text.slice(s.inicio, s.fim) === s.trecho) return [s.inicio, s.fim]
  if (!s.trecho) return null
  const at = text.indexOf(s.trecho)
  return at >= 0 ? [at, at + s.trecho.length] : null
}

export function highlightPieces(text: string, spans: readonly Span[]): Piece[] {
  const located = spans.map((s) => ({ ev: s.ev, range: locate(text, s) })).filter((s) => s.range !== null) as { ev: number; range: [number, number] }[]
  const cuts = new Set<number>([0, text.length])
  for (const s of located) {
    cuts.add(s.range[0])
    cuts.add(s.range[1])
  }
  const points = [...cuts].sort((a, b) => a - b)
  const pieces: Piece[] = []
  for (let i = 0; i < points.length - 1; i++) {
    const a = points[i]!
    const b = points[i + 1]!
    if (b <= a) continue
    const ev = located.filter((s) => s.range[0] <= a && s.range[1] >= b).map((s) => s.ev)
    const last = pieces.at(-1)
    // Neighbouring pieces with the same cover are one piece.
    if (last && last.ev.join() === ev.join()) last.text += text.slice(a, b)
    else pieces.push({ text: text.slice(a, b), ev })
  }
  return pieces
}
