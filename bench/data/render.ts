/** Serialises the dataset (one JSON object per line) and summarises it for the README. */
import type { Dataset, Pair } from './assemble'

export function toJsonl(pairs: Pair[]): string {
  return pairs.map((p) => JSON.stringify(p)).join('\n') + '\n'
}

/** Counts by split × language × kind × label, as Markdown tables. */
export function countsMarkdown(dataset: Dataset): string {
  const lines: string[] = []
  for (const [split, pairs] of Object.entries(dataset) as [string, Pair[]][]) {
    const eq = pairs.filter((p) => p.label === 'equivalent').length
    const langs = ['pt', 'en'].map((l) => `${l} ${pairs.filter((p) => p.lang === l).length}`).join(', ')
    const areas = new Set(pairs.map((p) => p.area)).size
    lines.push(
      `**${split}**: ${pairs.length} pairs (${langs}; equivalent ${eq}, not_equivalent ${pairs.length - eq}; ${areas} areas)`,
      '',
    )
    lines.push('| kind | label | pt | en | total |', '|---|---|---:|---:|---:|')
    const kinds = [...new Set(pairs.map((p) => p.kind))].sort()
    for (const kind of kinds) {
      const of = pairs.filter((p) => p.kind === kind)
      const count = (lang: string) => of.filter((p) => p.lang === lang).length
      lines.push(`| ${kind} | ${of[0]?.label} | ${count('pt')} | ${count('en')} | ${of.length} |`)
    }
    const tagCount = (tag: string) => pairs.filter((p) => p.tags?.includes(tag)).length
    const ptNullWorkload = pairs.filter(
      (p) => p.lang === 'pt' && (p.origem.carga_horaria === null || p.destino.carga_horaria === null),
    ).length
    lines.push(
      '',
      `Tags: old_format ${tagCount('old_format')}, short ${tagCount('short')}, origin_has_more ${tagCount('origin_has_more')}, ` +
        `catalogue_noise ${tagCount('catalogue_noise')}; ` +
        `Portuguese pairs with a workload missing on one side: ${ptNullWorkload}.`,
      '',
    )
  }
  return lines.join('\n')
}
