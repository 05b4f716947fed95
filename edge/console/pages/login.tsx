import type { Hono } from 'hono'
import { findKeyForAuth } from '../../../db/repositories/api-keys'
import { constantTimeEqual } from '../../../services/crypto'
import { Flash, Layout } from '../layout'
import { CONSOLE_ROLES, checkLoginCsrf, endSession, loginCsrf, requireSession, startSession, type ConsoleEnv } from '../session'

const PROBLEMS: Record<string, string> = {
  missing: 'Entre para continuar.',
  expired: 'A sessão expirou; entre de novo.',
  revoked: 'A sessão terminou: a chave foi revogada, expirou ou a instituição foi desativada.',
  invalid: 'Chave inválida.',
  role: 'Esta chave não dá acesso ao console: use uma chave de auditor ou de administrador.',
  csrf: 'O formulário expirou; tente de novo.',
  saiu: 'Você saiu.',
}

/** Only same-console paths are followed after sign-in (no open redirect). */
const safeBack = (v: unknown) => (typeof v === 'string' && /^\/console(\/[\w\-./?=&%]*)?$/.test(v) && !v.startsWith('//') ? v : '/console/fila')

const LoginPage = ({ csrf, problem, back }: { csrf: string; problem?: string; back: string }) => (
  <Layout title="Entrar">
    {problem && PROBLEMS[problem] && <Flash kind={problem === 'saiu' ? 'success' : 'error'}>{PROBLEMS[problem]}</Flash>}
    <form method="post" action="/console/login">
      <input type="hidden" name="_csrf" value={csrf} />
      <input type="hidden" name="voltar" value={back} />
      <label for="api_key">Chave de API (auditor ou administrador)</label>
      <input id="api_key" name="api_key" type="password" autocomplete="off" required size={60} maxlength={256} autofocus />
      <p>
        <button type="submit">Entrar</button>
      </p>
    </form>
    <p class="muted">A sessão dura até 8 horas e termina quando a chave é revogada.</p>
  </Layout>
)

export function registerLogin(app: Hono<ConsoleEnv>): void {
  app.get('/login', (c) => {
    c.header('Cache-Control', 'no-store')
    return c.html(<LoginPage csrf={loginCsrf(c)} problem={c.req.query('motivo')} back={safeBack(c.req.query('voltar'))} />)
  })

  app.post('/login', async (c) => {
    const body = await c.req.parseBody()
    const back = safeBack(body.voltar)
    if (!checkLoginCsrf(c, body._csrf)) return c.html(<LoginPage csrf={loginCsrf(c)} problem="csrf" back={back} />, 403)
    const plaintext = typeof body.api_key === 'string' ? body.api_key.trim() : ''
    const { hashApiKey, clock } = c.get('services')
    const { repos } = c.get('ctx')
    const hash = plaintext && plaintext.length <= 256 ? await hashApiKey(plaintext) : ''
    const found = hash ? await findKeyForAuth(c.get('ctx').db, hash) : null
    const now = clock()
    const valid =
      found &&
      constantTimeEqual(found.keyHash, hash) &&
      found.key.status === 'active' &&
      !(found.key.expiresAt && found.key.expiresAt <= now) &&
      found.tenant.status === 'active'
    if (!valid) return c.html(<LoginPage csrf={loginCsrf(c)} problem="invalid" back={back} />, 401)
    if (!(CONSOLE_ROLES as readonly string[]).includes(found.key.role)) {
      return c.html(<LoginPage csrf={loginCsrf(c)} problem="role" back={back} />, 403)
    }
    await startSession(c, found.key)
    await repos.apiKeys.touchLastUsed(found.key.tenantId, found.key.id, now)
    return c.redirect(back, 303)
  })

  app.post('/sair', requireSession, (c) => {
    endSession(c)
    return c.redirect('/console/login?motivo=saiu', 303)
  })
}
