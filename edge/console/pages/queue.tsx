import type { Hono } from 'hono'
import { createReviewQueueRepository, type QueueFilters, type ReviewState } from '../../../db/repositories/review-queue'
import { DecisaoSchema } from '../../../engine/index'
import { InputField, PostButton, SelectField, SubmitCell, TableHead } from '../components'
import { DECISAO_LABEL, formatAge, formatDateTime, slaLevel, workingDaysBefore, workingDaysBetween } from '../format'
import { Decisao, Flash, Layout } from '../layout'
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
          <InputField id="f-curso" name="curso" label="Curso (código ou nome do destino)" value={q.curso ?? ''} />
          <SelectField
            id="f-decisao"
            name="decisao"
            label="Decisão"
            options={DecisaoSchema.options.map((d) => ({ value: d, label: DECISAO_LABEL[d], selected: (filters.decisao ?? 'ANALISE_HUMANA') === d }))}
          />
          <SelectField
            id="f-estado"
            name="estado"
            label="Estado"
            options={(['pendente', 'revisado', 'todos'] as const).map((s) => ({
              value: s,
              label: s === 'pendente' ? 'Pendentes' : s === 'revisado' ? 'Revisados' : 'Todos',
              selected: (filters.state ?? 'pendente') === s,
            }))}
          />
          <SelectField
            id="f-degradado"
            name="degradado"
            label="Modo degradado"
            options={[
              { value: '', label: 'Todos' },
              { value: 'sim', label: 'Sim', selected: q.degradado === 'sim' },
              { value: 'nao', label: 'Não', selected: q.degradado === 'nao' },
            ]}
          />
          <InputField id="f-de" name="de" label="De" type="date" value={q.de ?? ''} />
          <InputField id="f-ate" name="ate" label="Até" type="date" value={q.ate ?? ''} />
          <InputField id="f-inst" name="instituicao" label="Instituição de origem" value={q.instituicao ?? ''} />
          <SelectField
            id="f-revisor"
            name="revisor"
            label="Responsável"
            options={[
              { value: '', label: 'Qualquer' },
              { value: 'eu', label: 'Eu', selected: q.revisor === 'eu' },
              ...reviewers.map((k) => ({ value: k.id, label: `${k.prefix} ${k.name ? `(${k.name})` : ''}`, selected: q.revisor === k.id })),
            ]}
          />
          <SubmitCell label="Filtrar" />
        </form>
        {page.items.length === 0 ? (
          <p id="fila-vazia">Nenhum caso com estes filtros.</p>
        ) : (
          <table id="fila">
            <caption class="muted" style="text-align:left">
              Mais antigos primeiro.
            </caption>
            <TableHead columns={['Idade', 'Origem', 'Destino', 'Decisão', 'Responsável', 'Ação']} />
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
                        <PostButton
                          action={`/console/resultados/${item.id}/atribuir`}
                          csrf={viewer.csrf}
                          hidden={{ voltar: 'fila' }}
                          label="Atribuir a mim"
                          kind="secondary"
                          ariaLabel={`Atribuir a mim: ${item.targetName ?? item.id}`}
                        />
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
