/**
 * The queue behind a group commit. Callers that arrive while `maxInFlight` commits are running wait
 * together, and the next commit takes as many of them as fit in `maxWeight` (always at least one).
 * At low load a commit is a single caller and nothing waits for a timer.
 *
 * `commit` settles every caller of its batch itself (resolving or rejecting what they wait on) and
 * must not reject. Used by db/result-batcher.ts and jobs/completion-batcher.ts.
 */
export function createGroupCommit<P>(options: {
  maxInFlight: number
  maxWeight: number
  weightOf: (pending: P) => number
  commit: (batch: P[]) => Promise<void>
}): (pending: P) => void {
  let queue: P[] = []
  let inFlight = 0

  function pump() {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      let weight = 0
      let take = 0
      while (
        take < queue.length &&
        (take === 0 || weight + options.weightOf(queue[take]!) <= options.maxWeight)
      ) {
        weight += options.weightOf(queue[take]!)
        take++
      }
      const batch = queue.slice(0, take)
      queue = queue.slice(take)
      inFlight++
      void options.commit(batch).finally(() => {
        inFlight--
        pump()
      })
    }
  }

  return (pending) => {
    queue.push(pending)
    pump()
  }
}
