import type { Hono } from 'hono'
import { createReviewQueueRepository, type QueueFilters, type ReviewState } from '../../../db/repositories/review-queue'
import { DecisaoSchema } from '../../../engine/index'
import { DECISAO_LABEL, formatAge, formatDateTime, slaLevel, workingDaysBefore, workingDaysBetween } from '../format'
import { Csrf, Decisao, Flash, Layout } from '../layout'
import { requireSession, type ConsoleEnv } from '../session'
import { viewerOf } from './result'

const SLA_TEXT = { ok: 'no prazo', warn: 'vence hoje', late: 'atrasado' } as const

/** Query string → filters; anything malformed is ignored rather than an error page. */
function filtersOf(q: Record<string, string | undefined>, meKeyId: string): QueueFilters {
  const date = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? new Date(`${v}T00:00:00Z`) : undefined)
  const to = date(q.ate)
  const decisao = DecisaoSchema.safeParse(q.decisao)
  const state = (['pendente', 'revisado', 'todos'] as ReviewState[]).find((s) => s === q.estado)
  return {
    decisao: decisao.success ? decisao.data : undefined,
    state,
    course: q.curso?.trim().slice(0, 200) || undefined,
    degraded: q.degradado === 'sim' ? true : q.degradado === 'nao' ? false : undefined,
    from: date(q.de),
    // `ate` is inclusive for people: up to the end of that day.
    to: to ? new Date(to.getTime() + 86_400_000) : undefined,
    originInstitution: q.instituicao?.trim().slice(0, 200) || undefined,
    reviewerKeyId: q.revisor === 'eu' ? meKeyId : q.revisor && /^[0-9a-f-]{36}$/.test(q.revisor) ? q.revisor : undefined,
  }
}

export function registerQueue(app: Hono<ConsoleEnv>): void {
  app.get('/fila', requireSession, async (c) => {
    const viewer = viewerOf(c)
    const tenantId = viewer.tenant.id
    const { db, repos, clock } = c.get('ctx')
    const q = c.req.query()
    const filters = filtersOf(q, viewer.key.id)
    const queue = createReviewQueueRepository(db)
    const settings = (await queue.settings(tenantId)) ?? { reviewSlaDays: 5, inputRetentionDays: null }
    const now = clock()
    const cursor = q.cursor && q.cursor.length < 200 ? q.cursor : undefined
    const [page, counts, keys] = await Promise.all([
      queue.list(tenantId, filters, { cursor, limit: 50 }).catch(() => queue.list(tenantId, filters, { limit: 50 })),
      queue.counts(tenantId, filters, { slaCutoff: workingDaysBefore(now, settings.reviewSlaDays), meKeyId: viewer.key.id }),
      repos.apiKeys.list(tenantId, { limit: 500 }),
    ])
    const reviewers = keys.items.filter((k) => k.role !== 'api-client')
    const decided = q.decidido
    const nextParams = new URLSearchParams(Object.entries(q).filter(([k, v]) => k !== 'cursor' && k !== 'decidido' && v) as [string, string][])
    if (page.nextCursor) nextParams.set('cursor', page.nextCursor)
    return c.html(
      <Layout title="Fila de análise humana" viewer={viewer} current="/console/fila">
        {decided && <Flash kind="success">Decisão registrada; a fila não tem outro caso pendente com estes filtros.</Flash>}
        <div class="counts" aria-label="Contagens">
          <div>
            <strong id="conta-total">{counts.total}</strong> casos
          </div>
          <div>
            <strong>{counts.overdue}</strong> além do prazo ({settings.reviewSlaDays} dias úteis)
          </div>
          <div>
            <strong>{counts.mine}</strong> atribuídos a mim
          </div>
          <div>
            <strong>{counts.unassigned}</strong> sem responsável
          </div>
        </div>
        <form class="filters" method="get" action="/console/fila" aria-label="Filtros">
          <div>
            <label for="f-curso">Curso (código ou nome do destino)</label>
            <input id="f-curso" name="curso" value={q.curso ?? ''} />
          </div>
          <div>
            <label for="f-decisao">Decisão</label>
            <select id="f-decisao" name="decisao">
              {DecisaoSchema.options.map((d) => (
                <option value={d} selected={(filters.decisao ?? 'ANALISE_HUMANA') === d}>
                  {DECISAO_LABEL[d]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="f-estado">Estado</label>
            <select id="f-estado" name="estado">
              {(['pendente', 'revisado', 'todos'] as const).map((s) => (
                <option value={s} selected={(filters.state ?? 'pendente') === s}>
                  {s === 'pendente' ? 'Pendentes' : s === 'revisado' ? 'Revisados' : 'Todos'}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="f-degradado">Modo degradado</label>
            <select id="f-degradado" name="degradado">
              <option value="">Todos</option>
              <option value="sim" selected={q.degradado === 'sim'}>
                Sim
              </option>
              <option value="nao" selected={q.degradado === 'nao'}>
                Não
              </option>
            </select>
          </div>
          <div>
            <label for="f-de">De</label>
            <input id="f-de" name="de" type="date" value={q.de ?? ''} />
          </div>
          <div>
            <label for="f-ate">Até</label>
            <input id="f-ate" name="ate" type="date" value={q.ate ?? ''} />
          </div>
          <div>
            <label for="f-inst">Instituição de origem</label>
            <input id="f-inst" name="instituicao" value={q.instituicao ?? ''} />
          </div>
          <div>
            <label for="f-revisor">Responsável</label>
            <select id="f-revisor" name="revisor">
              <option value="">Qualquer</option>
              <option value="eu" selected={q.revisor === 'eu'}>
                Eu
              </option>
              {reviewers.map((k) => (
                <option value={k.id} selected={q.revisor === k.id}>
                  {k.prefix} {k.name ? `(${k.name})` : ''}
                </option>
              ))}
            </select>
          </div>
          <div>
            <button type="submit">Filtrar</button>
          </div>
        </form>
        {page.items.length === 0 ? (
          <p id="fila-vazia">Nenhum caso com estes filtros.</p>
        ) : (
          <table id="fila">
            <caption class="muted" style="text-align:left">
              Mais antigos primeiro.
            </caption>
            <thead>
              <tr>
                <th scope="col">Idade</th>
                <th scope="col">Origem</th>
                <th scope="col">Destino</th>
                <th scope="col">Decisão</th>
                <th scope="col">Responsável</th>
                <th scope="col">Ação</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((item) => {
                const level = slaLevel(workingDaysBetween(item.createdAt, now), settings.reviewSlaDays)
                return (
                  <tr data-result={item.id}>
                    <td>
                      <span class={`sla-${level}`}>{formatAge(item.createdAt, now)}</span>
                      <br />
                      <span class="muted">
                        {SLA_TEXT[level]} · {formatDateTime(item.createdAt)}
                      </span>
                    </td>
                    <td>
                      {item.originName ?? <span class="muted">(textos indisponíveis)</span>}
                      {item.originInstitution && <div class="muted">{item.originInstitution}</div>}
                    </td>
                    <td>
                      <a href={`/console/resultados/${item.id}`}>{item.targetName ?? item.courseId ?? item.id.slice(0, 8)}</a>
                      {item.courseId && <div class="muted mono">{item.courseId}</div>}
                    </td>
                    <td>
                      <Decisao value={item.decisao} /> {item.score}
                      {item.degraded && <div class="muted">degradado</div>}
                      {item.reviewed && <div class="muted">revisado</div>}
                    </td>
                    <td>{item.assignedKeyLabel ?? <span class="muted">—</span>}</td>
                    <td>
                      {item.assignedKeyId !== viewer.key.id && !item.reviewed && (
                        <form method="post" action={`/console/resultados/${item.id}/atribuir`}>
                          <Csrf token={viewer.csrf} />
                          <input type="hidden" name="voltar" value="fila" />
                          <button type="submit" class="secondary" aria-label={`Atribuir a mim: ${item.targetName ?? item.id}`}>
                            Atribuir a mim
                          </button>
                        </form>
                      )}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        )}
        {page.nextCursor && (
          <p>
            <a href={`/console/fila?${nextParams}`}>Mais casos →</a>
          </p>
        )}
      </Layout>,
    )
  })
}
