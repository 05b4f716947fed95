/**
 * Accuracy evaluator: `npm run eval -- [FILE.jsonl] [--policy FILE] [--out FILE] [--split tune|holdout]`.
 *
 * Evaluates every labelled pair with the given (default: built-in) policy and no taxonomy, writes
 * `{"id", "decisao", "score"}` per pair to `--out`, and prints n, auto-rate, auto-accuracy,
 * DEFERIDO precision and recall, INDEFERIDO precision and the confusion table, overall and per
 * `lang`. `--split` keeps only one side of the deterministic 70/30 split of `lib/pairs.ts`.
 * `--mapper semantic` maps through the embeddings provider configured by env (EMBED_URL, EMBED_MODEL,
 * ... as for the service; LLM_* and a policy with `semantico.llm` add the refinement) and prints the
 * same summary plus what it cost.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { DEFAULT_POLICY, evaluateEquivalence, PolicySchema } from '../engine'
import { createCountingAiMetrics, createSemanticServices, evaluateWithSemantic, parseAiConfig } from '../services/ai/index'
import { formatSummary, summarise, type Outcome } from './lib/metrics'
import { DEFAULT_PAIRS_FILE, readPairs, splitOf, toRequest } from './lib/pairs'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    policy: { type: 'string' },
    out: { type: 'string' },
    split: { type: 'string' },
    mapper: { type: 'string', default: 'lexical' },
  },
})

const file = positionals[0] ?? DEFAULT_PAIRS_FILE
const policy = values.policy ? PolicySchema.parse(JSON.parse(readFileSync(values.policy, 'utf8'))) : DEFAULT_POLICY
const split = values.split
if (split !== undefined && split !== 'tune' && split !== 'holdout') {
  console.error('--split must be "tune" or "holdout"')
  process.exit(2)
}

if (values.mapper !== 'lexical' && values.mapper !== 'semantic') {
  console.error('--mapper must be "lexical" or "semantic"')
  process.exit(2)
}
const aiMetrics = createCountingAiMetrics()
const semantic = values.mapper === 'semantic' ? createSemanticServices(parseAiConfig(process.env), { metrics: aiMetrics }) : null
if (values.mapper === 'semantic' && !semantic) {
  console.error('--mapper semantic needs an embeddings provider: set EMBED_URL (and EMBED_API_KEY, EMBED_MODEL)')
  process.exit(2)
}

let pairs = readPairs(file)
if (split) pairs = pairs.filter((p) => splitOf(p.id) === split)

const outcomes: (Outcome & { lang: string })[] = []
const lines: string[] = []
for (const pair of pairs) {
  const ctx = { policy, policyVersion: values.policy ?? 'default', referenceDate: '2026-01-01', clock: () => 0 }
  const result = semantic ? await evaluateWithSemantic(toRequest(pair), ctx, semantic, 'eval') : await evaluateEquivalence(toRequest(pair), ctx)
  outcomes.push({ label: pair.label, decisao: result.decisao, lang: pair.lang ?? '' })
  lines.push(JSON.stringify({ id: pair.id, decisao: result.decisao, score: result.score }))
}
if (values.out) writeFileSync(values.out, lines.join('\n') + '\n')

const title = `${file}${split ? ` (${split})` : ''}${semantic ? ` [semantic ${semantic.embeddings.model}]` : ''}`
console.log(formatSummary(title, summarise(outcomes)))
const langs = [...new Set(outcomes.map((o) => o.lang).filter(Boolean))].sort()
if (langs.length > 1) {
  for (const lang of langs) console.log(formatSummary(`lang=${lang}`, summarise(outcomes.filter((o) => o.lang === lang))))
}
if (semantic) {
  const t = aiMetrics.totals
  console.log(`semantic: provider calls ${JSON.stringify(t.providerCalls)}, texts embedded ${t.textsEmbedded}, tokens ${t.tokens}, cache hits ${JSON.stringify(t.cacheHits)}, fallbacks ${JSON.stringify(t.fallbacks)}`)
}
