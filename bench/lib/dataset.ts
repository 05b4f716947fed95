import { basename } from 'node:path'
import { DEFAULT_POLICY, scoringInput, type Policy, type ScoringInput, type SemanticPairSignals } from '../../engine'
import { courseGroups, heldOutGroups } from './groups'
import { readPairs, toRequest, type LabelledPair } from './pairs'

/** A labelled pair with what the scorers see of it, its course group and its side of the split. */
export interface Sample {
  pair: LabelledPair
  file: string
  input: ScoringInput
  lang: string
  equivalent: boolean
  /** Course group, unique across files. */
  group: number
  heldOut: boolean
  /** How the file's pairs were grouped (see `courseGroups`). */
  grouping: 'component' | 'target'
}

/** A group larger than this share of its file cannot be placed in folds: group by target course instead. */
const MAX_GROUP_SHARE = 0.15

function largestShare(groups: readonly number[]): number {
  const size = new Map<number, number>()
  for (const g of groups) size.set(g, (size.get(g) ?? 0) + 1)
  return Math.max(0, ...size.values()) / Math.max(1, groups.length)
}

/** Share of each file's course groups held out: never fitted or tuned on, only reported. */
export const HELD_OUT_SHARE = 0.25

/**
 * Reads labelled files in place and measures every pair under `policy`. Groups and the held-out
 * part are computed per file (courses of two files are different institutions' courses), so a
 * file splits the same way whatever else is read with it — training and `eval --calibrate` agree.
 * `reportOnly` files are held out whole; `tuneWhole` files have no held-out part (all fitted/tuned on).
 */
export async function loadSamples(
  files: readonly string[],
  options: {
    reportOnly?: readonly string[]
    tuneWhole?: readonly string[]
    policy?: Policy
    /** Semantic similarities of a pair (through an embeddings provider), for a model fitted on them. */
    semantic?: (pair: LabelledPair) => Promise<SemanticPairSignals>
  } = {},
): Promise<Sample[]> {
  const policy = options.policy ?? DEFAULT_POLICY
  const samples: Sample[] = []
  let offset = 0
  const all = [
    ...files.map((f) => ({ f, whole: false })),
    ...(options.reportOnly ?? []).map((f) => ({ f, whole: true })),
    ...(options.tuneWhole ?? []).map((f) => ({ f, whole: false, tuneAll: true })),
  ]
  for (const { f, whole, tuneAll } of all as { f: string; whole: boolean; tuneAll?: boolean }[]) {
    const pairs = readPairs(f)
    let groups = courseGroups(pairs)
    let grouping: Sample['grouping'] = 'component'
    if (largestShare(groups) > MAX_GROUP_SHARE) {
      groups = courseGroups(pairs, 'target')
      grouping = 'target'
    }
    const held = tuneAll ? new Set<number>() : heldOutGroups(pairs, groups, HELD_OUT_SHARE)
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i]!
      const input = await scoringInput(toRequest(pair), {
        policy,
        policyVersion: 'train',
        referenceDate: '2026-01-01',
        ...(options.semantic ? { semantic: await options.semantic(pair) } : {}),
      })
      samples.push({
        pair,
        file: basename(f),
        input,
        lang: pair.lang ?? input.lang,
        equivalent: pair.label === 'equivalent',
        group: offset + groups[i]!,
        heldOut: whole || held.has(groups[i]!),
        grouping,
      })
    }
    offset += Math.max(0, ...groups) + 1
  }
  return samples
}
