import type { AnalysedText } from '../../engine/text/analyse'
import { splitTopics } from '../../engine/topics'
import type { TaxonomyNode } from '../../engine/index'

/** A stretch of one syllabus embedded on its own: a topic, or a few neighbouring topics. */
export interface Passage {
  indice_origem: number
  inicio: number
  fim: number
  text: string
}

/** Passages per syllabus: enough to localise evidence, few enough to keep one batch small. */
const MAX_PASSAGES = 32

/**
 * A syllabus cut into its topics (the engine's own splitter), neighbours merged when there are
 * more than MAX_PASSAGES, the whole content when it has no separators at all.
 */
export function passagesOf(text: AnalysedText, indice_origem: number): Passage[] {
  const topics = splitTopics(text.source, text.contentEnd)
  if (topics.length === 0) {
    const content = text.source.slice(0, text.contentEnd).trim()
    return content ? [{ indice_origem, inicio: text.source.indexOf(content), fim: text.source.indexOf(content) + content.length, text: content }] : []
  }
  const group = Math.ceil(topics.length / MAX_PASSAGES)
  const out: Passage[] = []
  for (let i = 0; i < topics.length; i += group) {
    const first = topics[i]!
    const last = topics[Math.min(topics.length, i + group) - 1]!
    out.push({ indice_origem, inicio: first.inicio, fim: last.fim, text: text.source.slice(first.inicio, last.fim) })
  }
  return out
}

/** The text a taxonomy node is embedded as (the same as the index build job's). */
export const nodeText = (node: TaxonomyNode) =>
  [node.conceito, node.descricao ?? '', (node.palavras_chave ?? []).join(', ')].filter(Boolean).join('. ')
