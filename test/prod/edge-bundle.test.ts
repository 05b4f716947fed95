import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { parse as parseToml } from 'smol-toml'
import { FREE_PLAN_LIMIT_BYTES, formatBundleSize, measureBundle } from '../../scripts/bundle-size'

/**
 * `npm run build:edge`: the Worker bundles offline with `wrangler deploy --dry-run` (no account,
 * no network; WRANGLER_SEND_METRICS=false comes from vitest.config.ts) and fits Cloudflare's limits.
 */

const root = join(import.meta.dirname, '..', '..')
const run = promisify(execFile)
const wrangler = join(root, 'node_modules', '.bin', 'wrangler')
const outdirs: string[] = []

async function dryRun(...args: string[]): Promise<{ outdir: string; log: string }> {
  const outdir = mkdtempSync(join(tmpdir(), 'ee-worker-bundle-'))
  outdirs.push(outdir)
  const { stdout, stderr } = await run(wrangler, ['deploy', '--dry-run', '--outdir', outdir, ...args], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: 'true' },
  })
  return { outdir, log: stdout + stderr }
}

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true })
})

// A ceiling for a child process bundling on a busy 2-core CI machine, not a measurement.
describe('Worker bundle (wrangler deploy --dry-run)', { timeout: 120_000 }, () => {
  it('wrangler.toml has staging and production environments and the sweeper cron', () => {
    const toml = parseToml(readFileSync(join(root, 'wrangler.toml'), 'utf8')) as {
      main: string
      env?: Record<string, { name?: string; triggers?: { crons?: string[] } }>
      triggers?: { crons?: string[] }
    }
    expect(existsSync(join(root, toml.main))).toBe(true)
    for (const env of ['staging', 'production']) {
      const section = toml.env?.[env]
      expect(section?.name, env).toMatch(new RegExp(`-${env}$`))
      // `triggers` is inherited: an environment may name its own crons or take the top-level ones.
      expect(section?.triggers?.crons?.length ?? toml.triggers?.crons?.length, `${env} cron`).toBeGreaterThan(
        0,
      )
    }
  })

  it('builds the production Worker offline within the Free-plan size limit', async () => {
    const { outdir, log } = await dryRun('--env', 'production')
    expect(log).toContain('--dry-run: exiting now.')
    const size = measureBundle(outdir)
    expect(size.files.some((f) => f.path.endsWith('.js'))).toBe(true)
    expect(size.gzipBytes).toBeGreaterThan(0)
    expect(size.gzipBytes).toBeLessThan(FREE_PLAN_LIMIT_BYTES)
    const report = formatBundleSize(size, 'wrangler --dry-run --env production')
    expect(report).toMatch(/total +[\d.]+ KiB {2}gzip +[\d.]+ KiB/)
    console.log(report) // the figure, in every CI log
    // The edge talks to Postgres through Neon's driver only: no PGlite WASM in the bundle.
    expect(size.files.some((f) => f.path.endsWith('.wasm'))).toBe(false)
  })
})
