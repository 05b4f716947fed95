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
  /**
   * Year level the target's catalogue number names (`PSYC 314` → 3, `HIST 3106` → 3, `SOCY 101` → 1;
   * 0 for one- or two-digit numbers and names without a code). English titles only. US catalogues
   * number upper-division courses 300+ (or 3000+); UC numbers its lower division 1–99 and its upper
   * division 100–199, so in the real pairs most of the signal is 0 against the rest
   * (docs/adr/0003: what it measured and what it does to `101` introductory courses).
   */
  targetCatalogueLevel: number
}

/** `CHEM 8B Organic Chemistry` → number `8`, sequence letter B; English catalogue codes only. */
const CODE = /^\s*[A-Z][A-Z&]{1,5}\s?-?(\d{1,4})([A-Z]{0,3})\b/

interface CatalogueCode {
  number: string
  /** Position a trailing sequence letter names (`8A` → 1, `8B` → 2, `12BL` → 2; A–D only), or null. */
  letterPosition: number | null
}

function catalogueCode(nome: string): CatalogueCode | null {
  const m = CODE.exec(nome)
  if (!m) return null
  const suffix = m[2]!
  // One sequence letter, optionally followed by L (laboratory) or H (honors): `8B`, `12BL`, `2AH`.
  const lettered = /^[A-D][LH]?$/.test(suffix)
  return { number: m[1]!, letterPosition: lettered ? suffix.charCodeAt(0) - 64 : null }
}

/** Position a numbered title marker names (`Física 2` → 2, `Spanish 1B` → 2, `Calculus II` → 2), or null. */
function titlePosition(t: TitleInfo): number | null {
  if (t.markerKind !== 'numero' || t.ordinal === null) return null
  return t.ordinal % 10 !== 0 ? t.ordinal % 10 : Math.floor(t.ordinal / 10)
}

/** Same-family titles where one names its stage in words (`Organic Chemistry I`) and the other by its code letter (`CHEM 8B`). */
function codeLetterConflict(takenCode: CatalogueCode | null, taken: TitleInfo, targetCode: CatalogueCode | null, target: TitleInfo): boolean {
  const a = titlePosition(taken)
  const b = targetCode?.letterPosition ?? null
  const c = takenCode?.letterPosition ?? null
  const d = titlePosition(target)
  return (a !== null && b !== null && a !== b) || (c !== null && d !== null && c !== d)
}

const SAME_FAMILY = 0.75

function catalogueLevel(code: CatalogueCode | null): number {
  if (!code || code.number.length < 3) return 0
  return Math.min(Number(code.number[0]), 5)
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
  const targetCode = stripCode ? catalogueCode(destinoNome) : null
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
    const takenCode = stripCode ? catalogueCode(nome) : null
    if (origemNomes.length === 1 && similarity >= SAME_FAMILY && codeLetterConflict(takenCode, taken, targetCode, target)) {
      sequenceConflict = true
    }
  }
  return {
    termCoverage: termCoverage(destino, origens, lang),
    titleSimilarity,
    sameTitle,
    sequenceConflict,
    targetTitleInOrigin: titleCoverage(targetStems, [...originTitles, ...origens]),
    titleExtraWords: Number.isFinite(extraWords) ? extraWords : 0,
    oneSidedMarker,
    targetCatalogueLevel: catalogueLevel(targetCode),
  }
}
