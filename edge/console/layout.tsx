import { raw } from 'hono/html'
import type { Child, FC, PropsWithChildren } from 'hono/jsx'
import type { ApiKeyRecord, Tenant } from '../context'
import { DECISAO_LABEL } from './format'

/** What every signed-in page shows in its header. */
export type Viewer = { key: ApiKeyRecord; tenant: Tenant; csrf: string }

export const Csrf: FC<{ token: string }> = ({ token }) => <input type="hidden" name="_csrf" value={token} />

export const Decisao: FC<{ value: string }> = ({ value }) => (
  <span class={`badge d-${value}`}>{DECISAO_LABEL[value] ?? value}</span>
)

export const Flash: FC<{ kind?: 'success' | 'error' | 'notice'; children?: Child }> = ({
  kind = 'notice',
  children,
}) => (
  <div class={kind} role={kind === 'error' ? 'alert' : 'status'}>
    {children}
  </div>
)

const NAV: { href: string; label: string; admin?: boolean }[] = [
  { href: '/console/fila', label: 'Fila' },
  { href: '/console/avaliar', label: 'Avaliar' },
  { href: '/console/lotes', label: 'Lotes' },
  { href: '/console/calibracoes', label: 'Calibração' },
  { href: '/console/admin/precedentes', label: 'Precedentes', admin: true },
  { href: '/console/admin/chaves', label: 'Chaves de API', admin: true },
  { href: '/console/admin/auditoria', label: 'Auditoria', admin: true },
  { href: '/console/admin/configuracoes', label: 'Configurações', admin: true },
]

export const Layout: FC<PropsWithChildren<{ title: string; viewer?: Viewer; current?: string }>> = ({
  title,
  viewer,
  current,
  children,
}) => (
  <>
    {raw('<!DOCTYPE html>')}
    <html lang="pt-BR">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Console de equivalências`}</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        <script src="/console/assets/console.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#conteudo">
          Pular para o conteúdo
        </a>
        <header class="top">
          <strong>Console de equivalências</strong>
          {viewer && (
            <nav aria-label="Principal">
              {NAV.filter((n) => !n.admin || viewer.key.role === 'admin').map((n) => (
                <a href={n.href} aria-current={current === n.href ? 'page' : undefined}>
                  {n.label}
                </a>
              ))}
            </nav>
          )}
          {viewer && (
            <div class="who">
              {viewer.tenant.name} · chave <span class="mono">{viewer.key.prefix}</span> ({viewer.key.role}){' '}
              <form method="post" action="/console/sair">
                <Csrf token={viewer.csrf} />
                <button type="submit" class="secondary">
                  Sair
                </button>
              </form>
            </div>
          )}
        </header>
        <main id="conteudo" tabindex={-1}>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  </>
)
