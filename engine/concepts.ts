import type { AnalysedText } from './text/analyse'
import { analyse } from './text/analyse'
import type { Language } from './text/stopwords'
import { splitTopics } from './topics'
import type { TaxonomyNode } from './taxonomy'

/** A weighted list of stems: one way of saying a concept. */
export interface Phrase {
  stems: string[]
  weights: number[]
  total: number
}

/** Something the origin must cover: a topic of the target's syllabus or a taxonomy node. */
export interface Concept {
  id: string
  nome: string
  /** Alternative phrasings (the concept's name and its taxonomy keywords); the best one counts. */
  alternativas: Phrase[]
  critico: boolean
  peso: number
  /** Where the concept is stated in the target's syllabus; null for taxonomy concepts. */
  destino: { inicio: number; fim: number } | null
}

const MAX_NAME = 160

/**
 * Stems that name a method or a kind of activity rather than a subject (analysis, theory,
 * methods, systems...). Every department uses them, so alone they prove little.
 */
const WEAK_STEMS: Record<Language, ReadonlySet<string>> = {
  pt: new Set(['analis', 'teor', 'metod', 'sistem', 'model', 'process', 'tecnic', 'estrutur', 'princip', 'funco', 'func', 'gera', 'import', 'nova', 'problem', 'ger', 'pesquis', 'contexto', 'context', 'histor', 'bas', 'sobr', 'resolu', 'organiz', 'avali', 'instrument', 'ciente', 'cienc', 'social', 'produca', 'produc']),
  en: new Set(['analysi', 'analyz', 'theori', 'theoret', 'method', 'system', 'model', 'process', 'techniqu', 'structur', 'function', 'problem', 'research', 'context', 'histori', 'histor', 'applic', 'appli', 'approach', 'issu', 'practic', 'organ', 'evalu', 'tool', 'scienc', 'social', 'modern', 'contemporari', 'american', 'world', 'major', 'import', 'current', 'includ', 'relat', 'activ', 'emphas', 'explor', 'field', 'perspect', 'form', 'area', 'work', 'experi', 'effect', 'role', 'type', 'select']),
}

export function termWeight(stem: string, lang: Language): number {
  return WEAK_STEMS[lang].has(stem) ? 0.4 : 1
}

function phraseOf(tokens: readonly { stem: string }[], lang: Language): Phrase {
  const stems: string[] = []
  const weights: number[] = []
  let total = 0
  for (const t of tokens) {
    if (stems.includes(t.stem)) continue
    const w = termWeight(t.stem, lang)
    stems.push(t.stem)
    weights.push(w)
    total += w
  }
  return { stems, weights, total }
}

/** Each topic of the target's syllabus becomes a concept to cover. */
export function conceptsFromTopics(destino: AnalysedText, lang: Language): Concept[] {
  const concepts: Concept[] = []
  const tokens = destino.tokens
  let t = 0
  for (const topic of splitTopics(destino.source, destino.contentEnd)) {
    while (t < tokens.length && tokens[t]!.start < topic.inicio) t++
    const from = t
    while (t < tokens.length && tokens[t]!.end <= topic.fim) t++
    if (t === from) continue
    const phrase = phraseOf(tokens.slice(from, t), lang)
    concepts.push({
      id: `topico-${concepts.length + 1}`,
      nome: topic.text.length > MAX_NAME ? `${topic.text.slice(0, MAX_NAME - 1)}…` : topic.text,
      alternativas: [phrase],
      critico: false,
      peso: 1,
      destino: { inicio: topic.inicio, fim: topic.fim },
    })
  }
  return concepts
}

/** A taxonomy node as a concept: its name and each keyword are alternative phrasings. */
export function conceptFromNode(node: TaxonomyNode, lang: Language): Concept {
  const alternativas = [node.conceito, ...node.palavras_chave]
    .map((text) => phraseOf(analyse(text, lang).tokens, lang))
    .filter((p) => p.stems.length > 0)
  return { id: node.id, nome: node.conceito, alternativas, critico: node.critico, peso: 1, destino: null }
}
