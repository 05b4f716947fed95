import type { Decisao } from '../../engine'

export type Label = 'equivalent' | 'not_equivalent'

export interface Outcome {
  label: Label
  decisao: Decisao
}

export interface Summary {
  n: number
  autoRate: number
  autoAccuracy: number
  deferidoPrecision: number
  deferidoRecall: number
  indeferidoPrecision: number
  confusion: Record<Label, Record<Decisao, number>>
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN)

export function summarise(outcomes: readonly Outcome[]): Summary {
  const confusion: Summary['confusion'] = {
    equivalent: { DEFERIDO: 0, INDEFERIDO: 0, ANALISE_HUMANA: 0 },
    not_equivalent: { DEFERIDO: 0, INDEFERIDO: 0, ANALISE_HUMANA: 0 },
  }
  for (const o of outcomes) confusion[o.label][o.decisao]++
  const eq = confusion.equivalent
  const ne = confusion.not_equivalent
  const deferidos = eq.DEFERIDO + ne.DEFERIDO
  const indeferidos = eq.INDEFERIDO + ne.INDEFERIDO
  const positives = eq.DEFERIDO + eq.INDEFERIDO + eq.ANALISE_HUMANA
  return {
    n: outcomes.length,
    autoRate: ratio(deferidos + indeferidos, outcomes.length),
    autoAccuracy: ratio(eq.DEFERIDO + ne.INDEFERIDO, deferidos + indeferidos),
    deferidoPrecision: ratio(eq.DEFERIDO, deferidos),
    deferidoRecall: ratio(eq.DEFERIDO, positives),
    indeferidoPrecision: ratio(ne.INDEFERIDO, indeferidos),
    confusion,
  }
}

const f = (x: number) => (Number.isNaN(x) ? '  n/a' : x.toFixed(3))

export function formatSummary(title: string, s: Summary): string {
  const row = (label: Label) =>
    `  ${label.padEnd(15)} ${String(s.confusion[label].DEFERIDO).padStart(9)} ${String(s.confusion[label].INDEFERIDO).padStart(11)} ${String(s.confusion[label].ANALISE_HUMANA).padStart(15)}`
  return [
    `== ${title}`,
    `n=${s.n}  auto-rate=${f(s.autoRate)}  auto-accuracy=${f(s.autoAccuracy)}  DEFERIDO precision=${f(s.deferidoPrecision)} recall=${f(s.deferidoRecall)}  INDEFERIDO precision=${f(s.indeferidoPrecision)}`,
    `  ${'label \\ decisao'.padEnd(15)} ${'DEFERIDO'.padStart(9)} ${'INDEFERIDO'.padStart(11)} ${'ANALISE_HUMANA'.padStart(15)}`,
    row('equivalent'),
    row('not_equivalent'),
  ].join('\n')
}
