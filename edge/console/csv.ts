import type { JobReportsRepository } from '../../db/repositories/job-reports'

/**
 * A job's results as CSV (RFC 4180), streamed a page at a time so a 10,000-item job never sits
 * in memory whole. Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) get a
 * leading apostrophe.
 */

const HEADER = ['idx', 'status', 'result_id', 'decisao', 'score', 'degraded_mode', 'origem', 'destino', 'justificativa_curta', 'erro']
const PAGE = 500

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  let text = String(value)
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

const line = (cells: unknown[]) => `${cells.map(csvCell).join(',')}\r\n`

export function jobResultsCsv(reports: Pick<JobReportsRepository, 'rows'>, tenantId: string, jobId: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let afterIdx = -1
  let headerSent = false
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true
        controller.enqueue(encoder.encode(line(HEADER)))
        return
      }
      const rows = await reports.rows(tenantId, jobId, { afterIdx, limit: PAGE })
      if (rows.length) {
        afterIdx = rows.at(-1)!.idx
        controller.enqueue(
          encoder.encode(
            rows
              .map((r) => line([r.idx, r.status, r.resultId, r.decisao, r.score, r.degraded, r.originName, r.targetName, r.justificativa, r.lastError]))
              .join(''),
          ),
        )
      }
      if (rows.length < PAGE) controller.close()
    },
  })
}

export const CSV_HEADERS = (jobId: string) => ({
  'Content-Type': 'text/csv; charset=utf-8',
  'Content-Disposition': `attachment; filename="lote-${jobId}.csv"`,
})
