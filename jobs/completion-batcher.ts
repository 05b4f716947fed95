import { createGroupCommit } from '../db/group-commit'
import type { JobStore } from './ports'

type CompleteMany = JobStore['completeMany']
type Entries = Parameters<CompleteMany>[0]
type Completed = Awaited<ReturnType<CompleteMany>>

interface Pending {
  entries: Entries
  resolve(completed: Completed): void
  reject(error: unknown): void
}

/** Bounds one statement's size and the wait of the last caller in a batch. */
const MAX_ITEMS = 500

/**
 * Group commit for item completions. Every completion bumps its job's counters, so the job row is
 * locked until COMMIT, and COMMIT waits for the WAL flush: completed one by one (QStash delivers
 * one item per request), a job's items settle at about one per flush however many deliveries run
 * in parallel. Completions that arrive while a commit is in flight wait together and go in the
 * next `completeMany` — one statement, one counter update per job, one commit. Each caller gets
 * the settled ids of its own items; the jobs a commit finished go to the first caller, which
 * hands them to the callback notifier. If a merged commit fails, each caller's completion is
 * retried on its own, so a bad row fails only its caller (which retries its items one by one).
 */
export function batchCompletions(store: JobStore): JobStore {
  async function flush(batch: Pending[]) {
    if (batch.length === 1) {
      const [only] = batch as [Pending]
      await store.completeMany(only.entries).then(only.resolve, only.reject)
      return
    }
    let completed: Completed
    try {
      completed = await store.completeMany(batch.flatMap((p) => p.entries))
    } catch {
      await Promise.all(batch.map((p) => store.completeMany(p.entries).then(p.resolve, p.reject)))
      return
    }
    batch.forEach((p, i) => {
      const mine = new Set(
        p.entries.filter(({ item }) => completed.settledIds.has(item.id)).map(({ item }) => item.id),
      )
      p.resolve({ settledIds: mine, finishedJobs: i === 0 ? completed.finishedJobs : [] })
    })
  }

  const enqueue = createGroupCommit<Pending>({
    maxInFlight: 2,
    maxWeight: MAX_ITEMS,
    weightOf: (p) => p.entries.length,
    commit: flush,
  })

  const overrides: Pick<JobStore, 'completeMany'> = {
    completeMany(entries) {
      if (entries.length === 0) return store.completeMany(entries)
      return new Promise<Completed>((resolve, reject) => {
        enqueue({ entries, resolve, reject })
      })
    },
  }
  // The wrapped store is the prototype: every other method reaches it unchanged.
  return Object.assign(Object.create(store) as JobStore, overrides)
}
