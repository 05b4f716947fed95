import type { Context, Hono } from 'hono'
import { createPrecedentsRepository } from '../../../db/repositories/precedents'
import { createReviewQueueRepository } from '../../../db/repositories/review-queue'
import { isUuid } from '../../../db/ids'
import { createReview } from '../../../services/reviews'
import { observeReview } from '../../routes/calibrations/metrics'
import { DECISAO_LABEL, formatDateTime } from '../format'
import { Csrf, Decisao, Flash, Layout, type Viewer } from '../layout'
import { ResultView } from '../result-view'
import { requireSession, type ConsoleEnv } from '../session'

/** Reasons offered in the decision form; stored as the review's `motivo`. */
export const MOTIVOS = [
  'Conteúdo equivalente',
  'Conteúdo insuficiente',
  'Carga horária insuficiente',
  'Conceito crítico ausente',
  'Nível incompatível',
  'Disciplina não aprovada ou antiga',
  'Outro (ver observações)',
] as const

export const viewerOf = (c: Context<ConsoleEnv>): Viewer => ({ key: c.get('apiKey'), tenant: c.get('tenant'), csrf: c.get('csrf') })

const notFound = (c: Context<ConsoleEnv>) =>
  c.html(
    <Layout title="Resultado não encontrado" viewer={viewerOf(c)}>
      <p>
        Não há resultado com este identificador. <a href="/console/fila">Voltar à fila</a>
      </p>
    </Layout>,
    404,
  )

export async function renderResultPage(c: Context<ConsoleEnv>, id: string, flash?: { kind: 'success' | 'error'; text: string }) {
  const tenantId = c.get('tenant').id
  const { repos, db } = c.get('ctx')
  const result = isUuid(id) ? await repos.results.get(tenantId, id) : null
  if (!result) return notFound(c)
  const queue = createReviewQueueRepository(db)
  const [reviews, keys, rules, assignment, next] = await Promise.all([
    repos.reviews.listByResult(tenantId, id),
    repos.apiKeys.list(tenantId, { limit: 500 }),
    createPrecedentsRepository(db).listByResult(tenantId, id),
    queue.assignment(tenantId, id),
    queue.nextPending(tenantId, id),
  ])
  const keyLabel = (keyId: string | null) => {
    const k = keys.items.find((x) => x.id === keyId)
    return k ? `${k.prefix}${k.name ? ` (${k.name})` : ''}` : (keyId ?? '—')
  }
  const viewer = viewerOf(c)
  const me = viewer.key.id
  return c.html(
    <Layout title={`Caso ${id.slice(0, 8)}`} viewer={viewer}>
      {flash && <Flash kind={flash.kind}>{flash.text}</Flash>}
      <p>
        <a href="/console/fila">← Fila</a>
        {next && (
          <>
            {' · '}
            <a id="proximo-caso" href={`/console/resultados/${next}`}>
              Próximo caso <kbd>n</kbd>
            </a>
          </>
        )}
      </p>
      <ResultView result={result} />

      <h2>Atribuição</h2>
      <p>
        {assignment ? `Com ${keyLabel(assignment.reviewerKeyId)} desde ${formatDateTime(assignment.assignedAt)}.` : 'Ninguém assumiu este caso.'}{' '}
        {assignment?.reviewerKeyId !== me && reviews.length === 0 && (
          <form method="post" action={`/console/resultados/${id}/atribuir`} style="display:inline">
            <Csrf token={viewer.csrf} />
            <button type="submit" class="secondary">
              Atribuir a mim
            </button>
          </form>
        )}
      </p>

      <h2>Revisões ({reviews.length})</h2>
      {reviews.length === 0 ? (
        <p>Nenhuma revisão ainda.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Quando</th>
              <th scope="col">Revisor</th>
              <th scope="col">Decisão</th>
              <th scope="col">Motivo</th>
              <th scope="col">Observações</th>
            </tr>
          </thead>
          <tbody>
            {reviews.map((r) => (
              <tr>
                <td>{formatDateTime(r.createdAt)}</td>
                <td>{keyLabel(r.reviewerKeyId)}</td>
                <td>
                  <Decisao value={r.label} />
                </td>
                <td>{r.motivo}</td>
                <td>{r.notes}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rules.length > 0 && (
        <p>
          Precedentes deste caso:{' '}
          {rules.map((p) => (
            <span class="mono">
              {p.id} ({p.status}){' '}
            </span>
          ))}
        </p>
      )}

      {reviews.length === 0 ? (
        <form id="decisao-form" method="post" action={`/console/resultados/${id}/decisao`}>
          <h2>Registrar decisão</h2>
          <Csrf token={viewer.csrf} />
          <fieldset class="radio">
            <legend>Decisão</legend>
            <input type="radio" id="label-deferido" name="label" value="DEFERIDO" required />
            <label for="label-deferido">
              {DECISAO_LABEL.DEFERIDO} <kbd>d</kbd>
            </label>
            <input type="radio" id="label-indeferido" name="label" value="INDEFERIDO" />
            <label for="label-indeferido">
              {DECISAO_LABEL.INDEFERIDO} <kbd>i</kbd>
            </label>
          </fieldset>
          <label for="motivo">Motivo</label>
          <select id="motivo" name="motivo" required>
            <option value="">Escolha…</option>
            {MOTIVOS.map((m) => (
              <option value={m}>{m}</option>
            ))}
          </select>
          <label for="notes">Observações</label>
          <textarea id="notes" name="notes" rows={3} cols={70} maxlength={5000}></textarea>
          <p>
            <button type="submit">Registrar decisão e encerrar o caso</button>
          </p>
          <p class="muted">
            Atalhos: <kbd>d</kbd> deferir, <kbd>i</kbd> indeferir, <kbd>n</kbd> próximo caso. A decisão vira um precedente para o mesmo par.
          </p>
        </form>
      ) : (
        <p>
          <strong>Caso encerrado.</strong>
        </p>
      )}
    </Layout>,
  )
}

export function registerResultPages(app: Hono<ConsoleEnv>): void {
  app.get('/resultados/:id', requireSession, (c) => {
    const decided = c.req.query('decidido')
    const flash = decided ? { kind: 'success' as const, text: `Decisão registrada no caso ${decided.slice(0, 8)}. Este é o próximo caso da fila.` } : undefined
    return renderResultPage(c, c.req.param('id'), flash)
  })

  app.post('/resultados/:id/decisao', requireSession, async (c) => {
    const id = c.req.param('id')
    const body = await c.req.parseBody()
    const label = body.label
    const motivo = typeof body.motivo === 'string' ? body.motivo.trim().slice(0, 200) : ''
    const notes = typeof body.notes === 'string' ? body.notes.trim().slice(0, 5000) : ''
    if ((label !== 'DEFERIDO' && label !== 'INDEFERIDO') || !motivo) {
      c.status(422)
      return renderResultPage(c, id, { kind: 'error', text: 'Escolha a decisão e o motivo.' })
    }
    const tenantId = c.get('tenant').id
    const review = isUuid(id)
      ? await createReview({ ctx: c.get('ctx'), input: { tenantId, actorKeyId: c.get('apiKey').id, resultId: id, label, notes: notes || null, motivo } })
      : null
    if (!review) return notFound(c)
    await observeReview(c.get('ctx'), c.get('services'), { tenantId, resultId: id, label })
    const next = await createReviewQueueRepository(c.get('ctx').db).nextPending(tenantId)
    const params = new URLSearchParams({ decidido: id })
    return c.redirect(next ? `/console/resultados/${next}?${params}` : `/console/fila?${params}`, 303)
  })

  app.post('/resultados/:id/atribuir', requireSession, async (c) => {
    const id = c.req.param('id')
    const ok = await createReviewQueueRepository(c.get('ctx').db).assign(c.get('tenant').id, id, c.get('apiKey').id, c.get('apiKey').id)
    if (!ok) return notFound(c)
    const body = await c.req.parseBody()
    return c.redirect(body.voltar === 'fila' ? '/console/fila' : `/console/resultados/${id}`, 303)
  })
}
