import type { EvaluateResponse } from '../../../engine/index'

/**
 * The original named concepts by integer taxonomy node ids (`faltantes: [1012]`); the engine
 * names them by text. Numbers, in this order of preference: a numeric node id (`"1012"`); in
 * topics mode the topic's number in the target syllabus (`topico-3` → 3); otherwise a number
 * given in order of first appearance within this answer (names stay beside them, additively).
 */
export interface ConceptNumbering {
  faltantes: number[]
  criticosFaltantes: number[]
  /** The number of a covered concept, by its `conceito_id` and name. */
  of(conceitoId: string, nome: string): number
}

const TOPIC_ID = /^topico-(\d+)$/
const NUMERIC_ID = /^\d{1,15}$/

/** `nodes`: the taxonomy that decided, to turn concept names back into node ids. */
export function numberConcepts(response: EvaluateResponse, nodes?: readonly { id: string; conceito: string }[]): ConceptNumbering {
  const idByName = new Map<string, string>()
  for (const n of nodes ?? []) if (!idByName.has(n.conceito)) idByName.set(n.conceito, n.id)
  const assigned = new Map<string, number>()
  const used = new Set<number>()
  const explicit = (id: string | undefined): number | undefined => {
    if (!id) return undefined
    const topic = TOPIC_ID.exec(id)
    if (topic) return Number(topic[1])
    return NUMERIC_ID.test(id) ? Number(id) : undefined
  }
  const byName = (nome: string, id?: string): number => {
    const known = assigned.get(nome)
    if (known !== undefined) return known
    let n = explicit(id ?? idByName.get(nome))
    if (n === undefined) {
      n = 1
      while (used.has(n)) n++
    }
    assigned.set(nome, n)
    used.add(n)
    return n
  }

  for (const e of response.evidence) byName(e.conceito, e.conceito_id)

  let faltantes: number[]
  const total = response.meta.total_conceitos
  if (response.meta.fonte_conceitos === 'ementa' && typeof total === 'number') {
    // Topics are numbered 1..total in the target's order and `faltantes` keeps that order: the
    // missing ones are the numbers no evidence covers.
    const covered = new Set(response.evidence.map((e) => explicit(e.conceito_id)))
    const free: number[] = []
    for (let i = 1; i <= total; i++) if (!covered.has(i)) free.push(i)
    faltantes = response.faltantes.map((nome, i) => {
      const n = free[i] ?? byName(nome)
      if (!assigned.has(nome)) assigned.set(nome, n)
      used.add(n)
      return n
    })
  } else {
    faltantes = response.faltantes.map((nome) => byName(nome))
  }
  return {
    faltantes,
    criticosFaltantes: response.criticos_faltantes.map((nome) => byName(nome)),
    of: (conceitoId, nome) => byName(nome, conceitoId),
  }
}
