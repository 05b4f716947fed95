import type { Hono } from 'hono'
import { createJobReportsRepository } from '../../../db/repositories/job-reports'
import { CSV_HEADERS, jobResultsCsv } from '../csv'
import { formatDateTime } from '../format'
import { Decisao, Layout } from '../layout'
import { requireSession, type ConsoleEnv } from '../session'
import { viewerOf } from './result'

const percent = (j: { total: number; done: number; failed: number }) => (j.total ? Math.floor((100 * (j.done + j.failed)) / j.total) : 100)
const STATUS = { queued: 'na fila', running: 'em andamento', completed: 'concluído' } as const

/** Batch jobs: the list, one job with live progress (polled by console.js) and its results, CSV. */
export function registerJobs(app: Hono<ConsoleEnv>): void {
  app.get('/lotes', requireSession, async (c) => {
    const viewer = viewerOf(c)
    const jobs = await createJobReportsRepository(c.get('ctx').db).list(viewer.tenant.id, 100)
    return c.html(
      <Layout title="Lotes" viewer={viewer} current="/console/lotes">
        {jobs.length === 0 ? (
          <p>
            Nenhum lote ainda. Envie um com <span class="mono">POST /v1/equivalences/batch</span>.
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Lote</th>
                <th scope="col">Criado</th>
                <th scope="col">Estado</th>
                <th scope="col">Progresso</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <tr>
                  <td>
                    <a href={`/console/lotes/${j.id}`} class="mono">
                      {j.id}
                    </a>
                  </td>
                  <td>{formatDateTime(j.createdAt)}</td>
                  <td>{STATUS[j.status]}</td>
                  <td>
                    {percent(j)} % ({j.done} feitos, {j.failed} falhas, de {j.total})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Layout>,
    )
  })

  app.get('/lotes/:id/progresso', requireSession, async (c) => {
    const job = await createJobReportsRepository(c.get('ctx').db).get(c.get('tenant').id, c.req.param('id'))
    if (!job) return c.json({ detail: 'Job not found' }, 404)
    return c.json({ status: job.status, total: job.total, done: job.done, failed: job.failed })
  })

  app.get('/lotes/:id/resultados.csv', requireSession, async (c) => {
    const reports = createJobReportsRepository(c.get('ctx').db)
    const tenantId = c.get('tenant').id
    const job = await reports.get(tenantId, c.req.param('id'))
    if (!job) return c.text('Lote não encontrado', 404)
    return new Response(jobResultsCsv(reports, tenantId, job.id), { headers: { ...CSV_HEADERS(job.id), 'Cache-Control': 'no-store' } })
  })

  app.get('/lotes/:id', requireSession, async (c) => {
    const viewer = viewerOf(c)
    const reports = createJobReportsRepository(c.get('ctx').db)
    const job = await reports.get(viewer.tenant.id, c.req.param('id'))
    if (!job) {
      return c.html(
        <Layout title="Lote não encontrado" viewer={viewer}>
          <p>
            <a href="/console/lotes">Voltar aos lotes</a>
          </p>
        </Layout>,
        404,
      )
    }
    const rows = job.status === 'completed' ? await reports.rows(viewer.tenant.id, job.id, { limit: 200 }) : []
    const p = percent(job)
    return c.html(
      <Layout title={`Lote ${job.id.slice(0, 8)}`} viewer={viewer} current="/console/lotes">
        <div data-progresso={`/console/lotes/${job.id}/progresso`} data-status={job.status}>
          <label for="barra">Progresso</label>
          <progress id="barra" max={100} value={p} aria-valuemin={0} aria-valuemax={100} aria-valuenow={p}></progress>
          <p>
            <strong id="progresso-texto" aria-live="polite">
              {p} %
            </strong>{' '}
            · {STATUS[job.status]} · {job.done} feitos, {job.failed} falhas, de {job.total} · criado {formatDateTime(job.createdAt)}
            {job.completedAt && ` · concluído ${formatDateTime(job.completedAt)}`}
          </p>
          <noscript>
            <p>
              <a href={`/console/lotes/${job.id}`}>Atualizar</a>
            </p>
          </noscript>
        </div>
        <p>
          <a class="button" href={`/console/lotes/${job.id}/resultados.csv`}>
            Exportar CSV
          </a>
        </p>
        {rows.length > 0 && (
          <table>
            <caption class="muted" style="text-align:left">
              {rows.length < job.total ? `Primeiros ${rows.length} itens; o CSV tem todos.` : 'Todos os itens.'}
            </caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Origem</th>
                <th scope="col">Destino</th>
                <th scope="col">Decisão</th>
                <th scope="col">Justificativa</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td>{r.idx}</td>
                  <td>{r.originName}</td>
                  <td>{r.resultId ? <a href={`/console/resultados/${r.resultId}`}>{r.targetName ?? r.resultId.slice(0, 8)}</a> : r.targetName}</td>
                  <td>{r.decisao ? <Decisao value={r.decisao} /> : r.status}</td>
                  <td>{r.justificativa ?? r.lastError}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Layout>,
    )
  })
}
