import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { CourseSchema, type EvaluateRequest } from '../../engine'

/** One labelled pair of the eval format; other fields (kind, source, ...) are ignored. */
const LabelledPairSchema = z.object({
  id: z.string(),
  lang: z.string().optional(),
  origem: CourseSchema,
  destino: CourseSchema,
  label: z.enum(['equivalent', 'not_equivalent']),
})

export type LabelledPair = z.infer<typeof LabelledPairSchema>

export const DEFAULT_PAIRS_FILE = 'bench/data/dev.jsonl'

export function readPairs(file: string): LabelledPair[] {
  const lines = readFileSync(file, 'utf8').split('\n')
  const pairs: LabelledPair[] = []
  lines.forEach((line, i) => {
    if (!line.trim()) return
    const parsed = LabelledPairSchema.safeParse(JSON.parse(line))
    if (!parsed.success) throw new Error(`${file}:${i + 1}: ${parsed.error.issues[0]?.message ?? 'invalid pair'}`)
    pairs.push(parsed.data)
  })
  return pairs
}

export function toRequest(pair: LabelledPair): EvaluateRequest {
  return { origem: pair.origem, destino: pair.destino }
}

/**
 * Deterministic split by a hash of the id: `tune` (~70%) to develop against, `holdout` (~30%)
 * only to report on. The same id always lands on the same side.
 */
export function splitOf(id: string): 'tune' | 'holdout' {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  return (h >>> 0) % 10 < 7 ? 'tune' : 'holdout'
}
