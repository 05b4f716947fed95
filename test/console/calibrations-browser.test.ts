import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { checkAccessibility, launchBrowser, screenshot, type TestBrowser } from '../harness/browser'
import { listen, type Listening } from '../harness/listen'
import { runCalibration } from '../../services/calibrations'
import { createCalibrationConsoleFixture, type ConsoleTenant } from './calibration-fixture'

/**
 * The calibration pages in headless Chromium against the real app over HTTP, the in-process job
 * runner and Postgres: an admin starts a calibration from the form, reads the report (confusion
 * tables, precision with intervals, changed cases linking to their results), activates and reverts
 * it; an auditor reads the same report without the buttons. axe-core on every page, screenshots as
 * artifacts.
 */
describe('calibration console in the browser', () => {
  let f: Awaited<ReturnType<typeof createCalibrationConsoleFixture>>
  let t: ConsoleTenant
  let server: Listening
  let browser: TestBrowser

  beforeAll(async () => {
    f = await createCalibrationConsoleFixture()
    t = await f.createTenant()
    await f.seedReviews(t)
    server = await listen(f.app.fetch)
    browser = await launchBrowser()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await f?.close()
  })

  async function check(page: Page, name: string) {
    expect(await checkAccessibility(page), name).toEqual([])
    await screenshot(page, `console-calibracao-${name}`)
  }

  async function signIn(page: Page, key: string) {
    await page.goto('/console/login')
    await page.getByLabel('Chave de API').fill(key)
    await page.getByRole('button', { name: 'Entrar' }).click()
    await page.waitForURL('**/console/fila')
  }

  let reportUrl: string

  it('an admin starts a calibration from the form, reads the report, activates and reverts it', async () => {
    const page = await browser.newPage(server.url)
    await signIn(page, t.keys.admin)
    await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Calibração' }).click()
    await page.waitForURL('**/console/calibracoes')
    await check(page, 'lista-vazia')

    await page.getByLabel('Precisão mínima de DEFERIDO').fill('0.95')
    await page.getByLabel('Mínimo de revisões', { exact: true }).fill('30')
    await page.getByRole('button', { name: 'Calibrar' }).click()
    await page.waitForURL(/\/console\/calibracoes\/[0-9a-f-]{36}$/)
    reportUrl = new URL(page.url()).pathname
    // The job runs in process; until it is done the page polls its state and then reloads itself.
    await f.jobs.idle()
    await expect.poll(() => page.getByRole('heading', { name: 'Atual × proposto, nos mesmos casos revisados' }).count()).toBe(1)
    await expect.poll(() => page.locator('caption', { hasText: 'Matriz de confusão — limiares propostos' }).count()).toBe(1)
    expect(await page.getByText('IC95').count()).toBeGreaterThan(0)
    const changed = page.locator('a[href^="/console/resultados/"]')
    expect(await changed.count()).toBe(12)
    await check(page, 'relatorio')

    await page.getByRole('button', { name: 'Ativar proposta' }).click()
    await page.waitForURL('**?feito=ativada')
    await expect.poll(() => page.getByText('Calibração ativada').count()).toBe(1)
    await check(page, 'ativada')
    await page.getByRole('button', { name: 'Reverter para base' }).click()
    await page.waitForURL('**?feito=revertida')
    await expect.poll(() => page.getByText('Revertida').count()).toBe(1)

    // A changed case leads to its result page.
    await changed.first().click()
    await page.waitForURL(/\/console\/resultados\/[0-9a-f-]{36}$/)
    await page.goto('/console/calibracoes')
    await check(page, 'lista')
    await page.context().close()
  })

  it('a calibration still being computed shows its progress, and the page reloads itself once it is done', async () => {
    const page = await browser.newPage(server.url)
    await signIn(page, t.keys.admin)
    // Queued without a message, so nothing runs it until the test does.
    const { rows } = await f.database.pool.query<{ id: string }>(
      `INSERT INTO calibrations (tenant_id, base_policy_version, params, job_status) VALUES ($1, 'base', '{"min_revisoes": 30}', 'queued') RETURNING id`,
      [t.id],
    )
    const id = rows[0]!.id
    await page.goto(`/console/calibracoes/${id}`)
    expect(await page.getByLabel('Cálculo do relatório').count()).toBe(1)
    await check(page, 'em-calculo')
    const outcome = await runCalibration({ ctx: f.ctx, input: { tenantId: t.id, id } })
    expect(outcome.status).toBe('done')
    await expect.poll(() => page.locator('caption', { hasText: 'Matriz de confusão — limiares propostos' }).count(), { timeout: 15_000 }).toBe(1)
    expect(await page.getByLabel('Cálculo do relatório').count()).toBe(0)
    await page.context().close()
  })

  it('an auditor reads the report without the buttons', async () => {
    const page = await browser.newPage(server.url)
    await signIn(page, t.keys.auditor)
    await page.goto(reportUrl)
    await expect.poll(() => page.locator('caption', { hasText: 'Matriz de confusão — limiares atuais' }).count()).toBe(1)
    expect(await page.getByRole('button', { name: /Ativar/ }).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Calibrar' }).count()).toBe(0)
    await check(page, 'auditor')
    await page.context().close()
  })
})
