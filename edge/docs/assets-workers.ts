// Bundled as text modules by the `[[rules]]` of wrangler.toml (type "Text").
import css from 'swagger-ui-dist/swagger-ui.css'
import bundle from 'swagger-ui-dist/swagger-ui-bundle.js'
import type { DocsAssets } from './assets'

/** Workers have no file system: the files travel inside the bundle. */
export const workersDocsAssets: DocsAssets = {
  read: async (name) => (name === 'swagger-ui.css' ? css : bundle),
}
