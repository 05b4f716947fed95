import { builtinModules } from 'node:module'
import { build } from 'esbuild'

/**
 * What a set of entry files loads when run, found by esbuild's bundler (static and dynamic
 * imports alike): the project files, and the npm packages, by package name.
 */
export async function importGraph(
  root: string,
  entries: string[],
): Promise<{ files: string[]; packages: string[] }> {
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: entries,
    bundle: true,
    write: false,
    outdir: 'out',
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  })
  const builtins = new Set(builtinModules)
  const packages = new Set<string>()
  for (const input of Object.values(metafile.inputs)) {
    for (const imported of input.imports) {
      if (!imported.external || imported.path.startsWith('node:') || builtins.has(imported.path)) continue
      const parts = imported.path.split('/')
      packages.add(imported.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!)
    }
  }
  return { files: Object.keys(metafile.inputs).sort(), packages: [...packages].sort() }
}
