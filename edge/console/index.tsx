import { Hono } from 'hono'
import { toApiError } from '../errors'
import type { App } from '../routes/openapi'
import { CONSOLE_CSS, CONSOLE_JS } from './assets'
import { Layout } from './layout'
import { registerAdminPages } from './pages/admin'
import { registerCalibrationPages } from './pages/calibrations'
import { registerJobs } from './pages/jobs'
import { registerLogin } from './pages/login'
import { registerQueue } from './pages/queue'
import { registerResultPages } from './pages/result'
import { registerTry } from './pages/try'
import type { ConsoleEnv } from './session'

/**
 * The review console under /console: server-rendered hono/jsx pages in Portuguese, one stylesheet
 * and one small script, no build step; the same on Node, Deno and Workers. Sessions and CSRF:
 * session.ts. The replaced service's /dashboard, /dashboard/result/{id} and /test-ui lead here.
 */
export function registerConsole(app: App): void {
  const pages = new Hono<ConsoleEnv>()

  // Pages answer errors as pages; the message of an unexpected error stays in the log.
  pages.onError((err, c) => {
    const apiError = toApiError(err)
    if (apiError.status >= 500) c.get('logger')?.error('console request failed', { request_id: c.get('requestId'), kind: apiError.code })
    c.set('errorKind', apiError.code)
    const text = apiError.status === 503 ? 'Serviço temporariamente indisponível; tente de novo em instantes.' : apiError.status >= 500 ? 'Erro interno.' : 'Pedido inválido.'
    return c.html(
      <Layout title={`Erro ${apiError.status}`}>
        <p>{text}</p>
        <p>
          <a href="/console/fila">Voltar à fila</a>
        </p>
      </Layout>,
      apiError.status,
    )
  })

  const immutable = { 'Cache-Control': 'public, max-age=3600' }
  pages.get('/assets/console.css', (c) => c.body(CONSOLE_CSS, 200, { ...immutable, 'Content-Type': 'text/css; charset=utf-8' }))
  pages.get('/assets/console.js', (c) => c.body(CONSOLE_JS, 200, { ...immutable, 'Content-Type': 'text/javascript; charset=utf-8' }))
  pages.get('/', (c) => c.redirect('/console/fila', 303))

  registerLogin(pages)
  registerQueue(pages)
  registerResultPages(pages)
  registerTry(pages)
  registerJobs(pages)
  registerCalibrationPages(pages)
  registerAdminPages(pages)

  // Strict CSP for every console answer: own script and style only, no framing.
  app.use('/console/*', async (c, next) => {
    await next()
    c.header('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
  })
  app.route("/console", pages as unknown as Hono)

  // The replaced service's pages (its dashboard, result page with the label form, and test UI).
  app.get('/dashboard', (c) => {
    const decision = c.req.query('decision')
    return c.redirect(decision ? `/console/fila?${new URLSearchParams({ decisao: decision, estado: 'todos' })}` : '/console/fila', 301)
  })
  app.get('/dashboard/result/:id', (c) => c.redirect(`/console/resultados/${encodeURIComponent(c.req.param('id'))}`, 301))
  // Its label form posted without a CSRF token: the label is not taken, the reviewer lands on the decision form.
  app.post('/dashboard/result/:id/label', (c) => c.redirect(`/console/resultados/${encodeURIComponent(c.req.param('id'))}`, 303))
  app.get('/test-ui', (c) => c.redirect('/console/avaliar', 301))
}
