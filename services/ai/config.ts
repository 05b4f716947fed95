import { z } from 'zod'

/**
 * The semantic tier's settings: one set of names for the API, the worker and `npm run eval`.
 * `EMBED_URL` / `LLM_URL` are API base URLs as the OpenAI SDKs take them
 * (`https://api.openai.com/v1`); `*_PROVIDER=workers-ai` uses the Workers AI binding (`AI`)
 * instead, on Workers. Without an embeddings provider the service stays lexical.
 */
const positiveInt = z.coerce.number().int().positive()

export const AiConfigShape = {
  /** @default 'openai' (any OpenAI-compatible HTTP API) */
  EMBED_PROVIDER: z.enum(['openai', 'workers-ai']).default('openai'),
  EMBED_URL: z.url().optional(),
  EMBED_API_KEY: z.string().min(1).optional(),
  /** @default 'text-embedding-3-small' (Workers AI: e.g. '@cf/baai/bge-m3') */
  EMBED_MODEL: z.string().min(1).default('text-embedding-3-small'),
  /** Shorter vectors, for models that can give them; part of the model's identity in caches and model_version. */
  EMBED_DIMENSIONS: positiveInt.max(8192).optional(),
  /** @default 'openai' */
  LLM_PROVIDER: z.enum(['openai', 'workers-ai']).default('openai'),
  LLM_URL: z.url().optional(),
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_MODEL: z.string().min(1).optional(),
  /** Per attempt, embeddings and chat alike. @default 5000 */
  AI_TIMEOUT_MS: positiveInt.max(120_000).default(5_000),
  /** Attempts after the first, for timeouts, 429 and 5xx. @default 2 */
  AI_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  /** Consecutive failures that open a provider's circuit. @default 5 */
  AI_BREAKER_FAILURES: positiveInt.max(1000).default(5),
  /** How long an open circuit fails calls at once before one trial. @default 30000 */
  AI_BREAKER_OPEN_MS: positiveInt.max(3_600_000).default(30_000),
  /** Provider tokens one tenant may spend per UTC day (embeddings + LLM); past it the mapping degrades per policy. @default 2000000 */
  AI_DAILY_TOKEN_BUDGET: z.coerce.number().int().min(0).default(2_000_000),
  /** How long a vector stays in Redis (Postgres keeps it). @default 604800 */
  AI_CACHE_TTL_SECONDS: positiveInt.max(365 * 86_400).default(7 * 86_400),
}

/** The worker's earlier names, still accepted. */
export const AI_ENV_ALIASES: Record<string, string> = {
  EMBEDDINGS_URL: 'EMBED_URL',
  EMBEDDINGS_API_KEY: 'EMBED_API_KEY',
  EMBEDDINGS_MODEL: 'EMBED_MODEL',
  EMBEDDINGS_DIMENSIONS: 'EMBED_DIMENSIONS',
}

const AiConfigSchema = z.object(AiConfigShape)
export type AiConfig = z.output<typeof AiConfigSchema>

/** Copies an alias to its name when the name itself is not set (the name wins). */
export function withAiAliases<T extends Record<string, unknown>>(env: T): T {
  const out: Record<string, unknown> = { ...env }
  for (const [alias, name] of Object.entries(AI_ENV_ALIASES)) {
    if ((out[name] === undefined || out[name] === '') && out[alias] !== undefined && out[alias] !== '') out[name] = out[alias]
  }
  return out as T
}

/** Rules across keys, reported with the parser's own issues. */
export function aiConfigIssues(input: Record<string, unknown>): Array<{ key: string; message: string }> {
  const issues: Array<{ key: string; message: string }> = []
  const set = (k: string) => input[k] !== undefined && input[k] !== ''
  if ((set('LLM_URL') || (input.LLM_PROVIDER === 'workers-ai')) && !set('LLM_MODEL')) {
    issues.push({ key: 'LLM_MODEL', message: 'required when an LLM provider is configured' })
  }
  if (set('LLM_URL') && !set('EMBED_URL') && input.EMBED_PROVIDER !== 'workers-ai') {
    issues.push({ key: 'EMBED_URL', message: 'the LLM refines the embeddings\u2019 candidates: configure an embeddings provider too' })
  }
  return issues
}

/** Parses the AI keys of an env (aliases applied), or throws naming every bad key (never its value). */
export function parseAiConfig(env: Record<string, unknown>): AiConfig {
  const input = Object.fromEntries(
    Object.entries(withAiAliases(env)).filter(([k, v]) => k in AiConfigShape && v !== undefined && v !== ''),
  )
  const parsed = AiConfigSchema.safeParse(input)
  const issues = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => ({ key: i.path.join('.') || '(env)', message: i.message }))),
    ...aiConfigIssues(input),
  ]
  if (!parsed.success || issues.length) {
    throw new Error(`Invalid AI configuration:\n${issues.map((i) => `  - ${i.key}: ${i.message}`).join('\n')}`)
  }
  return parsed.data
}

/** Whether this config turns the semantic tier on (it may still need the Workers AI binding). */
export const hasEmbeddings = (c: AiConfig) => c.EMBED_URL !== undefined || c.EMBED_PROVIDER === 'workers-ai'
