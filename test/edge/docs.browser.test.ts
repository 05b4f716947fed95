import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, screenshot, type TestBrowser } from '../harness/browser'
import { listen, type Listening } from '../harness/listen'
import { createFsDocsAssets } from '../../edge/docs/assets-fs'
import { createEdgeFixture, type EdgeFixture } from './fixture'

/**
 * `/docs` renders in a real (headless) Chromium with every request to another origin refused: the
 * page, Swagger UI's script and styles and the OpenAPI document all come from the app itself.
 */
describe('/docs offline', () => {
  let fixture: EdgeFixture
  let server: Listening
  let browser: TestBrowser

  beforeAll(async () => {
    fixture = await createEdgeFixture({ deps: { docsAssets: createFsDocsAssets() } })
    server = await listen((request) => fixture.app.fetch(request))
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await fixture?.close()
  })

  it('shows the API with the network off', async () => {
    const context = await browser.newContext(server.url)
    const elsewhere: string[] = []
    await context.route('**/*', (route) => {
      const url = route.request().url()
      if (url.startsWith(server.url)) return route.continue()
      elsewhere.push(url)
      return route.abort('internetdisconnected')
    })
    const page = await context.newPage()
    const failed: string[] = []
    page.on('requestfailed', (r) => failed.push(r.url()))
    await page.goto('/docs')
    await page.locator('.swagger-ui .info .title').waitFor()
    expect(await page.locator('.swagger-ui .info .title').innerText()).toContain('Equivalence Engine')
    await page.locator('.opblock-summary-path').first().waitFor()
    // Swagger UI breaks long paths with zero-width spaces.
    const paths = (await page.locator('.opblock-summary-path').allInnerTexts()).map((p) => p.replace(/\u200b/g, ''))
    expect(paths).toContain('/v1/equivalences/evaluate')
    expect(paths).toContain('/v2/equivalences/evaluate')
    await screenshot(page, 'docs-offline')
    expect(elsewhere).toEqual([])
    expect(failed).toEqual([])
    await context.close()
  })
})
