import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { createRepositories } from '../../db/repositories/index'
import { createApp } from '../../edge/app'
import { EXAMPLES } from '../../edge/console/pages/try'
import { parseConfig } from '../../edge/config'
import { createMemoryMappingCache } from '../../engine/index'
import { deriveCallbackSecret } from '../../jobs/callbacks/signature'
import { createEmbeddedJobs, type EmbeddedJobs } from '../../jobs/embedded'
import { createServiceContext } from '../../services/context'
import { createLogger } from '../../services/logger'
import { createVersionCache } from '../../services/resolve-versions'
import { checkAccessibility, launchBrowser, screenshot, type TestBrowser } from '../harness/browser'
import { listen, type Listening } from '../harness/listen'
import { createTestDatabase, type TestDatabase } from '../harness/postgres'

/**
 * The console in headless Chromium against the real app over HTTP and a real Postgres: sign in,
 * queue, case with highlighted evidence, decision, queue shrinks, the identical pair again gets the
 * precedent; a batch job page reaching 100 %; axe-core on every page, screenshots as artifacts.
 */
describe('console in the browser', () => {
  let database: TestDatabase
  let server: Listening
  let browser: TestBrowser
  let jobs: EmbeddedJobs
  let keys: Record<'admin' | 'auditor' | 'api-client', string>

  beforeAll(async () => {
    database = await createTestDatabase()
    const salt = `test-salt-${crypto.randomUUID()}`
    const config = parseConfig({ DATABASE_DRIVER: 'pg', DATABASE_URL: database.url, API_KEY_SALT: salt, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'silent' })
    const versions = createVersionCache(config.VERSION_CACHE_TTL_MS)
    const mappingCache = createMemoryMappingCache()
    jobs = createEmbeddedJobs({
      services: createServiceContext(database.db, { apiKeySalt: salt, versions, mappingCache }),
      callbackSigningSecret: salt,
      sweepEveryMs: null,
    })
    const app = createApp({
      config,
      db: database.db,
      versions,
      mappingCache,
      logger: createLogger('silent'),
      batch: { dispatcher: jobs.dispatcher, callbackSecret: (tenantId) => deriveCallbackSecret(salt, tenantId) },
    })
    const repos = createRepositories(database.db, { apiKeySalt: salt })
    const tenant = await repos.tenants.create({ slug: 'browser', name: 'Universidade do Navegador' })
    keys = {} as typeof keys
    for (const role of ['admin', 'auditor', 'api-client'] as const) keys[role] = (await repos.apiKeys.create(tenant.id, { role, name: `demo ${role}` })).plaintext
    server = await listen(app.fetch)
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await jobs?.stop()
    await database?.drop()
  })

  const api = async (path: string, key: string, body: unknown) => {
    const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { meta: Record<string, unknown> } }
  }

  /** axe-core on the page (no serious or critical violation) and a screenshot. */
  async function check(page: Page, name: string) {
    expect(await checkAccessibility(page), name).toEqual([])
    await screenshot(page, `console-${name}`)
  }

  async function signIn(page: Page, key: string) {
    await page.goto('/console/login')
    await page.getByLabel('Chave de API').fill(key)
    await page.getByRole('button', { name: 'Entrar' }).click()
    await page.waitForURL('**/console/fila')
  }

  it('sign in, decide a case with its evidence side by side, and the same pair then follows the precedent', async () => {
    const pair = EXAMPLES.pt!.request
    const first = await api('/v1/equivalences/evaluate', keys['api-client'], pair)
    expect(first.body.decisao).toBe('ANALISE_HUMANA')

    const page = await browser.newPage(server.url)
    await page.goto('/console/login')
    await check(page, 'login')
    await signIn(page, keys.auditor)
    await expect.poll(() => page.locator('#conta-total').textContent()).toBe('1')
    await check(page, 'fila')

    await page.locator('#fila a', { hasText: 'Algoritmos e Programação I' }).click()
    await page.waitForURL('**/console/resultados/**')
    // Covered topics are highlighted in both syllabi; hovering a topic lights its spans in both.
    const originMarks = page.locator('section[aria-labelledby="col-origem"] mark')
    const targetMarks = page.locator('section[aria-labelledby="col-destino"] mark')
    expect(await originMarks.count()).toBeGreaterThan(0)
    expect(await targetMarks.count()).toBeGreaterThan(0)
    await page.locator('.topics button').first().hover()
    expect(await page.locator('section[aria-labelledby="col-origem"] mark.on').count()).toBeGreaterThan(0)
    expect(await page.locator('section[aria-labelledby="col-destino"] mark.on').count()).toBeGreaterThan(0)
    await check(page, 'resultado')

    // Keyboard: `d` picks DEFERIDO.
    await page.locator('h1').click()
    await page.keyboard.press('d')
    expect(await page.locator('#label-deferido').isChecked()).toBe(true)
    await page.selectOption('#motivo', 'Conteúdo equivalente')
    await page.fill('#notes', 'Conteúdo e carga compatíveis.')
    await page.getByRole('button', { name: /Registrar decisão/ }).click()
    await page.waitForURL('**/console/fila?decidido=**')
    expect(await page.locator('#fila-vazia').isVisible()).toBe(true)
    expect(await page.locator('#conta-total').textContent()).toBe('0')

    // The identical pair again, through the API: the reviewer's decision, citing the review.
    const again = await api('/v1/equivalences/evaluate', keys['api-client'], pair)
    expect(again.body.decisao).toBe('DEFERIDO')
    const precedente = again.body.meta.precedente as Record<string, unknown>
    expect(precedente).toMatchObject({ decisao: 'DEFERIDO', motivo: 'Conteúdo equivalente' })
    expect(String(again.body.justificativa_curta)).toContain(String(precedente.id))
    expect(String(again.body.justificativa_curta)).toContain(keys.auditor.slice(0, 8))

    // And on the try-it page: the result shows the precedent.
    await page.goto('/console/avaliar?exemplo=pt')
    await check(page, 'avaliar')
    await page.getByRole('button', { name: 'Avaliar' }).click()
    await page.waitForURL('**/console/resultados/**')
    expect(await page.getByText('Decidido por precedente').isVisible()).toBe(true)
    await check(page, 'resultado-precedente')
  })

  it('a job page shows its progress reaching 100 % and exports the results as CSV', async () => {
    const items = [0, 1, 2, 3, 4].map((i) => ({ ...EXAMPLES.en!.request, request_id: `lote-${i}` }))
    const submitted = await api('/v1/equivalences/batch', keys['api-client'], { items })
    expect([200, 202]).toContain(submitted.status)
    const jobId = String(submitted.body.job_id)

    const page = await browser.newPage(server.url)
    await signIn(page, keys.auditor)
    await page.goto(`/console/lotes/${jobId}`)
    await page.waitForFunction(() => document.getElementById('progresso-texto')?.textContent?.trim() === '100 %')
    await page.waitForSelector('table tbody tr')
    await check(page, 'lote')
    const csv = await page.request.get(`/console/lotes/${jobId}/resultados.csv`)
    expect(csv.headers()['content-type']).toContain('text/csv')
    const lines = (await csv.text()).trim().split('\r\n')
    expect(lines[0]).toMatch(/^idx,status,result_id,decisao/)
    expect(lines).toHaveLength(6)
    // Batch results keep their inputs too.
    const { rows } = await database.pool.query(`SELECT count(*)::int AS n FROM equivalence_results WHERE request_id LIKE $1 AND inputs IS NOT NULL`, [`batch:${jobId}:%`])
    expect(rows[0].n).toBe(5)
    await page.goto('/console/lotes')
    await check(page, 'lotes')
  })

  it('admin pages pass axe-core', async () => {
    const page = await browser.newPage(server.url)
    await signIn(page, keys.admin)
    for (const [path, name] of [
      ['/console/admin/precedentes', 'admin-precedentes'],
      ['/console/admin/chaves', 'admin-chaves'],
      ['/console/admin/auditoria?verificar=1', 'admin-auditoria'],
      ['/console/admin/configuracoes', 'admin-configuracoes'],
    ] as const) {
      await page.goto(path)
      await check(page, name)
      if (name === 'admin-auditoria') expect(await page.getByText('Cadeia íntegra').isVisible()).toBe(true)
    }
  })
})
