/**
 * The containerized worker's entry: `node --import tsx worker/entry.ts` (worker/Dockerfile).
 * Bad or missing env → one message naming the variables, exit 1. SIGTERM/SIGINT → stop taking
 * deliveries, let callbacks in flight finish, close the pool. An item cut off mid-flight keeps its
 * lease until it expires; the sweeper then hands it out again.
 */
import { parseWorkerConfig } from './config'
import { startWorker } from './main'

let config
try {
  config = parseWorkerConfig(process.env)
} catch (err) {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
}

const worker = await startWorker(config)
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    worker.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  })
}
