import { z } from 'zod'
import { AiConfigShape, aiConfigIssues, withAiAliases } from '../services/ai/config'

/**
 * The worker's configuration, parsed once from env at boot (worker/entry.ts). It shares the
 * database, salt and QStash variables with the edge (docker-compose.prod.yml's x-app-env).
 */
const positiveInt = z.coerce.number().int().positive()

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes')

const WorkerConfigSchema = z.object({
  DATABASE_URL: z.url(),
  /** @default 'pg' (node-postgres; the worker is a long-lived container) */
  DATABASE_DRIVER: z.enum(['pg', 'neon']).default('pg'),
  /** Each tenant's job-callback secret derives from it (jobs/callbacks/signature.ts), as on the API. */
  API_KEY_SALT: z.string().min(16, 'must be at least 16 characters'),
  /** @default 'https://qstash.upstash.io' */
  QSTASH_URL: z.url().default('https://qstash.upstash.io'),
  QSTASH_TOKEN: z.string().min(1),
  QSTASH_CURRENT_SIGNING_KEY: z.string().min(1),
  QSTASH_NEXT_SIGNING_KEY: z.string().min(1),
  /** Public base URL QStash delivers to; signatures must name `${WORKER_URL}/jobs/...`. */
  WORKER_URL: z.url(),
  /**
   * Public base URL of the API: the failure callbacks of the messages the sweeper re-publishes go
   * to `${API_URL}/jobs/failure/{tenant}` there (as the API's own publishes do), not to the workers.
   */
  API_URL: z.url().optional(),
  /** @default 8080 */
  PORT: positiveInt.max(65535).default(8080),
  /** How long a claimed item is held before the sweeper may hand it to another worker. @default 60 */
  JOB_LEASE_SECONDS: positiveInt.max(3600).default(60),
  /** A queued or failed item untouched this long lost its message: the sweep dispatches it again. @default 300 */
  JOB_LOST_AFTER_SECONDS: positiveInt.max(86_400).default(300),
  /** QStash retries per message. @default 3 */
  JOB_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  /** Deliveries QStash keeps in flight towards all workers (flow control). @default 16 */
  WORKER_PARALLELISM: positiveInt.max(1000).default(16),
  /** Cron of the QStash schedule that runs the sweeper; empty = do not create one. @default every minute */
  SWEEP_CRON: z.string().default('* * * * *'),
  /**
   * Semantic mapping of batch items and the taxonomy index (services/ai/config.ts): EMBED_URL,
   * EMBED_API_KEY, EMBED_MODEL, EMBED_DIMENSIONS, LLM_*, AI_*; the earlier EMBEDDINGS_URL /
   * _API_KEY / _MODEL are still accepted. Unset: lexical mapping, offline lexical index vectors.
   */
  ...AiConfigShape,
  /**
   * Deliver job callbacks to loopback, private and link-local addresses (self-hosted receivers on a
   * private network, tests); off, they are refused without being sent. @default false
   */
  CALLBACK_ALLOW_PRIVATE_NETWORKS: bool.default(false),
  /** @default 'info' */
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
})

export type WorkerConfig = z.output<typeof WorkerConfigSchema>

const EMPTY_MEANS_OFF = new Set(['SWEEP_CRON'])

/** Parses env, or throws an Error naming every missing or bad variable (never their values). */
export function parseWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  // An empty variable counts as unset (its default applies), except where empty has a meaning of
  // its own: `SWEEP_CRON=` turns the schedule off, as documented.
  const present = Object.fromEntries(
    Object.entries(withAiAliases(env)).filter(([k, v]) => v !== undefined && (v !== '' || EMPTY_MEANS_OFF.has(k))),
  )
  const parsed = WorkerConfigSchema.safeParse(present)
  const extra = aiConfigIssues(present)
  if (parsed.success && extra.length === 0) return parsed.data
  const lines = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(env)'}: ${i.message}`)),
    ...extra.map((i) => `  - ${i.key}: ${i.message}`),
  ]
  throw new Error(`Invalid worker configuration:\n${lines.join('\n')}`)
}
