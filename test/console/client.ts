import type { App } from '../../edge/app'

/**
 * A cookie-keeping client for the console over `app.request`: what a browser does with the
 * session cookie and the CSRF fields, without a browser (the browser tests use real Chromium).
 */
export function consoleClient(app: App, origin = 'http://console.test') {
  const jar = new Map<string, string>()
  let lastSetCookies: string[] = []

  function remember(res: Response) {
    lastSetCookies = res.headers.getSetCookie()
    for (const line of lastSetCookies) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      if (!value || /max-age=0/i.test(line)) jar.delete(name)
      else jar.set(name, value)
    }
    return res
  }

  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')

  async function get(path: string) {
    return remember(await app.request(`${origin}${path}`, { headers: { Cookie: cookieHeader() } }))
  }

  async function post(path: string, form: Record<string, string>) {
    return remember(
      await app.request(`${origin}${path}`, {
        method: 'POST',
        headers: { Cookie: cookieHeader(), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      }),
    )
  }

  /** The CSRF token a page's forms carry. */
  async function csrfOf(path: string): Promise<string> {
    const html = await (await get(path)).text()
    const m = /name="_csrf" value="([^"]+)"/.exec(html)
    if (!m) throw new Error(`no CSRF field on ${path}`)
    return m[1]!
  }

  async function login(apiKey: string) {
    const token = await csrfOf('/console/login')
    return post('/console/login', { _csrf: token, api_key: apiKey, voltar: '/console/fila' })
  }

  return { jar, get, post, csrfOf, login, lastSetCookies: () => lastSetCookies }
}
