import type { Context, Hono } from 'hono'
import type { FC } from 'hono/jsx'
import type { Calibration } from '../../../db/repositories/calibrations'
import type { CalibrationReport, MonthlyAgreementView } from '../../../services/calibration-report'
import { activateCalibration, agreementOverTime, getCalibration, listCalibrations, policyInForce, revertCalibration } from '../../../services/calibrations'
import { ServiceError } from '../../../services/errors'
import { isUuid } from '../../../db/ids'
import { startCalibration } from '../../routes/calibrations/index'
import { recordCalibrationAgreement } from '../../routes/calibrations/metrics'
import { formatDateTime, pct } from '../format'
import { Csrf, Decisao, Flash, Layout } from '../layout'
import { requireAdmin, requireSession, type ConsoleEnv } from '../session'
import { viewerOf } from './result'

/**
 * Calibration of the model thresholds from reviews (issue 13, Deliver 5–6): the list and, for
 * admins, the form that starts one (a job); a calibration's report — current vs proposed on the
 * same reviewed cases: confusion tables, automation, precision with 95% intervals, per language,
 * the cases whose decision would change — with activate / revert (admins, CSRF); and engine vs
 * reviewer agreement per month. Auditors read everything and change nothing.
 */

const JOB_STATUS: Record<string, string> = { queued: 'na fila', running: 'em cálculo', done: 'concluída', failed: 'falhou' }
const STATUS: Record<string, string> = { proposta: 'proposta', ativada: 'ativada' }
const LANG: Record<string, string> = { pt: 'português', en: 'inglês' }
const DECISOES = ['DEFERIDO', 'INDEFERIDO', 'ANALISE_HUMANA'] as const

type Summary = CalibrationReport['atual']
type Pair = { score_deferido: number; score_revisao: number }

const num = (x: number | null | undefined) => (x === null || x === undefined ? '—' : pct(x))
const ci = (v: (number | null)[]) => (v[0] === null || v[0] === undefined ? '' : ` (IC95 ${pct(v[0])}–${pct(v[1] ?? 1)})`)
const pair = (t: Pair | null | undefined) => (t ? `deferir ≥ ${t.score_deferido} · indeferir < ${t.score_revisao}` : '—')
const scope = (c: Calibration) => (c.courseId ? `curso ${c.courseId}` : 'toda a instituição')

const Confusion: FC<{ caption: string; s: Summary }> = ({ caption, s }) => (
  <table>
    <caption style="text-align:left;font-weight:600">{caption}</caption>
    <thead>
      <tr>
        <th scope="col">Revisão \ motor</th>
        {DECISOES.map((d) => (
          <th scope="col">
            <Decisao value={d} />
          </th>
        ))}
      </tr>
    </thead>
    <tbody>
      {(['DEFERIDO', 'INDEFERIDO'] as const).map((label) => (
        <tr>
          <th scope="row">{label === 'DEFERIDO' ? 'Revisor deferiu' : 'Revisor indeferiu'}</th>
          {DECISOES.map((d) => (
            <td>{s.confusao[label][d]}</td>
          ))}
        </tr>
      ))}
    </tbody>
  </table>
)

const Figures: FC<{ rows: { name: string; s: Summary }[] }> = ({ rows }) => (
  <table>
    <caption style="text-align:left;font-weight:600">Automação e precisão</caption>
    <thead>
      <tr>
        <th scope="col">Limiares</th>
        <th scope="col">Casos</th>
        <th scope="col">Decididos automaticamente</th>
        <th scope="col">Precisão de DEFERIDO</th>
        <th scope="col">Precisão de INDEFERIDO</th>
        <th scope="col">Acurácia automática</th>
      </tr>
    </thead>
    <tbody>
      {rows.map(({ name, s }) => (
        <tr>
          <th scope="row">{name}</th>
          <td>{s.n}</td>
          <td>{num(s.taxa_automacao)}</td>
          <td>
            {num(s.precisao_deferido)}
            <span class="muted">{ci(s.precisao_deferido_ic95)}</span>
          </td>
          <td>
            {num(s.precisao_indeferido)}
            <span class="muted">{ci(s.precisao_indeferido_ic95)}</span>
          </td>
          <td>{num(s.acuracia_automatica)}</td>
        </tr>
      ))}
    </tbody>
  </table>
)

const Monthly: FC<{ months: readonly MonthlyAgreementView[]; caption: string }> = ({ months, caption }) =>
  months.length === 0 ? (
    <p>Nenhuma revisão ainda.</p>
  ) : (
    <table>
      <caption style="text-align:left;font-weight:600">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Mês</th>
          <th scope="col">Revisados</th>
          <th scope="col">Decididos pelo motor</th>
          <th scope="col">Concordância (todos)</th>
          <th scope="col">Concordância (decididos pelo motor)</th>
        </tr>
      </thead>
      <tbody>
        {months.map((m) => (
          <tr>
            <th scope="row">{m.mes}</th>
            <td>{m.revisoes}</td>
            <td>{m.automaticas}</td>
            <td>
              {num(m.concordancia)} <span class="muted">({m.concordantes})</span>
            </td>
            <td>{num(m.concordancia_automaticas)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )

type Flashed = { kind: 'success' | 'error'; text: string }

async function listPage(c: Context<ConsoleEnv>, flash?: Flashed, form?: Record<string, string>) {
  const viewer = viewerOf(c)
  const ctx = c.get('ctx')
  const curso = c.req.query('curso')?.trim().slice(0, 200) || null
  const [items, months] = await Promise.all([
    listCalibrations({ ctx, input: { tenantId: viewer.tenant.id } }),
    agreementOverTime({ ctx, input: { tenantId: viewer.tenant.id, courseId: curso } }),
  ])
  const isAdmin = viewer.key.role === 'admin'
  const v = (name: string, fallback: string) => form?.[name] ?? fallback
  // Which policy version each activated calibration's scope has in force now (one look-up per scope).
  const inForce = new Map<string, string>()
  for (const k of items) {
    const scopeKey = k.courseId ?? ''
    if (k.activatedPolicyVersion && !inForce.has(scopeKey)) inForce.set(scopeKey, await policyInForce({ ctx, input: { tenantId: viewer.tenant.id, courseId: k.courseId } }))
  }
  return c.html(
    <Layout title="Calibração" viewer={viewer} current="/console/calibracoes">
      {flash && <Flash kind={flash.kind}>{flash.text}</Flash>}
      <p>
        Limiares do modelo calibrados nas revisões desta instituição: a proposta e o relatório ficam guardados e nada muda até um
        administrador ativá-la.
      </p>
      {isAdmin && (
        <>
          <h2>Nova calibração</h2>
          <form method="post" action="/console/calibracoes" class="filters">
            <Csrf token={viewer.csrf} />
            <div>
              <label for="c-curso">Curso (vazio: toda a instituição)</label>
              <input id="c-curso" name="course_id" maxlength={200} value={v('course_id', '')} />
            </div>
            <div>
              <label for="c-pdef">Precisão mínima de DEFERIDO</label>
              <input id="c-pdef" name="precisao_minima_deferido" type="number" min="0" max="1" step="0.01" required value={v('precisao_minima_deferido', '0.95')} />
            </div>
            <div>
              <label for="c-pind">Precisão mínima de INDEFERIDO</label>
              <input id="c-pind" name="precisao_minima_indeferido" type="number" min="0" max="1" step="0.01" required value={v('precisao_minima_indeferido', '0.9')} />
            </div>
            <div>
              <label for="c-min">Mínimo de revisões</label>
              <input id="c-min" name="min_revisoes" type="number" min="10" max="100000" step="1" required value={v('min_revisoes', '30')} />
            </div>
            <div>
              <label for="c-minl">Mínimo por idioma (limiares próprios)</label>
              <input id="c-minl" name="min_revisoes_por_idioma" type="number" min="10" max="100000" step="1" required value={v('min_revisoes_por_idioma', '30')} />
            </div>
            <div>
              <button type="submit">Calibrar</button>
            </div>
          </form>
        </>
      )}
      <h2>Calibrações</h2>
      {items.length === 0 ? (
        <p>Nenhuma calibração ainda.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Calibração</th>
              <th scope="col">Escopo</th>
              <th scope="col">Cálculo</th>
              <th scope="col">Limiares propostos</th>
              <th scope="col">Estado</th>
            </tr>
          </thead>
          <tbody>
            {items.map((k) => (
              <tr>
                <td>
                  <a href={`/console/calibracoes/${k.id}`} class="mono">
                    {k.id.slice(0, 8)}
                  </a>
                  <div class="muted">{formatDateTime(k.createdAt)}</div>
                </td>
                <td>{scope(k)}</td>
                <td>{JOB_STATUS[k.jobStatus] ?? k.jobStatus}</td>
                <td>
                  {pair(k.thresholds)}
                  {k.thresholds?.por_idioma && <div class="muted">por idioma</div>}
                </td>
                <td>
                  {STATUS[k.status]}
                  {k.activatedPolicyVersion && (
                    <div class="muted">
                      <span class="mono">{k.activatedPolicyVersion}</span> {inForce.get(k.courseId ?? '') === k.activatedPolicyVersion ? '(em vigor)' : '(não está em vigor)'}
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Concordância do motor com os revisores</h2>
      <form method="get" action="/console/calibracoes" class="filters">
        <div>
          <label for="a-curso">Curso (vazio: toda a instituição)</label>
          <input id="a-curso" name="curso" maxlength={200} value={curso ?? ''} />
        </div>
        <div>
          <button type="submit" class="secondary">
            Mostrar
          </button>
        </div>
      </form>
      <Monthly months={months} caption={`Por mês da revisão${curso ? ` · curso ${curso}` : ''} (decisão guardada do motor × revisão)`} />
    </Layout>,
  )
}

const fraction = (v: unknown) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) && Number(v) >= 0 && Number(v) <= 1 ? Number(v) : null)
const count = (v: unknown) => (typeof v === 'string' && /^\d{1,6}$/.test(v.trim()) && Number(v) >= 10 && Number(v) <= 100_000 ? Number(v) : null)

async function reportPage(c: Context<ConsoleEnv>, flash?: Flashed) {
  const viewer = viewerOf(c)
  const id = c.req.param('id') ?? ''
  const found = isUuid(id) ? await getCalibration({ ctx: c.get('ctx'), input: { tenantId: viewer.tenant.id, id } }).catch(() => null) : null
  if (!found) {
    return c.html(
      <Layout title="Calibração não encontrada" viewer={viewer}>
        <p>
          <a href="/console/calibracoes">Voltar às calibrações</a>
        </p>
      </Layout>,
      404,
    )
  }
  if (found.jobStatus === 'done') recordCalibrationAgreement(c.get('services').metrics, found)
  const r = found.report as unknown as CalibrationReport | null
  const isAdmin = viewer.key.role === 'admin'
  const current = await policyInForce({ ctx: c.get('ctx'), input: { tenantId: viewer.tenant.id, courseId: found.courseId } })
  const activeNow = found.activatedPolicyVersion !== null && current === found.activatedPolicyVersion
  const done = c.req.query('feito')
  return c.html(
    <Layout title={`Calibração ${found.id.slice(0, 8)}`} viewer={viewer} current="/console/calibracoes">
      {flash && <Flash kind={flash.kind}>{flash.text}</Flash>}
      {!flash && done === 'ativada' && <Flash kind="success">Calibração ativada: a nova versão da política está em vigor.</Flash>}
      {!flash && done === 'revertida' && <Flash kind="success">Revertida: a versão anterior da política voltou a valer.</Flash>}
      <p>
        {scope(found)} · política base <span class="mono">{found.basePolicyVersion}</span> · pedida {formatDateTime(found.createdAt)} · cálculo{' '}
        <strong>{JOB_STATUS[found.jobStatus]}</strong>
        {found.attempts > 1 && ` (${found.attempts} tentativas)`} · estado <strong>{STATUS[found.status]}</strong>
        {found.activatedPolicyVersion && (
          <>
            {' '}
            (versão <span class="mono">{found.activatedPolicyVersion}</span>, {activeNow ? 'em vigor' : 'não está em vigor'})
          </>
        )}{' '}
        · política em vigor <span class="mono">{current}</span>
      </p>
      {(found.jobStatus === 'queued' || found.jobStatus === 'running') && (
        // console.js polls the status and reloads the page once the job has settled.
        <div class="notice" data-progresso={`/console/calibracoes/${found.id}/progresso`} data-status={found.jobStatus}>
          <label for="barra">Cálculo do relatório</label>
          <progress id="barra" max={100} value={0} aria-valuemin={0} aria-valuemax={100} aria-valuenow={0}></progress>
          <p>
            <strong id="progresso-texto" aria-live="polite">
              0 %
            </strong>{' '}
            · {JOB_STATUS[found.jobStatus]} · <a href={`/console/calibracoes/${found.id}`}>Atualizar</a>
          </p>
        </div>
      )}
      {found.jobStatus === 'failed' && (
        <div class="error" role="alert">
          O cálculo falhou: <span class="mono">{found.lastError ?? 'erro desconhecido'}</span>
        </div>
      )}
      {r && (
        <>
          {r.restricoes_inalcancaveis && (
            <div class="notice" role="status">
              Nenhum par de limiares atende às precisões mínimas: a proposta não decide nada pela pontuação.
            </div>
          )}
          {isAdmin && (
            <div class="filters">
              <form method="post" action={`/console/calibracoes/${found.id}/ativar`}>
                <Csrf token={viewer.csrf} />
                <button type="submit">{found.status === 'ativada' ? 'Ativar de novo' : 'Ativar proposta'}</button>
              </form>
              {activeNow && (
                <form method="post" action={`/console/calibracoes/${found.id}/reverter`}>
                  <Csrf token={viewer.csrf} />
                  <button type="submit" class="danger">
                    Reverter para {found.basePolicyVersion}
                  </button>
                </form>
              )}
            </div>
          )}
          <h2>Limiares</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Idioma</th>
                <th scope="col">Revisões</th>
                <th scope="col">Atuais</th>
                <th scope="col">Propostos</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(r.por_idioma).map(([lang, p]) => (
                <tr>
                  <th scope="row">{LANG[lang] ?? lang}</th>
                  <td>{p.revisoes}</td>
                  <td>{pair(r.limiares_atuais_por_idioma[lang] ?? r.limiares_atuais)}</td>
                  <td>{pair(r.limiares_propostos_por_idioma?.[lang] ?? r.limiares_propostos)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted">
            {r.modo_limiares === 'por_idioma'
              ? `Limiares por idioma: cada idioma teve ao menos ${r.restricoes.min_revisoes_por_idioma} revisões.`
              : `Um par de limiares para todos os idiomas (por idioma exige ${r.restricoes.min_revisoes_por_idioma} revisões em cada).`}{' '}
            Restrições: precisão de DEFERIDO ≥ {pct(r.restricoes.precisao_minima_deferido)}, de INDEFERIDO ≥ {pct(r.restricoes.precisao_minima_indeferido)}.{' '}
            {r.revisoes} casos revisados ({r.descartadas} descartados), modelo <span class="mono">{r.modelo}</span>.
          </p>
          <h2>Atual × proposto, nos mesmos casos revisados</h2>
          <Figures
            rows={[
              { name: 'Atuais', s: r.atual },
              { name: 'Propostos', s: r.proposto },
              { name: `Validação cruzada (${r.validacao_cruzada.folds} partes, por curso)`, s: r.validacao_cruzada },
            ]}
          />
          <div class="grid2">
            <Confusion caption="Matriz de confusão — limiares atuais" s={r.atual} />
            <Confusion caption="Matriz de confusão — limiares propostos" s={r.proposto} />
          </div>
          <p class="muted">
            Linhas: a decisão do revisor; colunas: a decisão do motor com os limiares.
          </p>
          <p class="muted">
            Concordância com os revisores: {pct(r.concordancia.atual)} com os limiares atuais, {pct(r.concordancia.proposto)} com os propostos.
          </p>
          {Object.keys(r.por_idioma).length > 1 && (
            <>
              <h3>Por idioma</h3>
              <Figures rows={Object.entries(r.por_idioma).flatMap(([lang, p]) => [
                { name: `${LANG[lang] ?? lang}: atuais`, s: p.atual },
                { name: `${LANG[lang] ?? lang}: propostos`, s: p.proposto },
              ])} />
            </>
          )}
          {(r.concordancia_por_curso ?? []).length > 0 && (
            <table>
              <caption style="text-align:left;font-weight:600">Concordância com os revisores por curso (os mais revisados)</caption>
              <thead>
                <tr>
                  <th scope="col">Curso</th>
                  <th scope="col">Revisões</th>
                  <th scope="col">Limiares atuais</th>
                  <th scope="col">Limiares propostos</th>
                </tr>
              </thead>
              <tbody>
                {r.concordancia_por_curso.map((k) => (
                  <tr>
                    <th scope="row">{k.course_id ?? '(sem curso)'}</th>
                    <td>{k.revisoes}</td>
                    <td>{pct(k.atual)}</td>
                    <td>{pct(k.proposto)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Concordância ao longo do tempo</h2>
          <Monthly months={r.concordancia_mensal ?? []} caption="Por mês da revisão, na data do cálculo (decisão guardada do motor × revisão)" />
          <h2>Casos cuja decisão mudaria ({r.casos_alterados.length})</h2>
          {r.casos_alterados.length === 0 ? (
            <p>Nenhum.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Resultado</th>
                  <th scope="col">Curso</th>
                  <th scope="col">Idioma</th>
                  <th scope="col">Atual</th>
                  <th scope="col">Proposta</th>
                  <th scope="col">Revisão</th>
                </tr>
              </thead>
              <tbody>
                {r.casos_alterados.map((k) => (
                  <tr>
                    <td>
                      <a href={`/console/resultados/${k.result_id}`} class="mono">
                        {k.result_id.slice(0, 8)}
                      </a>
                    </td>
                    <td>{k.course_id ?? '—'}</td>
                    <td>{LANG[k.idioma] ?? k.idioma}</td>
                    <td>
                      <Decisao value={k.decisao_atual} />
                    </td>
                    <td>
                      <Decisao value={k.decisao_proposta} />
                    </td>
                    <td>
                      <Decisao value={k.revisao} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      <p>
        <a href="/console/calibracoes">Voltar às calibrações</a>
      </p>
    </Layout>,
    flash?.kind === 'error' ? 409 : 200,
  )
}

export function registerCalibrationPages(app: Hono<ConsoleEnv>): void {
  app.get('/calibracoes', requireSession, (c) => listPage(c))

  app.post('/calibracoes', requireSession, requireAdmin, async (c) => {
    const body = await c.req.parseBody()
    const form = Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== '_csrf'))
    const pdef = fraction(body.precisao_minima_deferido)
    const pind = fraction(body.precisao_minima_indeferido)
    const min = count(body.min_revisoes)
    const minLang = count(body.min_revisoes_por_idioma)
    const courseId = typeof body.course_id === 'string' ? body.course_id.trim().slice(0, 200) : ''
    if (pdef === null || pind === null || min === null || minLang === null) {
      c.status(422)
      return listPage(c, { kind: 'error', text: 'Precisões entre 0 e 1; mínimos de revisões entre 10 e 100000.' }, form)
    }
    try {
      const created = await startCalibration(c.get('ctx'), c.get('services'), c.get('services').batch, {
        tenantId: c.get('tenant').id,
        actorKeyId: c.get('apiKey').id,
        courseId: courseId || null,
        params: { precisao_minima_deferido: pdef, precisao_minima_indeferido: pind, min_revisoes: min, min_revisoes_por_idioma: minLang },
      })
      return c.redirect(`/console/calibracoes/${created.id}`, 303)
    } catch (err) {
      if (!(err instanceof ServiceError) || err.code !== 'VALIDATION') throw err
      c.status(422)
      const detail = typeof err.detail === 'string' ? err.detail : err.detail.map((d) => d.msg).join('; ')
      const text = /reviewed result/.test(detail) ? `Revisões insuficientes: ${detail.replace(/^(\d+).*$/, '$1')} caso(s) revisado(s); são necessários ao menos ${min}.` : 'Pedido inválido.'
      return listPage(c, { kind: 'error', text }, form)
    }
  })

  // The job's state in the shape console.js polls for batch jobs (`completed` once it settled).
  app.get('/calibracoes/:id/progresso', requireSession, async (c) => {
    const id = c.req.param('id')
    const found = isUuid(id) ? await getCalibration({ ctx: c.get('ctx'), input: { tenantId: c.get('tenant').id, id } }).catch(() => null) : null
    if (!found) return c.json({ detail: 'Calibration not found' }, 404)
    const settled = found.jobStatus === 'done' || found.jobStatus === 'failed'
    return c.json({ status: settled ? 'completed' : found.jobStatus, job_status: found.jobStatus, total: 1, done: settled ? 1 : 0, failed: 0 })
  })

  app.get('/calibracoes/:id', requireSession, (c) => reportPage(c))

  const change = (verb: typeof activateCalibration, feito: string) =>
    async (c: Context<ConsoleEnv>) => {
      const id = c.req.param('id') ?? ''
      if (!isUuid(id)) return reportPage(c)
      try {
        await verb({ ctx: c.get('ctx'), input: { tenantId: c.get('tenant').id, id, actorKeyId: c.get('apiKey').id } })
      } catch (err) {
        if (err instanceof ServiceError && err.code === 'NOT_FOUND') return reportPage(c)
        if (err instanceof ServiceError && err.code === 'CONFLICT') return reportPage(c, { kind: 'error', text: `Não foi possível: ${err.message}` })
        throw err
      }
      return c.redirect(`/console/calibracoes/${id}?feito=${feito}`, 303)
    }
  app.post('/calibracoes/:id/ativar', requireSession, requireAdmin, change(activateCalibration, 'ativada'))
  app.post('/calibracoes/:id/reverter', requireSession, requireAdmin, change(revertCalibration, 'revertida'))
}
