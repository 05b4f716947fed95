import { foldCode } from '../text/fold'

/**
 * Character n-gram similarity of two texts (folded: lower case, no accents; any run of
 * non-alphanumerics is one space). N-grams catch shared word parts that stems miss (`termodinâmica`
 * vs `termodinamic`, `program`/`programação`) and, on titles, the words title clean-up strips
 * (`introdução`, `aplicada`, `2`). Counts are hashed into a fixed table, so a profile costs one pass
 * over the text and no allocation: the scratch tables are reset by the list of buckets touched.
 * Collisions are rare at this size and deterministic, so the same texts always give the same value.
 */

const BITS = 12
const SIZE = 1 << BITS
const A = new Uint16Array(SIZE)
const B = new Uint16Array(SIZE)
const touchedA: number[] = []
const touchedB: number[] = []

function isAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c >= 0xc0
}

/** Adds the n-grams of `text[0, end)` to `table`; returns how many were added. */
function profile(text: string, end: number, n: number, table: Uint16Array, touched: number[]): number {
  // The window holds the last n folded characters; a word boundary counts as one space.
  let w0: number
  let w1 = 32
  let w2 = 32
  let w3 = 32
  let filled = 1
  let lastSpace = true
  let count = 0
  for (let i = 0; i <= end; i++) {
    let c = i < end ? foldCode(text.charCodeAt(i)) : 32
    if (c >= 65 && c <= 90) c += 32
    if (!isAlnum(c)) {
      if (lastSpace) continue
      c = 32
      lastSpace = true
    } else lastSpace = false
    w0 = w1
    w1 = w2
    w2 = w3
    w3 = c
    if (++filled < n) continue
    const h =
      n === 3
        ? (w1 * 0x01000193) ^ (w2 * 0x9e3779b1) ^ (w3 * 0x85ebca6b)
        : (w0 * 0x27d4eb2f) ^ (w1 * 0x01000193) ^ (w2 * 0x9e3779b1) ^ (w3 * 0x85ebca6b)
    const slot = (Math.imul(h, 0x9e3779b1) >>> (32 - BITS)) & (SIZE - 1)
    if (table[slot] === 0) touched.push(slot)
    if (table[slot]! < 0xffff) table[slot]!++
    count++
  }
  return count
}

export interface NgramSimilarity {
  /** 2·shared / (n-grams of a + n-grams of b): symmetric. */
  dice: number
  /** Share of `b`'s n-grams found in `a`: how much of the target the origin contains. */
  containment: number
  /** Share of `a`'s n-grams found in `b`. */
  reverseContainment: number
  /** Cosine of the two count vectors: long texts do not dilute it as they do the Dice. */
  cosine: number
}

/**
 * Similarity of `a[0, aEnd)` and `b[0, bEnd)` by character n-grams (n = 3 or 4), counting repeats
 * (multiset intersection).
 */
export function ngramSimilarity(a: string, aEnd: number, b: string, bEnd: number, n: 3 | 4): NgramSimilarity {
  return compare(profile(a, aEnd, n, A, touchedA), profile(b, bEnd, n, B, touchedB))
}

/** Compares the two scratch tables and resets them. */
function compare(na: number, nb: number): NgramSimilarity {
  let shared = 0
  let dot = 0
  let bb = 0
  for (const slot of touchedB) {
    const x = A[slot]!
    const y = B[slot]!
    shared += x < y ? x : y
    dot += x * y
    bb += y * y
    B[slot] = 0
  }
  let aa = 0
  for (const slot of touchedA) {
    aa += A[slot]! * A[slot]!
    A[slot] = 0
  }
  touchedA.length = 0
  touchedB.length = 0
  return {
    dice: na + nb > 0 ? (2 * shared) / (na + nb) : 0,
    containment: nb > 0 ? shared / nb : 0,
    reverseContainment: na > 0 ? shared / na : 0,
    cosine: aa > 0 && bb > 0 ? dot / Math.sqrt(aa * bb) : 0,
  }
}
