/**
 * Resolves on the next turn of the event loop, after pending I/O callbacks: setImmediate where
 * there is one (Node, Deno; no timer clamp, which under load made a zero timeout ~10× slower), a
 * zero timeout elsewhere (Workers). Long in-process work (batch accept and runs, calibrations)
 * awaits it between slices so the requests the same process serves keep being answered.
 */
export const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => {
    const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate
    if (immediate) immediate(resolve)
    else setTimeout(resolve, 0)
  })
