import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'

/**
 * The embedded default as a user runs it (`npm start` with no database: PGlite on disk, jobs in
 * process), as a child process on a random port, so a probe from this process measures the
 * server's event loop and not its own. Used by test/batch/health-during-batch.test.ts and
 * bench/health-during-batch.ts (which may point `root` at a baseline worktree).
 */
export interface EmbeddedServer {
  base: string
  keys: { admin: string; client: string }
  output: string[]
  alive(): boolean
  stop(): Promise<void>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function startEmbeddedServer(options: { root?: string; env?: Record<string, string> } = {}): Promise<EmbeddedServer> {
  const dir = await mkdtemp(join(tmpdir(), 'ee-embedded-'))
  const port = 20_000 + Math.floor(Math.random() * 40_000)
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'edge/entries/node.ts'], {
    cwd: options.root ?? process.cwd(),
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_|QSTASH_|UPSTASH_|WORKER_URL|API_URL)/.test(k))),
      PORT: String(port),
      HOST: '127.0.0.1',
      PGLITE_DIR: join(dir, 'pglite'),
      RATE_LIMIT_ENABLED: 'false',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // Never outlive the test or benchmark that started it (a timeout, a crash).
  const orphanGuard = () => child.kill('SIGKILL')
  process.once('exit', orphanGuard)
  const output: string[] = []
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  const alive = () => child.exitCode === null && child.signalCode === null
  const base = `http://127.0.0.1:${port}`
  for (;;) {
    if (!alive()) throw new Error(`embedded server exited: ${output.join('')}`)
    if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break
    await sleep(100)
  }
  const demo = JSON.parse(await readFile(join(dir, 'demo-keys.json'), 'utf8')) as Record<string, string>
  return {
    base,
    keys: { admin: demo.admin!, client: demo['api-client']! },
    output,
    alive,
    async stop() {
      process.off('exit', orphanGuard)
      if (alive()) {
        child.kill('SIGTERM')
        while (alive()) await sleep(50)
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export interface LatencyProbe {
  /** Latencies of every /health answered so far, in ms. */
  readonly samples: readonly number[]
  /** Answers that were not 200 (or no answer). */
  readonly failures: number
  /** The slowest answer since `mark()` (or the start), and how many answers that covers. */
  since(mark: number): { max: number; count: number }
  /** The index to pass to `since` for "from now on". */
  mark(): number
  stop(): Promise<void>
}

/**
 * Asks `/health` every `everyMs` (the next request goes out `everyMs` after the previous answer)
 * and records how long each answer took: a blocked event loop on the server shows up as a slow
 * answer, whichever moment it starts.
 */
export function probeHealth(base: string, everyMs = 20): LatencyProbe {
  const samples: number[] = []
  let failures = 0
  let running = true
  const loop = (async () => {
    while (running) {
      const started = performance.now()
      try {
        const res = await fetch(`${base}/health`)
        await res.arrayBuffer()
        if (res.status !== 200) failures++
      } catch {
        failures++
      }
      samples.push(performance.now() - started)
      await sleep(everyMs)
    }
  })()
  return {
    samples,
    get failures() {
      return failures
    },
    mark: () => samples.length,
    since(mark) {
      const slice = samples.slice(mark)
      return { max: slice.length ? Math.max(...slice) : 0, count: slice.length }
    },
    async stop() {
      running = false
      await loop
    },
  }
}

/** An evaluate request of our own making for item `i` (the shape both wire versions take). */
export function pairFor(i: number): Record<string, unknown> {
  return {
    origem: {
      nome: `Cálculo Diferencial ${i}`,
      carga_horaria: 60 + (i % 40),
      ementa:
        `Funções reais de uma variável. Limites e continuidade. Derivadas e aplicações (turma ${i}). ` +
        'Regra da cadeia. Máximos e mínimos. Integral indefinida. Teorema fundamental do cálculo.',
      aprovado: true,
      ano_conclusao: 2015 + (i % 10),
    },
    destino: {
      nome: 'Cálculo I',
      carga_horaria: 72,
      ementa: 'Limites. Continuidade. Derivadas: definição, regras de derivação, aplicações. Integrais: definida e indefinida; teorema fundamental do cálculo.',
    },
  }
}

/**
 * POSTs a batch of `n` items to `path` and waits for its job to be done, measuring /health over the
 * accept phase (POST sent → answered) and the run phase (answered → job done).
 */
export async function batchUnderProbe(
  server: EmbeddedServer,
  probe: LatencyProbe,
  path: '/v1/equivalences/batch' | '/v2/equivalences/batch',
  n: number,
): Promise<{ status: number; accept: { max: number; count: number; ms: number }; run: { max: number; count: number; ms: number }; total: number; done: number }> {
  const body = JSON.stringify({ items: Array.from({ length: n }, (_, i) => pairFor(i)) })
  const headers = { 'X-API-Key': server.keys.client, 'Content-Type': 'application/json' }
  const acceptMark = probe.mark()
  const t0 = performance.now()
  const res = await fetch(`${server.base}${path}`, { method: 'POST', headers, body })
  const created = (await res.json()) as { job_id: string }
  const t1 = performance.now()
  const accept = { ...probe.since(acceptMark), ms: t1 - t0 }
  if (res.status >= 300) return { status: res.status, accept, run: { max: 0, count: 0, ms: 0 }, total: 0, done: 0 }
  const runMark = probe.mark()
  const jobPath = path.startsWith('/v1') ? `/v1/jobs/${created.job_id}` : `/v2/jobs/${created.job_id}`
  let job: { progress: { done: number; failed: number; total: number } }
  for (;;) {
    job = (await (await fetch(`${server.base}${jobPath}`, { headers })).json()) as typeof job
    if (job.progress.done + job.progress.failed >= job.progress.total) break
    await sleep(200)
  }
  const run = { ...probe.since(runMark), ms: performance.now() - t1 }
  return { status: res.status, accept, run, total: job.progress.total, done: job.progress.done }
}
