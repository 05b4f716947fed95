import { fold } from '../../engine/text/fold'
import type { LabelledPair } from './pairs'

/**
 * Grouping labelled pairs by course, so that no course is on both sides of a split: a model
 * scored on a fold must never have seen any pair of the courses in it. A course is known by its
 * catalogue code in the pair id (`src:ORIG->DEST`, `kind:orig.a>dest.b-old`) and by its folded
 * name, per language; pairs that share any such key, directly or through other pairs, form one
 * group (connected components, union-find).
 */

function courseCodes(id: string): string[] {
  const body = id.slice(id.indexOf(':') + 1)
  const parts = body.includes('->') ? body.split('->') : body.split('>')
  if (parts.length !== 2) return []
  // `pt-calculo-1.a-old+x` names version a of course pt-calculo-1: the course is what counts.
  return parts.map((p) => p.replace(/\.[a-z0-9]+(?:-old)?(?:\+x)?$/, '').trim()).filter(Boolean)
}

function nameKey(nome: string): string {
  return fold(nome)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
}

/**
 * Group number of each pair (same order as `pairs`), numbered in order of first appearance.
 * `by: 'target'` groups by the target course alone: for a written set whose negatives pair every
 * course with every area, the connected components are one or two giant groups that no k-fold
 * split can use; then a target course (and its own versions) is never in two folds, though an
 * origin course may be.
 */
export function courseGroups(
  pairs: readonly LabelledPair[],
  by: 'component' | 'target' = 'component',
): number[] {
  const parent = new Map<string, string>()
  const find = (x: string): string => {
    let root = x
    while (parent.get(root) !== root) {
      if (!parent.has(root)) parent.set(root, root)
      else root = parent.get(root)!
    }
    parent.set(x, root)
    return root
  }
  const union = (a: string, b: string) => {
    const ra = find(a)
    const rb = find(b)
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb)
  }
  const keysOf = pairs.map((p) => {
    const lang = p.lang ?? ''
    const codes = courseCodes(p.id)
    if (by === 'target') return [`${lang}|code|${codes[1] ?? nameKey(p.destino.nome)}`]
    const keys = [`${lang}|name|${nameKey(p.origem.nome)}`, `${lang}|name|${nameKey(p.destino.nome)}`]
    for (const code of codes) keys.push(`${lang}|code|${code}`)
    return keys
  })
  for (const keys of keysOf) for (const k of keys.slice(1)) union(keys[0]!, k)
  const numbers = new Map<string, number>()
  return keysOf.map((keys) => {
    const root = find(keys[0]!)
    if (!numbers.has(root)) numbers.set(root, numbers.size)
    return numbers.get(root)!
  })
}

function fnv(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/**
 * Deterministic held-out part by group: a group is held out when the hash of its first pair's id
 * falls in the lowest `share`; the same file always splits the same way.
 */
export function heldOutGroups(
  pairs: readonly LabelledPair[],
  groups: readonly number[],
  share: number,
): Set<number> {
  const first = new Map<number, string>()
  pairs.forEach((p, i) => {
    const g = groups[i]!
    const seen = first.get(g)
    if (seen === undefined || p.id < seen) first.set(g, p.id)
  })
  const held = new Set<number>()
  for (const [g, id] of first) if (fnv(`holdout:${id}`) % 1000 < share * 1000) held.add(g)
  return held
}

/**
 * `k` folds of whole groups, balanced by size: groups in a hash order, each to the currently
 * smallest fold. Returns the fold of each pair. Another `salt` gives another assignment (repeated CV).
 */
export function groupFolds(pairs: readonly LabelledPair[], groups: readonly number[], k: number, salt = ''): number[] {
  const size = new Map<number, number>()
  const first = new Map<number, string>()
  pairs.forEach((p, i) => {
    const g = groups[i]!
    size.set(g, (size.get(g) ?? 0) + 1)
    const seen = first.get(g)
    if (seen === undefined || p.id < seen) first.set(g, p.id)
  })
  const order = [...size.keys()].sort(
    (a, b) => size.get(b)! - size.get(a)! || fnv(salt + first.get(a)!) - fnv(salt + first.get(b)!),
  )
  const load = new Array<number>(k).fill(0)
  const foldOf = new Map<number, number>()
  for (const g of order) {
    let target = 0
    for (let f = 1; f < k; f++) if (load[f]! < load[target]!) target = f
    foldOf.set(g, target)
    load[target]! += size.get(g)!
  }
  return groups.map((g) => foldOf.get(g)!)
}
