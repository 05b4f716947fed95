/**
 * Structured JSON logs, one line per event; callers never pass secrets or syllabus text, and every
 * field still goes through `redactFields` — the one redaction path of every logged error, whoever
 * logs it (edge, jobs, worker): a failed query's message and stack carry its statement and
 * parameters (syllabus text, key hashes), and a constraint error's detail the values.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'
export type Logger = {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => console.log(l)): Logger {
  const at = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < RANK[level]) return
    write(JSON.stringify({ level: lvl, time: new Date().toISOString(), msg, ...redactFields(fields) }))
  }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** Fields whose strings are error text, redacted even when a caller passed `err.message` itself. */
const ERROR_TEXT_FIELDS = /^(error|reason|cause|stack|detail|message)$/i

function redactFields(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return fields
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Error) Object.assign(out, { [key]: describeError(value).error })
    else if (typeof value === 'string' && ERROR_TEXT_FIELDS.test(key)) out[key] = key === 'stack' ? stackFrames(value) : redactErrorText(value)
    else out[key] = value
  }
  return out
}

/**
 * Error text fit for a log: the first line, without a failed query's statement and parameters or
 * the values Postgres quotes in its messages, at most 300 characters.
 */
export function redactErrorText(text: string): string {
  const firstLine = text
    .replace(/Failed query:[\s\S]*/i, 'Failed query (statement and parameters withheld)')
    .replace(/\bparams:[\s\S]*/i, '(parameters withheld)')
    .split('\n')[0]!
  // Postgres quotes the offending value after a colon (`invalid input syntax for type integer:
  // "…"`) and in a key detail (`Key (request_id)=(…)`); names (constraints, relations) it quotes
  // without a colon, and those stay.
  return firstLine
    .replace(/: ".*"/, ': "…"')
    .replace(/\(([^()]*)\)=\([^()]*\)/g, '($1)=(…)')
    .slice(0, 300)
}

/** Only the `at …` frames of a stack: its head repeats the message, which may carry parameters. */
function stackFrames(stack: string): string {
  return stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 5)
    .join('\n')
}

/**
 * What a log may say about an unexpected error: its kind, the first line of its message (redacted)
 * and a few frames. For a failed query (drizzle's DrizzleQueryError, whose message is the statement
 * and its parameters) the driver's own error, its cause, is described instead; a SQLSTATE is kept.
 */
export function describeError(err: unknown): { error: string; stack?: string; sqlstate?: string } {
  if (!(err instanceof Error)) return { error: redactErrorText(String(err)) }
  let root: Error = err
  for (let depth = 0; depth < 5 && /Failed query:/.test(root.message) && root.cause instanceof Error; depth++) root = root.cause
  const code = (root as { code?: unknown }).code
  const sqlstate = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
  const described: { error: string; stack?: string; sqlstate?: string } = {
    error: `${root.name}: ${redactErrorText(root.message)}`,
    stack: err.stack ? stackFrames(err.stack) : undefined,
  }
  if (sqlstate) described.sqlstate = sqlstate
  return described
}
