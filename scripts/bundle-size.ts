import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'

/**
 * Size of a Worker bundle written by `wrangler deploy --dry-run --outdir DIR` (`npm run build:edge`).
 * Cloudflare limits the compressed upload: 3 MiB on the Workers Free plan, 10 MiB on Paid, so
 * the gzip figure is the one to watch.
 */

export const FREE_PLAN_LIMIT_BYTES = 3 * 1024 * 1024
export const PAID_PLAN_LIMIT_BYTES = 10 * 1024 * 1024

export interface BundleFile {
  path: string
  bytes: number
  gzipBytes: number
}

export interface BundleSize {
  files: BundleFile[]
  bytes: number
  gzipBytes: number
}

/** Every module of the bundle (JavaScript, WebAssembly, text and data modules); source maps excluded. */
export function measureBundle(dir: string): BundleSize {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(
      (name) => !name.endsWith('.map') && !name.endsWith('README.md') && statSync(join(dir, name)).isFile(),
    )
    .sort()
    .map((name) => {
      const content = readFileSync(join(dir, name))
      return { path: name, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length }
    })
  if (!files.length)
    throw new Error(`no bundle in ${dir}: run wrangler deploy --dry-run --outdir ${dir} first`)
  return {
    files,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    gzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0),
  }
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`

export function formatBundleSize(size: BundleSize, dir: string): string {
  const width = Math.max(...size.files.map((f) => f.path.length), 5)
  const rows = size.files.map(
    (f) => `  ${f.path.padEnd(width)}  ${kib(f.bytes).padStart(11)}  gzip ${kib(f.gzipBytes).padStart(11)}`,
  )
  const share = ((size.gzipBytes / FREE_PLAN_LIMIT_BYTES) * 100).toFixed(1)
  return [
    `Worker bundle in ${dir}:`,
    ...rows,
    `  ${'total'.padEnd(width)}  ${kib(size.bytes).padStart(11)}  gzip ${kib(size.gzipBytes).padStart(11)}  (${share}% of the 3 MiB Free-plan limit)`,
  ].join('\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? 'dist/worker'
  try {
    const size = measureBundle(dir)
    console.log(formatBundleSize(size, relative(process.cwd(), dir) || dir))
    if (size.gzipBytes > PAID_PLAN_LIMIT_BYTES) {
      console.error('bundle-size: over the 10 MiB Workers Paid-plan limit: wrangler deploy would be refused')
      process.exitCode = 1
    } else if (size.gzipBytes > FREE_PLAN_LIMIT_BYTES) {
      console.error('bundle-size: warning: over the 3 MiB Free-plan limit (deployable on the Paid plan only)')
    }
  } catch (err) {
    console.error(`bundle-size: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(1)
  }
}
