import { stemScore } from './mapper'
import { termWeight } from './concepts'
import { isDifferentSequenceMember, parseTitle, type TitleInfo } from './sequence'
import { analyse, type AnalysedText } from './text/analyse'
import type { Language } from './text/stopwords'

/** What a reviewer reads off the pair as a whole, beside topic coverage. */
export interface PairFeatures {
  /** Share of the target's distinct content terms (weighted) found in the origin(s). */
  termCoverage: number
  /** Dice similarity of the titles' content stems, sequence markers and catalogue codes removed. */
  titleSimilarity: number
  /** Same title once case, accents, codes and spacing are ignored. */
  sameTitle: boolean
  /** A different member of the same course sequence (Cálculo 1 vs Cálculo 2). */
  sequenceConflict: boolean
  /** Share of the target title's terms that the origin's title or syllabus mentions. */
  targetTitleInOrigin: number
  /** Fewest content stems in one title (markers aside) but not the other, over the origins. */
  titleExtraWords: number
  /** One title carries a sequence or level marker and the other none (`Física` vs `Física 2`). */
  oneSidedMarker: boolean
}

/** Share of `title`'s stems found in any of `texts`. */
function titleCoverage(title: Set<string>, texts: readonly AnalysedText[]): number {
  if (title.size === 0) return 0
  let found = 0
  for (const stem of title) {
    let best = 0
    for (const t of texts) best = Math.max(best, stemScore(t, stem))
    found += best
  }
  return found / title.size
}

function stemSet(text: AnalysedText): Set<string> {
  return new Set(text.stems.keys())
}

function dice(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0
  let common = 0
  for (const s of a) if (b.has(s)) common++
  return (2 * common) / (a.size + b.size)
}

function symmetricDifference(a: Set<string>, b: Set<string>): number {
  let common = 0
  for (const s of a) if (b.has(s)) common++
  return a.size + b.size - 2 * common
}

/** Coverage of the target's whole vocabulary, term by term. */
export function termCoverage(destino: AnalysedText, origens: readonly AnalysedText[], lang: Language): number {
  let total = 0
  let found = 0
  for (const stem of destino.stems.keys()) {
    const w = termWeight(stem, lang)
    total += w
    let best = 0
    for (const o of origens) {
      best = Math.max(best, stemScore(o, stem))
      if (best === 1) break
    }
    found += best * w
  }
  return total > 0 ? found / total : 0
}

export function pairFeatures(
  origemNomes: readonly string[],
  destinoNome: string,
  destino: AnalysedText,
  origens: readonly AnalysedText[],
  lang: Language,
): PairFeatures {
  const stripCode = lang === 'en'
  const target = parseTitle(destinoNome, stripCode)
  const targetStems = stemSet(analyse(target.base, lang))
  let titleSimilarity = 0
  let sameTitle = false
  let sequenceConflict = false
  let extraWords = Number.POSITIVE_INFINITY
  let oneSidedMarker = false
  const originTitles: AnalysedText[] = []
  for (const nome of origemNomes) {
    const taken: TitleInfo = parseTitle(nome, stripCode)
    const takenTitle = analyse(taken.base, lang)
    originTitles.push(takenTitle)
    const takenStems = stemSet(takenTitle)
    const similarity = dice(takenStems, targetStems)
    extraWords = Math.min(extraWords, symmetricDifference(takenStems, targetStems))
    titleSimilarity = Math.max(titleSimilarity, similarity)
    if (taken.base === target.base && taken.ordinal === target.ordinal) sameTitle = true
    if ((taken.ordinal === null) !== (target.ordinal === null)) oneSidedMarker = true
    // With several origins (N:1), one of them being another stage of the sequence is expected.
    if (origemNomes.length === 1 && isDifferentSequenceMember(taken, target, similarity)) sequenceConflict = true
  }
  return {
    termCoverage: termCoverage(destino, origens, lang),
    titleSimilarity,
    sameTitle,
    sequenceConflict,
    targetTitleInOrigin: titleCoverage(targetStems, [...originTitles, ...origens]),
    titleExtraWords: Number.isFinite(extraWords) ? extraWords : 0,
    oneSidedMarker,
  }
}
