/**
 * Test fixture run as a child process: the real worker (worker/main.ts) whose job store exits the
 * process right after a successful claim — a container killed mid-item, holding the lease.
 */
import { parseWorkerConfig } from '../../worker/config'
import { startWorker } from '../../worker/main'

export const CRASH_EXIT_CODE = 86

await startWorker(parseWorkerConfig(process.env), {
  scheduleSweep: false,
  wrapJobStore: (store) => ({
    ...store,
    async claim(itemId, leaseMs) {
      const outcome = await store.claim(itemId, leaseMs)
      if ('claimed' in outcome) process.exit(CRASH_EXIT_CODE)
      return outcome
    },
  }),
})
