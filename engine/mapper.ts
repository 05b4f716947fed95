import type { Concept, Phrase } from './concepts'
import { areAdjacent, type AnalysedText } from './text/analyse'
import type { Language } from './text/stopwords'

/** What a mapper sees: the concepts to look for and the analysed syllabi of the taken course(s). */
export interface MappingInput {
  lang: Language
  concepts: readonly Concept[]
  origens: readonly AnalysedText[]
}

/** How well one concept is covered, and where (an exact span of one origin's syllabus). */
export interface ConceptMatch {
  conceito_id: string
  /** 0..1: the share of the concept's (weighted) terms found, exact matches counting more than partial ones. */
  confianca: number
  origem: { indice_origem: number; inicio: number; fim: number } | null
}

/**
 * A port: the offline lexical mapper below, or an embedding / LLM mapper behind an HTTP API.
 * A mapper may throw or reject; the engine then degrades to human review.
 */
export interface ConceptMapper {
  readonly version: string
  map(input: MappingInput): ConceptMatch[] | Promise<ConceptMatch[]>
}

export const MAPPER_VERSION = 'lexical-1.0.0'

const EXACT = 1
const PREFIX = 0.7
/** Stems shorter than this only match exactly (`cas` must not match `casa` nor `causa`). */
const MIN_PARTIAL = 5
const GLUED = 0.6
const ADJACENT_BONUS = 0.1
/** Evidence longer than this is narrowed to the strongest single term. */
const MAX_EVIDENCE_CHARS = 240

interface TermHit {
  score: number
  origin: number
  token: number
}

/**
 * Finds a stem in a syllabus: exactly, as a close variant (`calcul`/`calculu`), or inside a word
 * glued to its neighbour (`doshospit` contains `hospit`).
 */
export function findStem(text: AnalysedText, stem: string): { score: number; token: number } | null {
  const exact = text.stems.get(stem)
  if (exact !== undefined) return { score: EXACT, token: exact }
  return findInexact(text, stem)
}

/** `findStem(text, stem)?.score ?? 0`, without allocating for an exact match. */
export function stemScore(text: AnalysedText, stem: string): number {
  if (text.stems.get(stem) !== undefined) return EXACT
  return findInexact(text, stem)?.score ?? 0
}

/** `findStem` for a stem known not to be in the text exactly (its look-up is not repeated). */
function findInexact(text: AnalysedText, stem: string): { score: number; token: number } | null {
  if (stem.length < MIN_PARTIAL) return null
  // Partial matching scans the whole vocabulary: remember the answer for this text.
  const known = text.lookups.get(stem)
  if (known !== undefined) return known
  const found = findPartial(text, stem)
  text.lookups.set(stem, found)
  return found
}

/** Glued-word checks allowed per text: bounds the cost of a huge syllabus (20 origins × 20,000 chars). */
const GLUED_BUDGET = 50_000

/**
 * Per text (kept on it): what is left of its glued-word budget, and the stems of at least
 * MIN_PARTIAL + 3 characters in vocabulary order (only they can contain a partial-match stem).
 */
function gluedState(text: AnalysedText): NonNullable<AnalysedText['glued']> {
  let state = text.glued
  if (!state) {
    state = { budget: GLUED_BUDGET, long: text.vocabulary.filter((s) => s.length >= MIN_PARTIAL + 3) }
    text.glued = state
  }
  return state
}

/** Stems by their first MIN_PARTIAL characters (close variants always share them), kept on the text. */
function prefixIndex(text: AnalysedText): Map<string, string[]> {
  let index = text.stemsByPrefix
  if (!index) {
    index = new Map()
    for (const other of text.vocabulary) {
      if (other.length < MIN_PARTIAL) continue
      const key = other.slice(0, MIN_PARTIAL)
      const list = index.get(key)
      if (list) list.push(other)
      else index.set(key, [other])
    }
    text.stemsByPrefix = index
  }
  return index
}

/** Below this many stems a linear scan is cheaper than building the prefix index. */
const INDEX_FROM = 128

function prefixCandidates(text: AnalysedText, stem: string): readonly string[] {
  return text.vocabulary.length < INDEX_FROM ? text.vocabulary : (prefixIndex(text).get(stem.slice(0, MIN_PARTIAL)) ?? [])
}

function findPartial(text: AnalysedText, stem: string): { score: number; token: number } | null {
  // A close variant starts like the stem: a first-letter check rules out nearly every other stem.
  const first = stem.charCodeAt(0)
  for (const other of prefixCandidates(text, stem)) {
    if (other.charCodeAt(0) !== first || other.length < MIN_PARTIAL) continue
    const ratio = Math.min(other.length, stem.length) / Math.max(other.length, stem.length)
    if (ratio >= 0.7 && (other.startsWith(stem) || stem.startsWith(other))) return { score: PREFIX, token: text.stems.get(other)! }
  }
  // `stem` has at least MIN_PARTIAL characters, so every stem that can hold it is in `long`.
  const state = gluedState(text)
  for (const other of state.long) {
    if (state.budget <= 0) break
    if (other.length < stem.length + 3) continue
    state.budget--
    if (other.includes(stem)) return { score: GLUED, token: text.stems.get(other)! }
  }
  return null
}

function matchPhrase(phrase: Phrase, origens: readonly AnalysedText[]): { confianca: number; hits: TermHit[] } {
  let found = 0
  const hits: TermHit[] = []
  for (let i = 0; i < phrase.stems.length; i++) {
    const stem = phrase.stems[i]!
    let best: TermHit | null = null
    for (let o = 0; o < origens.length; o++) {
      // An exact hit (the common case) is taken without the intermediate object of `findStem`.
      const exact = origens[o]!.stems.get(stem)
      if (exact !== undefined) {
        best = { score: EXACT, origin: o, token: exact }
        break
      }
      const hit = findInexact(origens[o]!, stem)
      if (hit && (!best || hit.score > best.score)) best = { score: hit.score, origin: o, token: hit.token }
    }
    if (best) {
      found += best.score * phrase.weights[i]!
      hits.push(best)
    }
  }
  let confianca = phrase.total > 0 ? found / phrase.total : 0
  // Two terms of the phrase side by side in the origin too: the phrase itself, not scattered words.
  if (hits.length >= 2 && confianca < 1 && hasAdjacentPair(phrase, origens)) confianca = Math.min(1, confianca + ADJACENT_BONUS)
  return { confianca, hits }
}

function hasAdjacentPair(phrase: Phrase, origens: readonly AnalysedText[]): boolean {
  const stems = phrase.stems
  for (let i = 1; i < stems.length; i++) {
    for (const o of origens) if (areAdjacent(o, stems[i - 1]!, stems[i]!)) return true
  }
  return false
}

/** The exact span of the evidence: the matched words of the origin that says the most. */
function evidenceSpan(hits: TermHit[], origens: readonly AnalysedText[]): ConceptMatch['origem'] {
  if (hits.length === 0) return null
  let origin = hits[0]!.origin
  if (origens.length > 1) {
    const counts = new Array<number>(origens.length).fill(0)
    for (const h of hits) counts[h.origin]!++
    for (let o = 0; o < counts.length; o++) if (counts[o]! > counts[origin]!) origin = o
  }
  const tokens = origens[origin]!.tokens
  let inicio = Infinity
  let fim = -1
  let strongest: TermHit | null = null
  for (const h of hits) {
    if (h.origin !== origin) continue
    inicio = Math.min(inicio, tokens[h.token]!.start)
    fim = Math.max(fim, tokens[h.token]!.end)
    if (!strongest || h.score > strongest.score) strongest = h
  }
  if (fim - inicio > MAX_EVIDENCE_CHARS && strongest) {
    inicio = tokens[strongest.token]!.start
    fim = tokens[strongest.token]!.end
  }
  return { indice_origem: origin, inicio, fim }
}

/** The offline mapper: Snowball stems, stop words, partial and glued-word matches, no network. */
export function createLexicalMapper(): ConceptMapper {
  return {
    version: MAPPER_VERSION,
    map({ concepts, origens }) {
      return concepts.map((concept) => {
        let best = { confianca: 0, hits: [] as TermHit[] }
        for (const phrase of concept.alternativas) {
          const m = matchPhrase(phrase, origens)
          if (m.confianca > best.confianca) best = m
          if (best.confianca >= 1) break
        }
        return { conceito_id: concept.id, confianca: best.confianca, origem: evidenceSpan(best.hits, origens) }
      })
    },
  }
}
