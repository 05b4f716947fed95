import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

/**
 * Headless Chromium for browser tests: Debian's `chromium` package (installed by `.ci/run` when
 * missing) driven by playwright-core; Playwright's own browser download cannot work here. Each
 * launch runs on a fresh profile: playwright-core passes Chromium a new temporary `--user-data-dir`
 * itself (and refuses one in `args`), and removes it on close; each context has its own cookies.
 *
 *     const browser = await launchBrowser()
 *     const page = await browser.newPage(baseUrl)
 *     await page.goto('/console/login'); await checkAccessibility(page); await screenshot(page, 'login')
 *     await browser.close()
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Screenshots land here (gitignored); CI keeps the folder as the run's artifacts. */
export const ARTIFACTS_DIR = join(process.cwd(), 'test-artifacts')

export interface TestBrowser {
  browser: Browser
  /** A fresh context (own cookies) whose relative `goto` paths resolve against `baseURL`. */
  newContext(baseURL: string): Promise<BrowserContext>
  newPage(baseURL: string): Promise<Page>
  close(): Promise<void>
}

export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  const newContext = (baseURL: string) => browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } })
  return {
    browser,
    newContext,
    async newPage(baseURL) {
      return (await newContext(baseURL)).newPage()
    },
    async close() {
      await browser.close()
    },
  }
}

/** Saves a full-page PNG as `test-artifacts/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true })
  const path = join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: string[]
}

const axeSource = (() => {
  let source: string | undefined
  return () => (source ??= createRequire(import.meta.url)('axe-core').source as string)
})()

/**
 * Runs axe-core (WCAG 2.x A/AA rules) in the page and returns the violations of impact `serious`
 * or `critical` — the ones a test should fail on — with the selectors of the offending nodes.
 */
export async function checkAccessibility(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, so a page's strict Content-Security-Policy (no inline
  // script) does not block it the way a script tag would be.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeSource())
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[] }> } }).axe
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    return result.violations as { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[]
  })
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }))
}
