/**
 * Pairs the courses of the bank into labelled evaluation pairs, deterministically.
 *
 * Positives (label `equivalent`) pair two versions of one course: two institutions' wording
 * (`paraphrase`), one side in the old upper-case scanned format (`equivalent_old_format`), an origin
 * that covers more than the target (`equivalent_superset`), or a very short entry on one side
 * (`equivalent_short`). Negatives pair different courses: members of one sequence
 * (`hard_negative_sequence`), courses of one area (`hard_negative_same_area`) and a few across areas
 * (`random_negative`). Same-area negatives are added until each split and language is about half
 * equivalent. Courses never cross splits, so the held-out file only holds courses dev never saw.
 */
import type { BankCourse, CourseText } from './bank'
import { fnv1a } from './hash'
import { toLegacyFormat } from './legacy-format'

export type Label = 'equivalent' | 'not_equivalent'
export type Kind =
  | 'paraphrase'
  | 'equivalent_old_format'
  | 'equivalent_superset'
  | 'equivalent_short'
  | 'hard_negative_sequence'
  | 'hard_negative_same_area'
  | 'random_negative'

export interface Pair {
  id: string
  lang: 'pt' | 'en'
  area: string
  kind: Kind
  tags?: string[]
  origem: CourseText
  destino: CourseText
  label: Label
}

export interface Dataset {
  dev: Pair[]
  holdout: Pair[]
}

/** A concrete text of a course that one side of a pair shows, plus how it was derived. */
interface Side {
  course: BankCourse
  ref: string
  text: CourseText
  tags: string[]
}

const LETTERS = ['a', 'b', 'c']
/** Share of pairs (of each split and language) that are cross-area random negatives. */
const RANDOM_NEGATIVE_SHARE = 0.05
/** A workload rule of the usual kind (origin at least 75% of the target) must not reject a positive. */
const MIN_WORKLOAD_RATIO = 0.75

export function assembleDataset(courses: BankCourse[]): Dataset {
  const out: Dataset = { dev: [], holdout: [] }
  for (const split of ['dev', 'holdout'] as const) {
    for (const lang of ['pt', 'en'] as const) {
      const group = courses.filter((c) => c.split === split && c.lang === lang)
      const positives = group.flatMap(positivesOf)
      out[split].push(...positives, ...negativesOf(group, positives.length))
    }
    out[split] = out[split].map(finish).sort((a, b) => fnv1a(a.id) - fnv1a(b.id) || a.id.localeCompare(b.id))
  }
  return out
}

function positivesOf(c: BankCourse): Pair[] {
  const v = c.versions.map((_, i) => version(c, i))
  const [first, second, third] = v as [Side, Side, Side | undefined]
  const pairs: Pair[] = [pair('paraphrase', first, second)]
  if (third) pairs.push(pair('paraphrase', second, third))
  const last = third ?? second
  if (c.lang === 'pt') {
    // The old entry sits on either side: an old origin against a current target, or the reverse.
    pairs.push(
      fnv1a(c.key) % 2 === 0
        ? pair('equivalent_old_format', legacy(last), first)
        : pair('equivalent_old_format', first, legacy(last)),
    )
  } else if (third) {
    pairs.push(pair('paraphrase', third, first))
  }
  if (c.extra !== undefined) {
    // Origin = one wording plus topics the target does not list; target = another wording.
    const [base, target] = c.lang === 'pt' && third ? [first, third] : [last, first]
    pairs.push(pair('equivalent_superset', withExtra(base, c.extra), target))
  }
  if (c.short) {
    const s = shortOf(c)
    pairs.push(
      fnv1a(c.key) % 3 === 0 ? pair('equivalent_short', s, second) : pair('equivalent_short', second, s),
    )
  }
  for (const p of pairs) checkWorkload(p)
  return pairs
}

function negativesOf(group: BankCourse[], positives: number): Pair[] {
  const pairs: Pair[] = []
  const seen = new Set<string>()
  const full = () => pairs.length >= positives
  // Round r shows the same two courses through other versions, so a repeated course pair never
  // repeats a text pair.
  const add = (kind: Kind, o: BankCourse, d: BankCourse, round: number): void => {
    const base = `${o.key}>${d.key}`
    if (o.key === d.key || seen.has(`${base}#${round}`)) return
    const p = pair(kind, pickSide(o, `${base}/o`, round, true), pickSide(d, `${base}/d`, round, false))
    if (pairs.some((q) => q.id === p.id)) return
    seen.add(`${base}#${round}`)
    pairs.push(p)
  }
  const sorted = [...group].sort((a, b) => a.key.localeCompare(b.key))

  // Every two members of a sequence, both directions: Cálculo 1 → 2 and Cálculo 2 → 1.
  const sequence = (round: number) => {
    for (const a of sorted) {
      for (const b of sorted) {
        if (round > 0 && full()) return
        if (a.family !== undefined && a.family === b.family) add('hard_negative_sequence', a, b, round)
      }
    }
  }

  // Same area, different course.
  const byArea = new Map<string, BankCourse[]>()
  for (const c of sorted) byArea.set(c.area, [...(byArea.get(c.area) ?? []), c])
  const cells = [...byArea.values()].filter((cell) => cell.length > 1)
  const maxCell = Math.max(0, ...cells.map((cell) => cell.length))
  const sameArea = (round: number) => {
    for (let offset = 1; offset < maxCell && !full(); offset++) {
      for (let i = 0; i < maxCell && !full(); i++) {
        for (const cell of cells) {
          const o = cell[i]
          const d = cell[(i + offset) % cell.length]
          if (full()) break
          if (o && d && (o.family === undefined || o.family !== d.family))
            add('hard_negative_same_area', o, d, round)
        }
      }
    }
  }

  sequence(0)
  // A few pairs across areas, the easy end of the scale.
  const randomCount = Math.max(1, Math.round(positives * 2 * RANDOM_NEGATIVE_SHARE))
  for (let i = 0, made = 0; i < sorted.length * 3 && made < randomCount; i++) {
    const o = sorted[(i * 7) % sorted.length]
    const d = sorted[(i * 7 + Math.ceil(sorted.length / 2) + i) % sorted.length]
    if (o && d && o.area !== d.area && !seen.has(`${o.key}>${d.key}#0`)) {
      add('random_negative', o, d, 0)
      made++
    }
  }
  // Then same-area pairs until this split and language is about half equivalent, drawing on
  // other versions of the sequences and course pairs when the first round is not enough.
  sameArea(0)
  for (let round = 1; round < 3 && !full(); round++) {
    sequence(round)
    sameArea(round)
  }
  return pairs
}

/** One side of a negative pair: a version chosen by hash, now and then an old or a short entry. */
function pickSide(c: BankCourse, seed: string, round: number, isOrigin: boolean): Side {
  const h = fnv1a(seed)
  if (c.short && round === 0 && h % 7 === 0) return shortOf(c)
  const side = version(c, (h + round) % c.versions.length)
  return c.lang === 'pt' && (h + round) % 5 === (isOrigin ? 1 : 2) ? legacy(side) : side
}

function version(c: BankCourse, i: number): Side {
  const text = c.versions[i]
  if (!text) throw new Error(`${c.key}: no version ${i}`)
  return { course: c, ref: `${c.key}.${LETTERS[i]}`, text, tags: [] }
}

function shortOf(c: BankCourse): Side {
  if (!c.short) throw new Error(`${c.key}: no short entry`)
  return { course: c, ref: `${c.key}.s`, text: c.short, tags: ['short'] }
}

function legacy(s: Side): Side {
  const text = {
    ...s.text,
    nome: toLegacyFormat(s.text.nome, `${s.ref}/nome`).replace(/-\s?/g, ''),
    ementa: toLegacyFormat(s.text.ementa, s.ref),
  }
  return { ...s, ref: `${s.ref}-old`, text, tags: [...s.tags, 'old_format'] }
}

function withExtra(s: Side, extra: string): Side {
  const ementa = /[.;]$/.test(s.text.ementa.trim())
    ? `${s.text.ementa.trim()} ${extra}`
    : `${s.text.ementa.trim()}. ${extra}`
  return { ...s, ref: `${s.ref}+x`, text: { ...s.text, ementa }, tags: [...s.tags, 'origin_has_more'] }
}

function pair(kind: Kind, o: Side, d: Side): Pair {
  const label: Label =
    kind.startsWith('paraphrase') || kind.startsWith('equivalent') ? 'equivalent' : 'not_equivalent'
  const tags = [...new Set([...o.tags, ...d.tags])]
  if (o.course.area !== d.course.area) tags.push(`destino_area:${d.course.area}`)
  return {
    id: `${kind}:${o.ref}>${d.ref}`,
    lang: o.course.lang,
    area: o.course.area,
    kind,
    ...(tags.length > 0 ? { tags } : {}),
    origem: { ...o.text },
    destino: { ...d.text },
    label,
  }
}

function checkWorkload(p: Pair): void {
  const o = p.origem.carga_horaria
  const d = p.destino.carga_horaria
  if (o !== null && d !== null && o < d * MIN_WORKLOAD_RATIO) {
    throw new Error(
      `${p.id}: an equivalent pair with origin ${o} h below ${MIN_WORKLOAD_RATIO} of target ${d} h`,
    )
  }
}

/**
 * Last touches that follow catalogue reality: English entries carry no workload, and about one
 * Portuguese pair in five lacks it on one side.
 */
function finish(p: Pair): Pair {
  if (p.lang === 'en') {
    return {
      ...p,
      origem: { ...p.origem, carga_horaria: null },
      destino: { ...p.destino, carga_horaria: null },
    }
  }
  const h = fnv1a(`${p.id}/workload`)
  if (h % 5 !== 0) return p
  const side = (h >>> 8) % 2 === 0 ? 'origem' : 'destino'
  return { ...p, [side]: { ...p[side], carga_horaria: null } }
}
