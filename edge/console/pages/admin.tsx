import type { Context, Hono } from 'hono'
import { verifyAudit } from '../../../db/repositories/audit'
import { createPrecedentsRepository } from '../../../db/repositories/precedents'
import { createReviewQueueRepository } from '../../../db/repositories/review-queue'
import { API_KEY_ROLES, type ApiKeyRole } from '../../../db/schema'
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey } from '../../../services/api-keys'
import { expirePrecedent, revokePrecedent } from '../../../services/precedents'
import { InputField, PostButton, SelectField, SubmitCell, TableHead } from '../components'
import { formatDateTime } from '../format'
import { Csrf, Decisao, Flash, Layout } from '../layout'
import { requireAdmin, requireSession, type ConsoleEnv } from '../session'
import { viewerOf } from './result'

const isDate = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))

/** Admin pages: precedents (list, expire, revoke), API keys (create, rotate, revoke), audit chain, settings. */
export function registerAdminPages(app: Hono<ConsoleEnv>): void {
  app.use('/admin/*', requireSession, requireAdmin)

  app.get('/admin/precedentes', async (c) => {
    const viewer = viewerOf(c)
    const status = (['active', 'revoked', 'superseded'] as const).find((s) => s === c.req.query('estado'))
    const page = await createPrecedentsRepository(c.get('ctx').db).list(viewer.tenant.id, { status }, { limit: 200 })
    const done = c.req.query('feito')
    return c.html(
      <Layout title="Precedentes" viewer={viewer} current="/console/admin/precedentes">
        {done && <Flash kind="success">Precedente {done === 'revogado' ? 'revogado' : 'com validade encerrada'}.</Flash>}
        <form method="get" class="filters" action="/console/admin/precedentes">
          <SelectField
            id="p-estado"
            name="estado"
            label="Estado"
            options={[
              { value: '', label: 'Todos' },
              ...(['active', 'revoked', 'superseded'] as const).map((s) => ({
                value: s,
                label: s === 'active' ? 'Ativos' : s === 'revoked' ? 'Revogados' : 'Substituídos',
                selected: status === s,
              })),
            ]}
          />
          <SubmitCell label="Filtrar" />
        </form>
        {page.items.length === 0 ? (
          <p>Nenhum precedente. Cada caso decidido na fila (ou revisado pela API) cria um.</p>
        ) : (
          <table>
            <TableHead columns={['Par', 'Decisão', 'Validade', 'Estado', 'Ações']} />
            <tbody>
              {page.items.map((p) => (
                <tr>
                  <td>
                    {p.originLabel} → {p.targetLabel}
                    <div class="muted mono">{p.id}</div>
                    <a href={`/console/resultados/${p.resultId}`}>caso revisado</a>
                  </td>
                  <td>
                    <Decisao value={p.decisao} />
                    <div class="muted">{p.motivo}</div>
                  </td>
                  <td>
                    de {p.validFrom === '1900-01-01' ? 'sempre' : p.validFrom} até {p.validUntil ?? 'sem prazo'}
                    <div class="muted">criado {formatDateTime(p.createdAt)}</div>
                  </td>
                  <td>{p.status === 'active' ? 'ativo' : p.status === 'revoked' ? 'revogado' : 'substituído'}</td>
                  <td>
                    {p.status === 'active' && (
                      <>
                        <form method="post" action={`/console/admin/precedentes/${p.id}/expirar`}>
                          <Csrf token={viewer.csrf} />
                          <label for={`ate-${p.id}`}>Válido até</label>
                          <input id={`ate-${p.id}`} name="ate" type="date" required />{' '}
                          <button type="submit" class="secondary">
                            Encerrar validade
                          </button>
                        </form>
                        <PostButton action={`/console/admin/precedentes/${p.id}/revogar`} csrf={viewer.csrf} label="Revogar" kind="danger" />
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Layout>,
    )
  })

  app.post('/admin/precedentes/:id/revogar', async (c) => {
    const done = await revokePrecedent({ ctx: c.get('ctx'), input: { tenantId: c.get('tenant').id, actorKeyId: c.get('apiKey').id, id: c.req.param('id') } })
    if (!done) return c.text('Precedente não encontrado ou já inativo', 404)
    return c.redirect('/console/admin/precedentes?feito=revogado', 303)
  })

  app.post('/admin/precedentes/:id/expirar', async (c) => {
    const body = await c.req.parseBody()
    if (!isDate(body.ate)) return c.text('Data inválida', 422)
    const done = await expirePrecedent({ ctx: c.get('ctx'), input: { tenantId: c.get('tenant').id, actorKeyId: c.get('apiKey').id, id: c.req.param('id'), validUntil: body.ate } })
    if (!done) return c.text('Precedente não encontrado ou já inativo', 404)
    return c.redirect('/console/admin/precedentes?feito=expirado', 303)
  })

  const keysPage = async (c: Context<ConsoleEnv>, flash?: { kind: 'success' | 'error'; text: string; secret?: string }) => {
    const viewer = viewerOf(c)
    const keys = await listApiKeys({ ctx: c.get('ctx'), input: { tenantId: viewer.tenant.id } })
    return c.html(
      <Layout title="Chaves de API" viewer={viewer} current="/console/admin/chaves">
        {flash && (
          <Flash kind={flash.kind}>
            {flash.text}
            {flash.secret && (
              <p>
                <label for="nova-chave">Nova chave (mostrada só agora)</label>
                <input id="nova-chave" class="mono" readonly value={flash.secret} size={70} />
              </p>
            )}
          </Flash>
        )}
        <h2>Criar chave</h2>
        <form method="post" action="/console/admin/chaves" class="filters">
          <Csrf token={viewer.csrf} />
          <InputField id="k-nome" name="nome" label="Nome" maxlength={100} />
          <SelectField id="k-papel" name="papel" label="Papel" options={API_KEY_ROLES.map((r) => ({ value: r, label: r }))} />
          <InputField id="k-expira" name="expira" label="Expira em (opcional)" type="date" />
          <SubmitCell label="Criar" />
        </form>
        <h2>Chaves</h2>
        <table>
          <TableHead columns={['Prefixo', 'Nome', 'Papel', 'Estado', 'Último uso', 'Ações']} />
          <tbody>
            {keys.map((k) => (
              <tr>
                <td class="mono">{k.prefix}</td>
                <td>{k.name}</td>
                <td>{k.role}</td>
                <td>
                  {k.status === 'active' ? 'ativa' : 'revogada'}
                  {k.expiresAt && <div class="muted">expira {formatDateTime(k.expiresAt)}</div>}
                </td>
                <td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : '—'}</td>
                <td>
                  {k.status === 'active' && (
                    <>
                      <PostButton action={`/console/admin/chaves/${k.id}/rotacionar`} csrf={viewer.csrf} label="Rotacionar" kind="secondary" ariaLabel={`Rotacionar ${k.prefix}`} inline />{' '}
                      <PostButton action={`/console/admin/chaves/${k.id}/revogar`} csrf={viewer.csrf} label="Revogar" kind="danger" ariaLabel={`Revogar ${k.prefix}`} inline />
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
    )
  }

  app.get('/admin/chaves', (c) => keysPage(c))

  app.post('/admin/chaves', async (c) => {
    const body = await c.req.parseBody()
    const role = API_KEY_ROLES.find((r) => r === body.papel) as ApiKeyRole | undefined
    const name = typeof body.nome === 'string' ? body.nome.trim().slice(0, 100) : ''
    const expiresAt = isDate(body.expira) ? new Date(`${body.expira}T23:59:59Z`) : null
    if (!role || (expiresAt && expiresAt <= c.get('ctx').clock())) {
      c.status(422)
      return keysPage(c, { kind: 'error', text: 'Papel ou data de expiração inválidos.' })
    }
    const created = await createApiKey({
      ctx: c.get('ctx'),
      input: { tenantId: c.get('tenant').id, actorKeyId: c.get('apiKey').id, role, name: name || null, expiresAt },
    })
    return keysPage(c, { kind: 'success', text: `Chave ${created.key.prefix} criada.`, secret: created.plaintext })
  })

  app.post('/admin/chaves/:id/rotacionar', async (c) => {
    const rotated = await rotateApiKey({ ctx: c.get('ctx'), input: { tenantId: c.get('tenant').id, actorKeyId: c.get('apiKey').id, keyId: c.req.param('id') } })
    c.get('services').keyCache.invalidateKey(c.req.param('id'))
    if (!rotated) return c.text('Chave não encontrada ou já revogada', 404)
    return keysPage(c, { kind: 'success', text: `Chave rotacionada; a anterior foi revogada. Nova: ${rotated.key.prefix}.`, secret: rotated.plaintext })
  })

  app.post('/admin/chaves/:id/revogar', async (c) => {
    const revoked = await revokeApiKey({ ctx: c.get('ctx'), input: { tenantId: c.get('tenant').id, actorKeyId: c.get('apiKey').id, keyId: c.req.param('id') } })
    c.get('services').keyCache.invalidateKey(c.req.param('id'))
    if (!revoked) return c.text('Chave não encontrada', 404)
    // Revoking one's own key ends this session on the next request.
    return c.redirect('/console/admin/chaves', 303)
  })

  app.get('/admin/auditoria', async (c) => {
    const viewer = viewerOf(c)
    const { repos } = c.get('ctx')
    const verify = c.req.query('verificar') === '1'
    const [check, inputs, recent] = await Promise.all([
      verify ? verifyAudit(c.get('ctx').db, viewer.tenant.id) : null,
      verify ? createReviewQueueRepository(c.get('ctx').db).verifyInputs(viewer.tenant.id) : null,
      repos.audit.list(viewer.tenant.id, { limit: 50 }),
    ])
    return c.html(
      <Layout title="Auditoria" viewer={viewer} current="/console/admin/auditoria">
        <form method="get" action="/console/admin/auditoria">
          <input type="hidden" name="verificar" value="1" />
          <button type="submit">Verificar a cadeia de auditoria</button>
        </form>
        {check &&
          (check.ok ? (
            <Flash kind="success">
              Cadeia íntegra: {check.checked} eventos e {check.results} resultados verificados
              {'head' in check && check.head ? `; cabeça ${check.head.seq} = ${check.head.hash}` : ''}.
            </Flash>
          ) : (
            <Flash kind="error">
              Cadeia quebrada no evento {check.brokenAt} ({check.reason}); {check.checked} eventos verificados antes dele.
            </Flash>
          ))}
        {inputs &&
          (inputs.ok ? (
            <Flash kind="success">Entradas guardadas conferem com o hash auditado: {inputs.checked} resultados.</Flash>
          ) : (
            <Flash kind="error">
              As entradas guardadas do resultado <a href={`/console/resultados/${inputs.resultId}`}>{inputs.resultId}</a> não conferem com o hash auditado.
            </Flash>
          ))}
        <h2>Eventos recentes</h2>
        <table>
          <TableHead columns={['#', 'Quando', 'Ação', 'Alvo', 'Hash']} />
          <tbody>
            {recent.items.map((e) => (
              <tr>
                <td>{e.seq}</td>
                <td>{formatDateTime(e.createdAt)}</td>
                <td>{e.action}</td>
                <td class="mono">{e.target}</td>
                <td class="mono">{e.hash.slice(0, 16)}…</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
    )
  })

  const settingsPage = async (c: Context<ConsoleEnv>, flash?: { kind: 'success' | 'error'; text: string }) => {
    const viewer = viewerOf(c)
    const s = (await createReviewQueueRepository(c.get('ctx').db).settings(viewer.tenant.id)) ?? { reviewSlaDays: 5, inputRetentionDays: null }
    return c.html(
      <Layout title="Configurações" viewer={viewer} current="/console/admin/configuracoes">
        {flash && <Flash kind={flash.kind}>{flash.text}</Flash>}
        <form method="post" action="/console/admin/configuracoes">
          <Csrf token={viewer.csrf} />
          <label for="sla">Prazo da fila (dias úteis)</label>
          <input id="sla" name="sla" type="number" min={1} max={365} value={String(s.reviewSlaDays)} required />
          <label for="retencao">Retenção dos textos de entrada (dias; vazio = guardar sempre)</label>
          <input id="retencao" name="retencao" type="number" min={1} max={36500} value={s.inputRetentionDays == null ? '' : String(s.inputRetentionDays)} />
          <p class="muted">A remoção apaga as ementas e nomes guardados; a decisão, os hashes e a auditoria ficam.</p>
          <p>
            <button type="submit">Salvar</button>
          </p>
        </form>
      </Layout>,
    )
  }

  app.get('/admin/configuracoes', (c) => settingsPage(c))

  app.post('/admin/configuracoes', async (c) => {
    const body = await c.req.parseBody()
    const sla = Number(body.sla)
    const retention = body.retencao === '' || body.retencao === undefined ? null : Number(body.retencao)
    if (!Number.isInteger(sla) || sla < 1 || sla > 365 || (retention !== null && (!Number.isInteger(retention) || retention < 1 || retention > 36500))) {
      c.status(422)
      return settingsPage(c, { kind: 'error', text: 'Valores inválidos.' })
    }
    await createReviewQueueRepository(c.get('ctx').db).updateSettings(c.get('tenant').id, { reviewSlaDays: sla, inputRetentionDays: retention }, c.get('apiKey').id)
    return settingsPage(c, { kind: 'success', text: 'Configurações salvas.' })
  })
}
