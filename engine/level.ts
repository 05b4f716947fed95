import { fold } from './text/fold'

/** Academic levels as ordinals, so that "the target's level must not exceed the origin's" is a comparison. */
const LEVELS: Record<string, number> = {
  fundamental: 0,
  medio: 1,
  tecnico: 1,
  tecnologo: 2,
  graduacao: 2,
  bacharelado: 2,
  licenciatura: 2,
  undergraduate: 2,
  especializacao: 3,
  pos: 3,
  'pos-graduacao': 3,
  posgraduacao: 3,
  lato: 3,
  mestrado: 4,
  master: 4,
  masters: 4,
  graduate: 4,
  doutorado: 5,
  phd: 5,
  doctorate: 5,
}

/** The ordinal of a level given as a name or a number; null when unknown. */
export function levelOrdinal(nivel: string | number | null | undefined): number | null {
  if (nivel === null || nivel === undefined) return null
  if (typeof nivel === 'number') return nivel
  const key = fold(nivel).trim().replace(/\s+/g, '-')
  return LEVELS[key] ?? LEVELS[key.split('-')[0] ?? ''] ?? null
}
