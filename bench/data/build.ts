/**
 * Builds `dev.jsonl` and `holdout.jsonl` from the course bank and refreshes the counts in the
 * README. Deterministic: run it again on the same bank and nothing changes.
 *
 *   npx tsx bench/data/build.ts
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { assembleDataset } from './assemble'
import { loadBank } from './bank'
import { countsMarkdown, toJsonl } from './render'

const here = dirname(fileURLToPath(import.meta.url))
const dataset = assembleDataset(loadBank(join(here, 'bank')))

writeFileSync(join(here, 'dev.jsonl'), toJsonl(dataset.dev))
writeFileSync(join(here, 'holdout.jsonl'), toJsonl(dataset.holdout))

const readmePath = join(here, 'README.md')
const readme = readFileSync(readmePath, 'utf8')
const counts = countsMarkdown(dataset)
writeFileSync(
  readmePath,
  readme.replace(/(<!-- counts:start -->\n)[\s\S]*(<!-- counts:end -->)/, `$1${counts}$2`),
)

console.log(counts)
