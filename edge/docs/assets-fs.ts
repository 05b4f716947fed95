import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { DocsAssetName, DocsAssets } from './assets'

/** Node and Deno (with node_modules): read once from the installed package, then kept in memory. */
export function createFsDocsAssets(): DocsAssets {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
  const cache = new Map<DocsAssetName, Promise<string | null>>()
  return {
    read(name) {
      let text = cache.get(name)
      if (!text) {
        text = readFile(join(dir, name), 'utf8').catch(() => null)
        cache.set(name, text)
      }
      return text
    },
  }
}
