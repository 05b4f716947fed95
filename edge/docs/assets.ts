/**
 * Swagger UI's files, from the pinned `swagger-ui-dist` package, served by the app itself so
 * `/docs` works without internet. How they are read depends on the runtime: from node_modules on
 * Node and Deno (./assets-fs.ts), as text modules bundled into the Worker (./assets-workers.ts).
 */
export const DOCS_ASSET_TYPES = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const

export type DocsAssetName = keyof typeof DOCS_ASSET_TYPES

export interface DocsAssets {
  /** The file's text; null when this runtime has no copy. */
  read(name: DocsAssetName): Promise<string | null>
}

export const isDocsAsset = (name: string): name is DocsAssetName => Object.hasOwn(DOCS_ASSET_TYPES, name)
