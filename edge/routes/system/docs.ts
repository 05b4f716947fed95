import type { Hono } from 'hono'
import { DOCS_ASSET_TYPES, isDocsAsset, type DocsAssets } from '../../docs/assets'

/**
 * `/docs`: Swagger UI over `/openapi.json`, every file served by the app (no CDN, so it renders
 * offline). `/doc` and `/redoc`, the replaced service's doc paths, redirect here.
 */

const INIT_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, tryItOutEnabled: false });
});
`

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Equivalence Engine — API docs</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"><noscript>The API description: <a href="/openapi.json">/openapi.json</a></noscript></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body>
</html>
`

/** Same-origin only: the page loads nothing from elsewhere. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'"

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any app type: these routes read nothing from the context
export function registerDocs(app: Hono<any>, assets: DocsAssets): void {
  app.get('/docs', (c) => c.html(PAGE, 200, { 'Content-Security-Policy': CSP }))
  // One route for every asset, init.js included: a static path beside a parameter at the same place
  // makes Hono's RegExpRouter give up, and the whole app then routes every request through the
  // slower TrieRouter.
  app.get('/docs/assets/:name', async (c) => {
    const name = c.req.param('name')
    if (name === 'init.js') return c.body(INIT_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8' })
    const text = isDocsAsset(name) ? await assets.read(name) : null
    if (text === null) return c.json({ detail: 'Not Found' }, 404)
    return c.body(text, 200, { 'Content-Type': DOCS_ASSET_TYPES[name as keyof typeof DOCS_ASSET_TYPES], 'Cache-Control': 'public, max-age=86400' })
  })
  for (const path of ['/doc', '/redoc']) app.get(path, (c) => c.redirect('/docs', 307))
}
