import { z } from 'zod'
import { AiConfigShape, aiConfigIssues, withAiAliases } from '../services/ai/config'

/**
 * Runtime configuration, parsed once from env (Node/Deno) or bindings (Workers).
 * Every entry calls `parseConfig` at its boundary and never reads env anywhere else.
 */

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes')

const positiveInt = z.coerce.number().int().positive()

/** Requests per window for one tenant + role in one route group. */
const limit = positiveInt.max(1_000_000)

const ConfigSchema = z
  .object({
    /** `pglite` = embedded default (file in PGLITE_DIR); `pg` = node-postgres; `neon` = @neondatabase/serverless. */
    DATABASE_DRIVER: z.enum(['pglite', 'pg', 'neon']).optional(),
    DATABASE_URL: z.string().url().optional(),
    /** @default '.data/pglite' */
    PGLITE_DIR: z.string().min(1).default('.data/pglite'),
    /** HMAC-SHA256 key for API key hashes. Required unless the embedded default generates one. */
    API_KEY_SALT: z.string().min(16, 'must be at least 16 characters').optional(),

    UPSTASH_REDIS_REST_URL: z.string().url().optional(),
    UPSTASH_REDIS_REST_TOKEN: z.string().min(1).optional(),

    /** @default true */
    RATE_LIMIT_ENABLED: bool.default(true),
    /** Window shared by every group, in seconds. @default 60 */
    RATE_LIMIT_WINDOW_SECONDS: positiveInt.max(3600).default(60),
    /** @default 600 per window */
    RATE_LIMIT_EVALUATE: limit.default(600),
    /** Batch submissions are costly: fewer per window. @default 30 */
    RATE_LIMIT_BATCH: limit.default(30),
    /** @default 300 */
    RATE_LIMIT_READ: limit.default(300),
    /** Admin routes are tight. @default 60 */
    RATE_LIMIT_ADMIN: limit.default(60),
    /** Above this the limiter lets the request pass (fail open) and logs a warning. @default 500 */
    RATE_LIMIT_TIMEOUT_MS: positiveInt.max(10_000).default(500),

    /** @default 8100 (the port of the service this replaces) */
    PORT: positiveInt.max(65535).default(8100),
    /** Interface the Node server binds. @default '0.0.0.0' */
    HOST: z.string().min(1).default('0.0.0.0'),
    /** @default 'info' */
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    /** Comma-separated origins allowed by CORS; empty disables CORS. @example 'https://sig.example.edu' */
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      ),
    /** Largest accepted request body. @default 1048576 (1 MiB) */
    BODY_LIMIT_BYTES: positiveInt.max(50 * 1024 * 1024).default(1024 * 1024),
    /** Largest accepted body of POST /v1/equivalences/batch (up to 10,000 items). @default 33554432 (32 MiB) */
    BATCH_BODY_LIMIT_BYTES: positiveInt.max(256 * 1024 * 1024).default(32 * 1024 * 1024),
    /** How long an API key record is trusted without a database lookup. @default 30000 */
    API_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),

    /** How long policy/taxonomy/binding lookups are reused on one instance; 0 disables. @default 5000 */
    VERSION_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
    /** Connections per database pool (pg and neon WebSocket). @default 10 */
    DATABASE_POOL_SIZE: positiveInt.max(500).default(10),

    /** Neon driver endpoints when the database is not Neon's cloud (local stand-ins, self-hosted proxies). */
    NEON_FETCH_ENDPOINT: z.string().url().optional(),
    /** Host:port/path of a WebSocket→TCP proxy for the Neon Pool. */
    NEON_WS_PROXY: z.string().min(1).optional(),
    /** `false` only for local stand-ins (plain ws:// and http://). @default true */
    NEON_SECURE: bool.default(true),

    /** Job dispatch (worker/): all optional; without them jobs run in process. */
    QSTASH_URL: z.string().url().optional(),
    QSTASH_TOKEN: z.string().min(1).optional(),
    QSTASH_CURRENT_SIGNING_KEY: z.string().min(1).optional(),
    QSTASH_NEXT_SIGNING_KEY: z.string().min(1).optional(),
    WORKER_URL: z.string().url().optional(),
    /**
     * Public base URL of this API (the Workers route, or https://API_DOMAIN behind the compose
     * ingress). With QStash, failure callbacks go to `${API_URL}/jobs/failure/{tenant}` here, so
     * items are marked dead even while every worker is down; unset, they go to the workers.
     */
    API_URL: z.string().url().optional(),
    /**
     * Accept job callback_url hosts on loopback, private and link-local networks (self-hosted
     * receivers on a private network, tests). Off, such callbacks are refused: 422 at submission,
     * no delivery by the worker. @default false
     */
    CALLBACK_ALLOW_PRIVATE_NETWORKS: bool.default(false),
    /**
     * Bearer token that `GET /metrics` requires (`Authorization: Bearer <token>`): the scrape lists
     * every tenant's id, so it is for the operator's Prometheus, never for a tenant's key. Unset,
     * /metrics stays open — the embedded default on a developer's machine; compose requires it.
     */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /**
     * Embedded jobs: a queued or failed item untouched this long lost its message (a delivery that
     * gave up while the database was away); the sweeper (every JOB_SWEEP_SECONDS) hands it out again. @default 300
     */
    JOB_LOST_AFTER_SECONDS: positiveInt.max(86_400).default(300),
    /**
     * Embedded jobs: how long a claimed item is held before the sweeper may hand it out again (its
     * holder died with the connection, or the process). As the worker's. @default 60
     */
    JOB_LEASE_SECONDS: positiveInt.max(3600).default(60),
    /** Embedded jobs: how often the in-process sweeper runs (the workers' is SWEEP_CRON). @default 30 */
    JOB_SWEEP_SECONDS: positiveInt.max(3600).default(30),

    /** Semantic mapping (services/ai/config.ts): EMBED_*, LLM_*, AI_*; without EMBED_URL the service stays lexical. */
    ...AiConfigShape,
  })

export type RawConfig = z.output<typeof ConfigSchema>
export type Config = RawConfig & {
  DATABASE_DRIVER: 'pglite' | 'pg' | 'neon'
  /** Which route groups a limit applies to, resolved from the env values. */
  rateLimits: RateLimits
}
export type RateLimitGroup = 'evaluate' | 'batch' | 'read' | 'admin'
export type RateLimits = { windowSeconds: number; perGroup: Record<RateLimitGroup, number> }

export class ConfigError extends Error {
  constructor(readonly issues: { key: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i.key}: ${i.message}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/** Empty strings count as unset, as in most .env tooling. */
function withoutBlanks(env: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
}

/**
 * Parse env/bindings into a typed config, or throw a `ConfigError` listing every bad key.
 * Values are never echoed back, so a secret in the wrong variable does not reach a log.
 */
export function parseConfig(env: Record<string, unknown>, defaults: { driver?: Config['DATABASE_DRIVER'] } = {}): Config {
  const known = Object.keys(ConfigSchema.shape)
  // The worker's EMBEDDINGS_* names are accepted for EMBED_*.
  const input = withoutBlanks(Object.fromEntries(Object.entries(withAiAliases(env)).filter(([k]) => known.includes(k))))
  const parsed = ConfigSchema.safeParse(input)
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => ({ key: i.path.join('.') || '(env)', message: i.message }))
  // Rules across keys, checked on the raw input so they are reported together with the rest.
  const has = (key: string) => input[key] !== undefined
  const driver =
    (parsed.success ? parsed.data.DATABASE_DRIVER : undefined) ??
    (has('DATABASE_URL') ? (defaults.driver === 'neon' ? 'neon' : 'pg') : (defaults.driver ?? 'pglite'))
  if (driver !== 'pglite' && !has('DATABASE_URL')) issues.push({ key: 'DATABASE_URL', message: `required with the ${driver} driver` })
  if (driver !== 'pglite' && !has('API_KEY_SALT')) issues.push({ key: 'API_KEY_SALT', message: 'required outside the embedded default' })
  if (has('UPSTASH_REDIS_REST_URL') !== has('UPSTASH_REDIS_REST_TOKEN')) {
    const missing = has('UPSTASH_REDIS_REST_URL') ? 'UPSTASH_REDIS_REST_TOKEN' : 'UPSTASH_REDIS_REST_URL'
    issues.push({ key: missing, message: 'UPSTASH_REDIS_REST_URL and _TOKEN go together' })
  }
  if (has('QSTASH_TOKEN') && !has('QSTASH_CURRENT_SIGNING_KEY')) {
    issues.push({ key: 'QSTASH_CURRENT_SIGNING_KEY', message: 'required when QSTASH_TOKEN is set' })
  }
  issues.push(...aiConfigIssues(input))
  if (!parsed.success || issues.length) throw new ConfigError(issues)
  const raw = parsed.data
  return {
    ...raw,
    DATABASE_DRIVER: driver,
    rateLimits: {
      windowSeconds: raw.RATE_LIMIT_WINDOW_SECONDS,
      perGroup: {
        evaluate: raw.RATE_LIMIT_EVALUATE,
        batch: raw.RATE_LIMIT_BATCH,
        read: raw.RATE_LIMIT_READ,
        admin: raw.RATE_LIMIT_ADMIN,
      },
    },
  }
}
