import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { parseConfig } from '../../edge/config'
import { parseWorkerConfig } from '../../worker/config'
import { copyFrom, execForm, keyword, readStages, words } from './dockerfile'
import { importGraph } from './import-graph'

/**
 * Static checks of the production path. There is no Docker engine on the development and CI
 * machines, so docker-compose.prod.yml and the Dockerfiles are held to their invariants here.
 */

const root = join(import.meta.dirname, '..', '..')
const read = (path: string) => readFileSync(join(root, path), 'utf8')

interface Service {
  image?: string
  build?: { context: string; dockerfile: string }
  command?: string[]
  entrypoint?: string[]
  environment?: Record<string, string>
  profiles?: string[]
  depends_on?: Record<string, { condition: string; required?: boolean }>
  healthcheck?: { test: string[] }
  restart?: string
  ports?: string[]
  volumes?: string[]
  secrets?: string[]
  deploy?: { replicas?: number | string }
}
interface ComposeFile {
  services: Record<string, Service>
  volumes: Record<string, unknown>
  secrets?: Record<string, { file: string }>
}

const composeText = read('docker-compose.prod.yml')
// `merge: true` resolves the `<<: *anchor` keys the file uses for shared environment.
const compose = parse(composeText, { merge: true }) as ComposeFile
const services = compose.services

/** Variable names that carry credentials. */
const SECRET_NAME = /PASSWORD|TOKEN|SECRET|SALT|SIGNING_KEY|DATABASE_URL|API_KEY/

/** Every `${...}` reference in a string. */
const references = (text: string) =>
  [...text.matchAll(/\$\{([A-Z0-9_]+)([^}]*)\}/g)].map((m) => ({ name: m[1]!, rest: m[2]! }))

/**
 * Compose interpolation for `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `${VAR:?message}`, applied like
 * `docker compose config` does, to the string values of the parsed file: a missing required
 * variable is an error naming it.
 */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\{([A-Z0-9_]+)(?:(:?)([-?])([^}]*))?\}/g,
    (_, name: string, colon?: string, op?: string, arg?: string) => {
      const v = env[name]
      if (v) return v
      // `${VAR-default}` (no colon) keeps a variable that is set but empty.
      if (v === '' && op === '-' && colon === '') return ''
      if (op === '?') throw new Error(`required variable ${name} is missing a value: ${arg}`)
      return op === '-' ? (arg ?? '') : ''
    },
  )
}

function interpolateTree<T>(node: T, env: Record<string, string>): T {
  if (typeof node === 'string') return interpolate(node, env) as T
  if (Array.isArray(node)) return node.map((n: unknown) => interpolateTree(n, env)) as T
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateTree(v, env)])) as T
  }
  return node
}

function readEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of read(path).split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim())
    if (m) env[m[1]!] = m[2]!
  }
  return env
}

describe('docker-compose.prod.yml', () => {
  it('has the default services and the selfhosted profile', () => {
    const byProfile = (p: string | undefined) =>
      Object.entries(services)
        .filter(([, s]) => (p ? s.profiles?.includes(p) : !s.profiles))
        .map(([name]) => name)
        .sort()
    expect(byProfile(undefined)).toEqual(['ingress', 'migrate', 'pg-backup', 'worker'])
    expect(byProfile('selfhosted')).toEqual(['api', 'postgres', 'redis', 'redis-http'])
  })

  it('takes every secret from a required ${VAR:?message} or a secret file', () => {
    const secretRefs = references(composeText).filter((r) => SECRET_NAME.test(r.name))
    expect(secretRefs.length).toBeGreaterThan(5)
    for (const ref of secretRefs) {
      if (ref.name === 'POSTGRES_PASSWORD_FILE') continue // a path, not a secret
      expect(ref.rest, `\${${ref.name}${ref.rest}}`).toMatch(/^:\?\S.+/)
    }
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!SECRET_NAME.test(key)) continue
        if (key.endsWith('_FILE')) {
          expect(value, `${name}.${key}`).toMatch(/^\/run\/secrets\//)
          continue
        }
        // Either the whole value is a required variable, or it embeds only required variables.
        const refs = references(String(value))
        expect(refs.length, `${name}.${key} must come from the environment`).toBeGreaterThan(0)
        for (const ref of refs) expect(ref.rest, `${name}.${key}`).toMatch(/^:\?/)
      }
    }
  })

  it('fails with a message naming the variable when a secret is missing', () => {
    const env = readEnvFile('ops/env/managed.env.example')
    const { QSTASH_TOKEN: _, ...withoutToken } = env
    expect(() => interpolateTree(compose, withoutToken)).toThrow(
      /required variable QSTASH_TOKEN is missing a value: set QSTASH_TOKEN/,
    )
    expect(() => interpolateTree(compose, env)).not.toThrow()
  })

  it('documents every variable it reads in the env examples', () => {
    const examples = read('ops/env/managed.env.example') + read('ops/env/selfhosted.env.example')
    for (const { name } of references(composeText))
      expect(examples, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'))
  })

  it.each(['managed', 'selfhosted'])(
    'gives the app a configuration it accepts (ops/env/%s.env.example)',
    (mode) => {
      const env = readEnvFile(`ops/env/${mode}.env.example`)
      const resolved = interpolateTree(compose, env)
      // Each process's own boot-time parser (the one that exits naming a bad variable) accepts it.
      const api = parseConfig(resolved.services.api!.environment!)
      const worker = parseWorkerConfig(resolved.services.worker!.environment!)
      for (const config of [api, worker]) {
        expect(config.DATABASE_DRIVER).toBe('pg')
        expect(config.WORKER_URL).toBe(`https://${env.WORKER_DOMAIN}`)
        // Both judge callback_url: the API at submission, the worker at delivery.
        expect(config.CALLBACK_ALLOW_PRIVATE_NETWORKS).toBe(false)
      }
      expect(worker.PORT).toBe(8080)
      expect(api.PORT).toBe(8100)
      expect(worker.SWEEP_CRON).toBe('* * * * *')
      // `SWEEP_CRON=` in .env.prod reaches the worker empty, and turns the schedule off.
      const noSweep = interpolateTree(compose, { ...env, SWEEP_CRON: '' })
      expect(parseWorkerConfig(noSweep.services.worker!.environment!).SWEEP_CRON).toBe('')
      // Secrets of the selfhosted stores are the ones the app uses to reach them.
      expect(resolved.services['redis-http']!.environment!.SRH_TOKEN).toBe(env.UPSTASH_REDIS_REST_TOKEN)
    },
  )

  it('runs migrate once, before anything that uses the database', () => {
    expect(services.migrate!.command).toEqual(['npm', 'run', 'db:migrate'])
    expect(services.migrate!.restart).toBe('no')
    expect(services.migrate!.healthcheck).toBeUndefined()
    for (const name of ['worker', 'api', 'pg-backup']) {
      expect(services[name]!.depends_on?.migrate, name).toEqual({
        condition: 'service_completed_successfully',
      })
    }
    // In the selfhosted profile, migrate waits for the local Postgres; elsewhere it is absent.
    expect(services.migrate!.depends_on?.postgres).toEqual({ condition: 'service_healthy', required: false })
    expect(read('package.json')).toContain('"db:migrate"')
  })

  it('gives every long-running service a healthcheck and a restart policy', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'migrate') continue
      expect(service.healthcheck?.test?.length, `${name} healthcheck`).toBeGreaterThan(0)
      expect(service.restart, `${name} restart`).toBe('unless-stopped')
    }
  })

  it('scales the workers from the environment', () => {
    expect(services.worker!.deploy?.replicas).toBe('${WORKER_REPLICAS:-2}')
  })

  it('publishes ports only on the ingress, and only 80 and 443', () => {
    const published = Object.entries(services).filter(([, s]) => s.ports?.length)
    expect(published.map(([name]) => name)).toEqual(['ingress'])
    expect(services.ingress!.ports).toEqual(['80:80', '443:443'])
  })

  it('keeps state in named volumes and mounts host files read-only', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const [source, , mode] = volume.split(':')
        if (source!.startsWith('.')) {
          expect(mode, `${name}: ${volume}`).toBe('ro')
          expect(existsSync(join(root, source!)), `${name}: ${source} exists`).toBe(true)
        } else {
          expect(Object.keys(compose.volumes), `${name}: ${volume}`).toContain(source)
        }
      }
    }
    expect(services.postgres!.volumes).toContain('pgdata:/var/lib/postgresql/data')
    expect(services['pg-backup']!.volumes).toContain('backups:/backups')
  })

  it('backs up with the tested scripts and a daily/weekly/monthly retention', () => {
    const backup = services['pg-backup']!
    expect(backup.entrypoint!.join(' ')).toContain('/opt/backup/backup-schedule.sh')
    expect(backup.volumes).toContain('./scripts:/opt/backup:ro')
    expect(Object.keys(backup.environment!)).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'BACKUP_KEEP_DAYS', 'BACKUP_KEEP_WEEKS', 'BACKUP_KEEP_MONTHS']),
    )
    // The backup image's client tools follow the server major, as pg_dump requires.
    expect(backup.image).toBe(services.postgres!.image)
  })

  it('routes the ingress to the ports the app services listen on', () => {
    const caddy = read('ops/caddy/Caddyfile')
    expect(caddy).toContain(`dynamic a worker ${services.worker!.environment!.PORT}`)
    expect(caddy).toContain(`dynamic a api ${services.api!.environment!.PORT}`)
    for (const name of ['worker', 'api']) {
      expect(services[name]!.healthcheck!.test.join(' ')).toContain(
        `127.0.0.1:${services[name]!.environment!.PORT}/health`,
      )
    }
  })
})

describe.each([
  { service: 'api', dockerfile: 'Dockerfile', extraEntries: [] },
  // The worker image also runs the compose `migrate` service.
  {
    service: 'worker',
    dockerfile: 'worker/Dockerfile',
    extraEntries: ['db/migrate.ts', 'scripts/provision-tenant.ts'],
  },
])('$dockerfile ($service image)', ({ service, dockerfile, extraEntries }) => {
  const stages = readStages(join(root, dockerfile))
  const runtime = stages.at(-1)!

  it('is the build of its compose service', () => {
    expect(services[service]!.build).toEqual({ context: '.', dockerfile })
  })

  it('is multi-stage, with production dependencies only from the lockfile', () => {
    expect(stages.map((s) => s.name)).toEqual(['deps', 'runtime'])
    const installs = stages.flatMap((s) => keyword(s, 'RUN')).map((r) => words(r).join(' '))
    expect(installs.some((cmd) => cmd.includes('npm ci --omit=dev'))).toBe(true)
    const copiedModules = keyword(runtime, 'COPY').find((c) => words(c)[0] === '/app/node_modules')
    expect(copiedModules && copyFrom(copiedModules)).toBe('deps')
    // tsx runs the TypeScript entries in production, so it must survive --omit=dev.
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> }
    expect(pkg.dependencies.tsx).toBeDefined()
  })

  it('runs as a non-root user', () => {
    const users = keyword(runtime, 'USER').map((u) => words(u)[0])
    expect(users.length).toBeGreaterThan(0)
    expect(['root', '0', '0:0']).not.toContain(users.at(-1))
  })

  it('has a HEALTHCHECK on the port it listens on', () => {
    const [healthcheck] = keyword(runtime, 'HEALTHCHECK')
    const port = /PORT=(\d+)/.exec(
      keyword(runtime, 'ENV')
        .map((e) => e.getArgumentsContent())
        .join(' '),
    )?.[1]
    expect(healthcheck?.getArgumentsContent()).toContain(`process.env.PORT||${port}`)
    expect(services[service]!.environment!.PORT).toBe(port)
  })

  it('copies only files that exist and are not excluded from the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
    // A path is left out of the context when it or a parent folder is listed, unless re-included with `!`.
    const excluded = (path: string) =>
      !ignored.includes(`!${path}`) &&
      path.split('/').some((_, i, parts) => ignored.includes(parts.slice(0, i + 1).join('/')))
    for (const copy of keyword(runtime, 'COPY')) {
      if (copyFrom(copy)) continue
      for (const source of words(copy).slice(0, -1)) {
        expect(existsSync(join(root, source)), `${dockerfile}: ${source} exists`).toBe(true)
        expect(excluded(source), `${dockerfile}: ${source} is in the build context`).toBe(false)
      }
    }
    expect(excluded('scripts/backup.sh')).toBe(true)
    expect(ignored).toEqual(
      expect.arrayContaining(['node_modules', '.git', '.data', 'test', '**/*.test.ts', '.env']),
    )
  })

  it('starts an entry file that exists', () => {
    const [cmd] = keyword(runtime, 'CMD')
    const argv = execForm(cmd!)
    expect(argv.slice(0, 3)).toEqual(['node', '--import', 'tsx'])
    expect(existsSync(join(root, argv[3]!)), argv[3]).toBe(true)
  })

  it('runs on what the image holds: copied project files and production dependencies', async () => {
    const entry = execForm(keyword(runtime, 'CMD')[0]!)[3]!
    const { files, packages } = await importGraph(root, [entry, ...extraEntries])
    const copied = keyword(runtime, 'COPY')
      .filter((c) => !copyFrom(c))
      .flatMap((c) => words(c).slice(0, -1))
    for (const file of files) {
      expect(
        copied.some((source) => file === source || file.startsWith(`${source}/`)),
        `${file} is in the image`,
      ).toBe(true)
    }
    // npm ci --omit=dev leaves devDependencies out of the image.
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> }
    expect(packages.length).toBeGreaterThan(5)
    for (const name of packages)
      expect(Object.keys(pkg.dependencies), `${name} (imported by ${entry})`).toContain(name)
  })
})
