import { levelOrdinal } from './level'
import type { Policy } from './policy'
import type { Course, HardRule } from './schemas'

/** A hard rule's outcome plus what it does to the decision. */
export interface RuleOutcome extends HardRule {
  /** `bloqueia`: forces INDEFERIDO; `revisao`: forces ANALISE_HUMANA; null: no effect. */
  efeito: 'bloqueia' | 'revisao' | null
}

const pass = (regra: string, detalhe: string): RuleOutcome => ({ regra, passou: true, detalhe, efeito: null })
const notApplicable = (regra: string, detalhe: string): RuleOutcome => ({ regra, passou: null, detalhe, efeito: null })
const fail = (regra: string, detalhe: string, efeito: RuleOutcome['efeito'] = 'bloqueia'): RuleOutcome => ({
  regra,
  passou: false,
  detalhe,
  efeito,
})

export function approvalRule(origens: readonly Course[], policy: Policy): RuleOutcome {
  const reprovadas = origens.filter((o) => !o.aprovado).map((o) => o.nome)
  if (!policy.exigir_aprovacao) return notApplicable('aprovacao', 'A política não exige aprovação na disciplina de origem.')
  if (reprovadas.length === 0) return pass('aprovacao', 'Disciplina de origem cursada com aprovação.')
  return fail('aprovacao', `Disciplina de origem sem aprovação: ${reprovadas.join(', ')}.`)
}

export function workloadRule(origens: readonly Course[], destino: Course, policy: Policy): RuleOutcome {
  const unknown = origens.filter((o) => o.carga_horaria === null).map((o) => o.nome)
  if (destino.carga_horaria === null || unknown.length > 0) {
    const which = destino.carga_horaria === null ? 'do destino' : `da origem (${unknown.join(', ')})`
    return notApplicable('carga_horaria', `Carga horária ${which} desconhecida: regra de carga horária não aplicável.`)
  }
  const taken = origens.reduce((sum, o) => sum + (o.carga_horaria ?? 0), 0)
  const target = destino.carga_horaria
  const { modo, fracao_minima, tolerancia } = policy.carga_horaria
  const minimum = modo === 'fracao' ? fracao_minima : 1
  const required = Math.ceil(target * minimum)
  const described =
    modo === 'fracao'
      ? `${taken} h cursadas para ${target} h do destino (mínimo ${Math.round(minimum * 100)}% = ${required} h)`
      : `${taken} h cursadas para ${target} h do destino (mínimo igual à do destino)`
  if (taken >= required) return pass('carga_horaria', `Carga horária suficiente: ${described}.`)
  const floor = Math.ceil(target * Math.max(0, minimum - tolerancia))
  if (taken >= floor) return fail('carga_horaria', `Carga horária abaixo do mínimo, dentro da tolerância: ${described}.`, 'revisao')
  return fail('carga_horaria', `Carga horária insuficiente: ${described}.`)
}

export function ageRule(origens: readonly Course[], policy: Policy, referenceDate: string): RuleOutcome {
  const limit = policy.idade_maxima_anos
  if (limit === null) return notApplicable('idade', 'A política não limita a idade da disciplina cursada.')
  const years = origens.map((o) => o.ano_conclusao).filter((y): y is number => typeof y === 'number')
  if (years.length < origens.length) {
    return notApplicable('idade', 'Ano de conclusão da origem não informado: limite de idade não aplicável.')
  }
  const referenceYear = Number(referenceDate.slice(0, 4))
  const oldest = Math.min(...years)
  const age = referenceYear - oldest
  const described = `concluída em ${oldest}, ${age} ano(s) antes da data de referência ${referenceDate} (limite ${limit})`
  if (age > limit) return fail('idade', `Disciplina cursada há mais tempo que o permitido: ${described}.`)
  return pass('idade', `Disciplina dentro do limite de idade: ${described}.`)
}

/** The level rule and the score penalty for each level the origin falls short of the target. */
export function levelRule(origens: readonly Course[], destino: Course, policy: Policy): { rule: RuleOutcome; penalty: number } {
  const target = levelOrdinal(destino.nivel)
  const taken = origens.map((o) => levelOrdinal(o.nivel))
  if (target === null || taken.some((t) => t === null)) {
    return { rule: notApplicable('nivel', 'Nível da disciplina não informado: regra de nível não aplicável.'), penalty: 0 }
  }
  const lowest = Math.min(...(taken as number[]))
  if (lowest >= target) return { rule: pass('nivel', 'O nível da origem atende ao nível do destino.'), penalty: 0 }
  const penalty = (target - lowest) * policy.nivel.penalidade_por_nivel
  const detalhe = `O nível da origem (${describeLevels(origens)}) é inferior ao do destino (${String(destino.nivel)}).`
  return { rule: policy.nivel.exigir ? fail('nivel', detalhe) : fail('nivel', detalhe, null), penalty }
}

function describeLevels(origens: readonly Course[]): string {
  return origens.map((o) => String(o.nivel)).join(', ')
}

export function criticalRule(missing: readonly string[], total: number, policy: Policy): RuleOutcome {
  if (total === 0) return notApplicable('conceitos_criticos', 'O destino não tem conceitos críticos.')
  if (missing.length === 0) return pass('conceitos_criticos', 'Todos os conceitos críticos do destino foram cobertos.')
  const detalhe = `Conceitos críticos não cobertos: ${missing.join('; ')}.`
  return policy.exigir_criticos ? fail('conceitos_criticos', detalhe) : fail('conceitos_criticos', detalhe, null)
}

/** In degraded mode the critical concepts were not looked for: neither covered nor missing. */
export function criticalRuleUnassessed(total: number): RuleOutcome {
  if (total === 0) return notApplicable('conceitos_criticos', 'O destino não tem conceitos críticos.')
  return notApplicable('conceitos_criticos', 'Os conceitos críticos do destino não foram avaliados (análise automática suspensa).')
}

export function sequenceRule(conflict: boolean, origemNome: string, destinoNome: string, policy: Policy): RuleOutcome {
  if (!conflict) return pass('sequencia', 'As disciplinas não são etapas diferentes de uma mesma sequência.')
  const detalhe = `"${origemNome}" e "${destinoNome}" são etapas diferentes da mesma sequência de disciplinas.`
  return policy.bloquear_sequencia_diferente ? fail('sequencia', detalhe) : fail('sequencia', detalhe, 'revisao')
}
