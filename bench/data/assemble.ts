/**
 * Pairs the courses of the bank into labelled evaluation pairs, deterministically.
 *
 * Positives (label `equivalent`) pair two versions of one course: two institutions' wording
 * (`paraphrase`), one side in the old upper-case scanned format (`equivalent_old_format`), an origin
 * that covers more than the target (`equivalent_superset`), or a very short entry on one side
 * (`equivalent_short`), or the course as a differently built curriculum words it, with little shared
 * vocabulary (`equivalent_loose`). Negatives pair different courses: members of one sequence
 * (`hard_negative_sequence`), one subject at another level, audience or scope that shares most of
 * the words (`hard_negative_overlap`), courses of one area (`hard_negative_same_area`) and a few
 * across areas (`random_negative`). English sides now and then carry the catalogue's administrative
 * lines (prerequisite, hours, transfer), as real catalogue extracts do. Same-area negatives are added until each split and language is about half
 * equivalent. Courses never cross splits, so the held-out file only holds courses dev never saw.
 */
import type { BankCourse, CourseText } from './bank'
import { withCatalogueNoise } from './catalogue-noise'
import { fnv1a } from './hash'
import { stripAccents, toLegacyFormat } from './legacy-format'

export type Label = 'equivalent' | 'not_equivalent'
export type Kind =
  | 'paraphrase'
  | 'equivalent_old_format'
  | 'equivalent_superset'
  | 'equivalent_short'
  | 'equivalent_loose'
  | 'hard_negative_sequence'
  | 'hard_negative_overlap'
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

/** A bank course plus the title of the course before it in its sequence, if any. */
type Course = BankCourse & { previousName?: string }

/** A concrete text of a course that one side of a pair shows, plus how it was derived. */
interface Side {
  course: Course
  ref: string
  text: CourseText
  tags: string[]
}

const LETTERS = ['a', 'b', 'c']
/** Share of English sides that carry the catalogue's administrative lines. */
const CATALOGUE_NOISE_SHARE = 0.3
/** Share of pairs (of each split and language) that are cross-area random negatives. */
const RANDOM_NEGATIVE_SHARE = 0.05
/** A workload rule of the usual kind (origin at least 75% of the target) must not reject a positive. */
const MIN_WORKLOAD_RATIO = 0.75

export function assembleDataset(bank: BankCourse[]): Dataset {
  const courses = withPreviousNames(bank)
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

function withPreviousNames(bank: BankCourse[]): Course[] {
  return bank.map((c) => {
    const previous = bank.find(
      (o) => c.family !== undefined && o.family === c.family && o.step === (c.step ?? 0) - 1,
    )
    return previous?.versions[0] ? { ...c, previousName: previous.versions[0].nome } : c
  })
}

function positivesOf(c: Course): Pair[] {
  const v = c.versions.map((_, i) => version(c, i))
  const [first, second, third] = v as [Side, Side | undefined, Side | undefined]
  const pairs: Pair[] = []
  if (c.loose) {
    const l: Side = { course: c, ref: `${c.key}.l`, text: c.loose, tags: [] }
    const other = second ?? first
    pairs.push(
      fnv1a(c.key) % 2 === 0 ? pair('equivalent_loose', l, other) : pair('equivalent_loose', other, l),
    )
  }
  if (!second) return checked(pairs)
  pairs.push(pair('paraphrase', first, second))
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
  return checked(pairs)
}

function checked(pairs: Pair[]): Pair[] {
  for (const p of pairs) checkWorkload(p)
  return pairs
}

function negativesOf(group: Course[], positives: number): Pair[] {
  const pairs: Pair[] = []
  const seen = new Set<string>()
  const full = () => pairs.length >= positives
  // Round r shows the same two courses through other versions, so a repeated course pair never
  // repeats a text pair.
  const add = (kind: Kind, o: Course, d: Course, round: number): void => {
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

  // Same area, different course (not a sequence neighbour, not a declared near miss or cover). The pairs
  // that share the most vocabulary come first: those are the ones a word-matching engine confuses.
  const sameArea = (round: number) => {
    const candidates: { o: Course; d: Course; score: number }[] = []
    for (const o of sorted) {
      for (const d of sorted) {
        const related =
          (o.family !== undefined && o.family === d.family) ||
          o.near?.includes(d.key) ||
          d.near?.includes(o.key) ||
          o.coveredBy?.includes(d.key) ||
          d.coveredBy?.includes(o.key)
        if (o.key === d.key || o.area !== d.area || related) continue
        const h = fnv1a(`${o.key}>${d.key}/o`)
        const score = sharedVocabulary(o.versions[(h + round) % o.versions.length]!, d.versions[0]!)
        candidates.push({ o, d, score })
      }
    }
    candidates.sort(
      (a, b) => b.score - a.score || `${a.o.key}>${a.d.key}`.localeCompare(`${b.o.key}>${b.d.key}`),
    )
    for (const { o, d } of candidates) {
      if (full()) return
      add('hard_negative_same_area', o, d, round)
    }
  }

  sequence(0)
  // One subject at another level, for another audience or of another scope: both directions for
  // near misses, only narrower → wider for courses covered by another.
  const byKey = new Map(sorted.map((c) => [c.key, c]))
  for (const c of sorted) {
    for (const other of (c.near ?? []).map((k) => byKey.get(k))) {
      if (!other) continue
      add('hard_negative_overlap', c, other, 0)
      add('hard_negative_overlap', other, c, 0)
    }
    for (const wider of (c.coveredBy ?? []).map((k) => byKey.get(k))) {
      if (wider) add('hard_negative_overlap', c, wider, 0)
    }
  }
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

/** Share of the target's distinct words (folded, cut to six letters) that the origin also uses. */
function sharedVocabulary(origin: CourseText, target: CourseText): number {
  const words = (text: string) =>
    new Set(
      stripAccents(text)
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((w) => w.length > 3)
        .map((w) => w.slice(0, 6)),
    )
  const o = words(origin.ementa)
  const d = words(target.ementa)
  return d.size === 0 ? 0 : [...d].filter((w) => o.has(w)).length / d.size
}

/** One side of a negative pair: a version chosen by hash, now and then an old or a short entry. */
function pickSide(c: Course, seed: string, round: number, isOrigin: boolean): Side {
  const h = fnv1a(seed)
  if (c.short && round === 0 && h % 7 === 0) return shortOf(c)
  const side = version(c, (h + round) % c.versions.length)
  return c.lang === 'pt' && (h + round) % 5 === (isOrigin ? 1 : 2) ? legacy(side) : side
}

function version(c: Course, i: number): Side {
  const text = c.versions[i]
  if (!text) throw new Error(`${c.key}: no version ${i}`)
  return { course: c, ref: `${c.key}.${LETTERS[i]}`, text, tags: [] }
}

function shortOf(c: Course): Side {
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

/** An English side, now and then, with the catalogue's administrative lines around it. */
function noisy(s: Side, seed: string): Side {
  if (s.course.lang !== 'en' || fnv1a(seed) % 100 >= CATALOGUE_NOISE_SHARE * 100) return s
  const ementa = withCatalogueNoise(s.text.ementa, seed, s.course.previousName)
  return { ...s, text: { ...s.text, ementa }, tags: [...s.tags, 'catalogue_noise'] }
}

function withExtra(s: Side, extra: string): Side {
  const ementa = /[.;]$/.test(s.text.ementa.trim())
    ? `${s.text.ementa.trim()} ${extra}`
    : `${s.text.ementa.trim()}. ${extra}`
  return { ...s, ref: `${s.ref}+x`, text: { ...s.text, ementa }, tags: [...s.tags, 'origin_has_more'] }
}

function pair(kind: Kind, origin: Side, target: Side): Pair {
  const label: Label =
    kind.startsWith('paraphrase') || kind.startsWith('equivalent') ? 'equivalent' : 'not_equivalent'
  const base = `${kind}:${origin.ref}>${target.ref}`
  const o = noisy(origin, `${base}/o`)
  const d = noisy(target, `${base}/d`)
  const tags = [...new Set([...o.tags, ...d.tags])]
  if (o.course.area !== d.course.area) tags.push(`destino_area:${d.course.area}`)
  return {
    id: base,
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
