/** Small pure helpers of the console's pages: dates, ages in working days, SLA colours, labels. */

const DAY_MS = 86_400_000

/** Whole working days (Monday to Friday, UTC) from `from` to `to`. */
export function workingDaysBetween(from: Date, to: Date): number {
  if (to <= from) return 0
  let days = 0
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()))
  const end = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate()))
  while (d < end) {
    d.setTime(d.getTime() + DAY_MS)
    const wd = d.getUTCDay()
    if (wd !== 0 && wd !== 6) days++
  }
  return days
}

/** The instant `n` working days before `now` (cases created before it are past the SLA). */
export function workingDaysBefore(now: Date, n: number): Date {
  const d = new Date(now.getTime())
  let left = n
  while (left > 0) {
    d.setTime(d.getTime() - DAY_MS)
    const wd = d.getUTCDay()
    if (wd !== 0 && wd !== 6) left--
  }
  return d
}

export type SlaLevel = 'ok' | 'warn' | 'late'

/** Past the SLA: late; in its last working day: warn. */
export function slaLevel(ageWorkingDays: number, slaDays: number): SlaLevel {
  if (ageWorkingDays >= slaDays) return 'late'
  if (ageWorkingDays >= slaDays - 1) return 'warn'
  return 'ok'
}

export function formatAge(createdAt: Date, now: Date): string {
  const ms = Math.max(0, now.getTime() - createdAt.getTime())
  const h = Math.floor(ms / 3_600_000)
  if (h < 1) return `${Math.max(1, Math.floor(ms / 60_000))} min`
  if (h < 48) return `${h} h`
  return `${Math.floor(h / 24)} dias`
}

const dtf = new Intl.DateTimeFormat('pt-BR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'UTC' })
export const formatDateTime = (d: Date) => `${dtf.format(d)} UTC`

export const DECISAO_LABEL: Record<string, string> = {
  DEFERIDO: 'Deferido',
  INDEFERIDO: 'Indeferido',
  ANALISE_HUMANA: 'Análise humana',
}

export const pct = (x: number) => `${Math.round(x * 1000) / 10} %`
