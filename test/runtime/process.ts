import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'

/** A free loopback port (asked of the OS, then released for the child to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export type Started = { url: string; child: ChildProcess; output: () => string; stop: () => Promise<void> }

/** Spawns a server process and waits until GET /health answers, or fails with its output. */
export async function startServer(command: string, args: string[], env: Record<string, string>, port: number, timeoutMs = 120_000): Promise<Started> {
  const child = spawn(command, args, { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const url = `http://127.0.0.1:${port}`
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`exited with ${code} before serving:\n${output}`))))
  const deadline = Date.now() + timeoutMs
  const ready = (async () => {
    for (;;) {
      try {
        if ((await fetch(`${url}/health`)).ok) return
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`not ready in time:\n${output}`)
      await new Promise((r) => setTimeout(r, 250))
    }
  })()
  await Promise.race([ready, exited])
  return {
    url,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return
      const gone = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await gone
    },
  }
}

/** Runs a command to completion; returns its exit code and output. */
export function runToExit(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.once('exit', (code) => resolve({ code, output }))
  })
}
