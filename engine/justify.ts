import type { Factor } from './model/gbdt'
import type { RuleOutcome } from './rules'
import type { Decisao } from './schemas'

export interface JustificationInput {
  decisao: Decisao
  score: number
  cobertura: number
  faltantes: readonly string[]
  criticosFaltantes: readonly string[]
  rules: readonly RuleOutcome[]
  degradedReason: string | null
  sameTitle: boolean
  titleSimilarity: number
  totalConceitos: number
  /** The scoring model and the features that moved its score most; null under the hand-set score. */
  modelo?: { versao: string; fatores: readonly Factor[] } | null
}

const pct = (x: number) => `${Math.round(x * 100)}%`
const MAX_LISTED = 8

function listTopics(topics: readonly string[]): string {
  const shown = topics.slice(0, MAX_LISTED).map((t) => `"${t}"`)
  const more = topics.length > MAX_LISTED ? ` e mais ${topics.length - MAX_LISTED}` : ''
  return shown.join('; ') + more
}

/** A one-line reason and a detailed, specific one: which rule failed, which topics are missing. */
export function justify(input: JustificationInput): { curta: string; detalhada: string } {
  const failed = input.rules.filter((r) => r.passou === false)
  const notApplicable = input.rules.filter((r) => r.passou === null && r.regra === 'carga_horaria')
  const blocking = failed.find((r) => r.efeito === 'bloqueia')
  const review = failed.find((r) => r.efeito === 'revisao')

  // Same precedence as `decide`: a blocking rule refuses even when the mapper could not judge.
  let curta: string
  if (input.decisao === 'INDEFERIDO' && blocking) curta = `Indeferido: ${blocking.detalhe}`
  else if (input.degradedReason) curta = `Análise humana necessária: ${input.degradedReason}`
  else if (input.decisao === 'ANALISE_HUMANA' && review) curta = `Análise humana necessária: ${review.detalhe}`
  else if (input.decisao === 'DEFERIDO') curta = `Deferido: a origem cobre ${pct(input.cobertura)} dos conteúdos do destino (score ${input.score.toFixed(1)}).`
  else if (input.decisao === 'INDEFERIDO') curta = `Indeferido: a origem cobre apenas ${pct(input.cobertura)} dos conteúdos do destino (score ${input.score.toFixed(1)}).`
  else curta = `Análise humana necessária: cobertura de ${pct(input.cobertura)} dos conteúdos do destino, score ${input.score.toFixed(1)} na faixa de revisão.`

  const lines: string[] = [curta]
  lines.push(`Conteúdos do destino cobertos: ${pct(input.cobertura)} de ${input.totalConceitos} tópico(s).`)
  if (input.sameTitle) lines.push('As disciplinas têm o mesmo nome.')
  else lines.push(`Semelhança entre os nomes das disciplinas: ${pct(input.titleSimilarity)}.`)
  if (input.faltantes.length > 0) lines.push(`Tópicos do destino não encontrados na origem: ${listTopics(input.faltantes)}.`)
  if (input.criticosFaltantes.length > 0) lines.push(`Conceitos críticos ausentes: ${listTopics(input.criticosFaltantes)}.`)
  if (input.modelo) lines.push(describeFactors(input.modelo.versao, input.modelo.fatores))
  for (const r of failed) lines.push(`Regra "${r.regra}" não atendida: ${r.detalhe}`)
  for (const r of notApplicable) lines.push(r.detalhe)
  return { curta, detalhada: lines.join('\n') }
}

/** `x` with two decimals and a decimal comma (`1,20`), without `toFixed`: this runs for every evaluation. */
function decimal2(x: number): string {
  const hundredths = Math.round(Math.abs(x) * 100)
  const cents = hundredths % 100
  return `${x < 0 && hundredths > 0 ? '-' : ''}${Math.floor(hundredths / 100)},${cents < 10 ? '0' : ''}${cents}`
}

/** `Fatores que mais pesaram no score (modelo X): nomes iguais… (valor 1,00; a favor, +1,20); …` */
function describeFactors(versao: string, fatores: readonly Factor[]): string {
  if (fatores.length === 0) return `Score do modelo ${versao}: nenhum fator se destacou.`
  let text = `Fatores que mais pesaram no score (modelo ${versao}): `
  fatores.forEach((f, i) => {
    const sign = f.efeito >= 0 ? 'a favor, +' : 'contra, -'
    text += `${i > 0 ? '; ' : ''}${f.descricao} (valor ${decimal2(f.valor)}; ${sign}${decimal2(Math.abs(f.efeito))})`
  })
  return text + '.'
}
