import type { Embedder } from './types'

const DIMENSIONS = 256

/**
 * The offline default: a deterministic lexical vector (feature hashing of accent-folded word
 * tokens and their bigrams, L2-normalised). No network, same vector on every machine, so the index
 * a taxonomy version gets without an embeddings API is still useful for cosine look-ups.
 */
export function createLexicalEmbedder(): Embedder {
  return {
    model: `lexical-hash-${DIMENSIONS}-v1`,
    async embed(texts) {
      return texts.map(lexicalVector)
    },
  }
}

export function lexicalVector(text: string): number[] {
  const vector = new Array<number>(DIMENSIONS).fill(0)
  const tokens = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 2)
  const features = [...tokens, ...tokens.slice(1).map((t, i) => `${tokens[i]} ${t}`)]
  for (const feature of features) {
    const h = fnv1a(feature)
    vector[h % DIMENSIONS]! += h & 0x80000000 ? -1 : 1
  }
  const norm = Math.hypot(...vector) || 1
  return vector.map((v) => Math.round((v / norm) * 1e6) / 1e6)
}

/** 32-bit FNV-1a: tiny, fast and stable across platforms. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}
