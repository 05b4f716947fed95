import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { assembleDataset } from './assemble'
import { AREAS, loadBank } from './bank'
import { stripAccents } from './legacy-format'
import { toJsonl } from './render'

const here = dirname(fileURLToPath(import.meta.url))
const sharedPairs = join(here, '../../../shared/data/dev-pairs.jsonl')

/** The line format `npm run eval` reads (plus the descriptive fields this set adds). */
const SideSchema = z.strictObject({
  nome: z.string().min(3),
  carga_horaria: z.number().int().positive().nullable(),
  ementa: z.string().min(10),
})
const PairSchema = z.strictObject({
  id: z.string().min(1),
  lang: z.enum(['pt', 'en']),
  area: z.enum(AREAS),
  kind: z.enum([
    'paraphrase',
    'equivalent_old_format',
    'equivalent_superset',
    'equivalent_short',
    'equivalent_loose',
    'hard_negative_sequence',
    'hard_negative_overlap',
    'hard_negative_same_area',
    'random_negative',
  ]),
  tags: z.array(z.string()).optional(),
  origem: SideSchema,
  destino: SideSchema,
  label: z.enum(['equivalent', 'not_equivalent']),
})
type Pair = z.infer<typeof PairSchema>

function readPairs(file: string): { text: string; pairs: Pair[] } {
  const text = readFileSync(join(here, file), 'utf8')
  const lines = text.split('\n').filter((l) => l.length > 0)
  const pairs = lines.map((line, i) => {
    const parsed = PairSchema.safeParse(JSON.parse(line))
    if (!parsed.success) throw new Error(`${file}:${i + 1}: ${z.prettifyError(parsed.error)}`)
    return parsed.data
  })
  return { text, pairs }
}

/** Folds case, accents, line-wrap hyphens and spacing, so a reformatted copy still counts as the same text. */
const fold = (text: string) =>
  stripAccents(text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '')

/** Course keys behind a pair id (`kind:key.a-old>key.b`). */
const courseKeys = (id: string) =>
  id
    .slice(id.indexOf(':') + 1)
    .split('>')
    .map((ref) => ref.split('.')[0])

const share = (pairs: Pair[], test: (p: Pair) => boolean) => pairs.filter(test).length / pairs.length

const dev = readPairs('dev.jsonl')
const holdout = readPairs('holdout.jsonl')
const files = { dev: dev.pairs, holdout: holdout.pairs }

describe('bench/data dev set', () => {
  it('is what build.ts makes from the bank today', () => {
    const built = assembleDataset(loadBank(join(here, 'bank')))
    expect(toJsonl(built.dev)).toBe(dev.text)
    expect(toJsonl(built.holdout)).toBe(holdout.text)
  })

  it('has enough pairs, ids unique across both files', () => {
    expect(dev.pairs.length).toBeGreaterThanOrEqual(240)
    expect(holdout.pairs.length).toBeGreaterThanOrEqual(90)
    const ids = [...dev.pairs, ...holdout.pairs].map((p) => p.id)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('keeps the held-out courses unseen: no course and no syllabus text in both files', () => {
    const devKeys = new Set(dev.pairs.flatMap((p) => courseKeys(p.id)))
    const sharedKeys = holdout.pairs.flatMap((p) => courseKeys(p.id)).filter((k) => devKeys.has(k))
    expect(sharedKeys).toEqual([])
    const devTexts = new Set(dev.pairs.flatMap((p) => [fold(p.origem.ementa), fold(p.destino.ementa)]))
    const sharedTexts = holdout.pairs
      .flatMap((p) => [p.origem.ementa, p.destino.ementa])
      .filter((t) => devTexts.has(fold(t)))
    expect(sharedTexts).toEqual([])
  })

  it.each(Object.entries(files))(
    '%s is balanced: about half equivalent, half Portuguese, every area',
    (_, pairs) => {
      expect(share(pairs, (p) => p.label === 'equivalent')).toBeGreaterThanOrEqual(0.4)
      expect(share(pairs, (p) => p.label === 'equivalent')).toBeLessThanOrEqual(0.6)
      expect(share(pairs, (p) => p.lang === 'pt')).toBeGreaterThanOrEqual(0.4)
      expect(share(pairs, (p) => p.lang === 'pt')).toBeLessThanOrEqual(0.6)
      expect(new Set(pairs.map((p) => p.area))).toEqual(new Set(AREAS))
    },
  )

  it.each(Object.entries(files))('%s holds every hard case', (_, pairs) => {
    const kinds = new Set(pairs.map((p) => p.kind))
    for (const kind of PairSchema.shape.kind.options) expect(kinds, kind).toContain(kind)
    const withTag = (tag: string) => pairs.filter((p) => p.tags?.includes(tag))
    expect(withTag('old_format').some((p) => p.label === 'not_equivalent')).toBe(true)
    expect(withTag('short').some((p) => p.label === 'not_equivalent')).toBe(true)
  })

  it.each(Object.entries(files))(
    '%s labels agree with kinds and workloads follow catalogue reality',
    (_, pairs) => {
      for (const p of pairs) {
        const positive = p.kind === 'paraphrase' || p.kind.startsWith('equivalent')
        expect(p.label, p.id).toBe(positive ? 'equivalent' : 'not_equivalent')
        if (p.lang === 'en')
          expect([p.origem.carga_horaria, p.destino.carga_horaria], p.id).toEqual([null, null])
        const [o, d] = [p.origem.carga_horaria, p.destino.carga_horaria]
        if (positive && o !== null && d !== null) expect(o, p.id).toBeGreaterThanOrEqual(0.75 * d)
      }
      const pt = pairs.filter((p) => p.lang === 'pt')
      const oneSideMissing = share(
        pt,
        (p) => (p.origem.carga_horaria === null) !== (p.destino.carga_horaria === null),
      )
      expect(oneSideMissing).toBeGreaterThanOrEqual(0.1)
      expect(oneSideMissing).toBeLessThanOrEqual(0.3)
    },
  )

  it.runIf(existsSync(sharedPairs))('copies no syllabus from the external labelled pairs', () => {
    // Any run of ten words shared with one of their syllabi would mean copied text.
    const runs = (text: string) => {
      const words = stripAccents(text)
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter(Boolean)
      return words.slice(0, Math.max(0, words.length - 9)).map((_, i) => words.slice(i, i + 10).join(' '))
    }
    const external = new Set(runs(readFileSync(sharedPairs, 'utf8')))
    const copied = [...dev.pairs, ...holdout.pairs]
      .flatMap((p) => [p.origem.ementa, p.destino.ementa])
      .filter((t) => runs(t).some((r) => external.has(r)))
    expect(copied).toEqual([])
  })
})
