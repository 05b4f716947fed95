import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'

/**
 * The whole relational model (DESIGN §5). Conventions:
 * - every tenant-owned table carries `tenant_id`, and a child row references its parent through the
 *   composite key `(tenant_id, id)`, so the database itself refuses a row that points at another
 *   tenant's parent;
 * - enums are `text` + CHECK constraints (easy to extend in a migration, readable in psql);
 * - timestamps are `timestamptz`, set by the database unless the caller has a reason to set them.
 */

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()
const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()
const tenantId = () => uuid('tenant_id').notNull()

/** Builds `CHECK (column IN ('a', 'b'))` from a readonly list, so the list is declared once. */
const oneOf = (column: string, values: readonly string[]) =>
  sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(', ')})`)

export const TENANT_STATUSES = ['active', 'disabled'] as const
export const API_KEY_ROLES = ['admin', 'auditor', 'api-client'] as const
export const API_KEY_STATUSES = ['active', 'revoked'] as const
export const TAXONOMY_STATUSES = ['draft', 'active', 'deprecated'] as const
export const DECISOES = ['DEFERIDO', 'INDEFERIDO', 'ANALISE_HUMANA'] as const
/** A reviewer's final word on a result: the human decision, never "ask a human". */
export const REVIEW_LABELS = ['DEFERIDO', 'INDEFERIDO'] as const
/** A calibration is proposed when computed, activated once an admin turns its thresholds into a policy version. */
export const CALIBRATION_STATUSES = ['proposta', 'ativada'] as const
/** A calibration's computation, a job of its own: queued → running → done | failed (a failed attempt goes back to queued until the last). */
export const CALIBRATION_JOB_STATUSES = ['queued', 'running', 'done', 'failed'] as const
export const JOB_STATUSES = ['queued', 'running', 'completed'] as const
export const JOB_ITEM_STATUSES = ['queued', 'running', 'done', 'failed', 'dead'] as const

export type TenantStatus = (typeof TENANT_STATUSES)[number]
export type ApiKeyRole = (typeof API_KEY_ROLES)[number]
export type ApiKeyStatus = (typeof API_KEY_STATUSES)[number]
export type TaxonomyStatus = (typeof TAXONOMY_STATUSES)[number]
export type Decisao = (typeof DECISOES)[number]
export type ReviewLabel = (typeof REVIEW_LABELS)[number]
export type JobStatus = (typeof JOB_STATUSES)[number]
export type CalibrationStatus = (typeof CALIBRATION_STATUSES)[number]
export type CalibrationJobStatus = (typeof CALIBRATION_JOB_STATUSES)[number]
export type JobItemStatus = (typeof JOB_ITEM_STATUSES)[number]

/** Per-tenant overrides of the edge's rate limits; absent keys fall back to the service defaults. */
export type RateLimitOverrides = { requests?: number; window_seconds?: number; batch_items?: number }

export const tenants = pgTable(
  'tenants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull(),
    status: text('status').$type<TenantStatus>().notNull().default('active'),
    rateLimits: jsonb('rate_limits').$type<RateLimitOverrides>().notNull().default({}),
    /** Working days a case may wait in the review queue before the console flags it. */
    reviewSlaDays: integer('review_sla_days').notNull().default(5),
    /** Days the inputs (syllabus texts) of a result are kept; null = keep them. Decisions, hashes and audit stay. */
    inputRetentionDays: integer('input_retention_days'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  () => [check('tenants_status_check', oneOf('status', TENANT_STATUSES))],
)

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId().references(() => tenants.id, { onDelete: 'cascade' }),
    /** Hex HMAC-SHA256 of the key under API_KEY_SALT; the key itself is never stored. */
    keyHash: text('key_hash').notNull().unique(),
    /** First characters of the key, shown in listings so people can tell their keys apart. */
    prefix: text('prefix').notNull(),
    name: text('name').notNull().default(''),
    role: text('role').$type<ApiKeyRole>().notNull(),
    status: text('status').$type<ApiKeyStatus>().notNull().default('active'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    check('api_keys_role_check', oneOf('role', API_KEY_ROLES)),
    check('api_keys_status_check', oneOf('status', API_KEY_STATUSES)),
    unique('api_keys_tenant_id_id_unique').on(t.tenantId, t.id),
    index('api_keys_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
  ],
)

export const taxonomyVersions = pgTable(
  'taxonomy_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId().references(() => tenants.id, { onDelete: 'cascade' }),
    version: text('version').notNull(),
    status: text('status').$type<TaxonomyStatus>().notNull().default('draft'),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    deprecatedAt: timestamp('deprecated_at', { withTimezone: true }),
  },
  (t) => [
    check('taxonomy_versions_status_check', oneOf('status', TAXONOMY_STATUSES)),
    unique('taxonomy_versions_tenant_version_unique').on(t.tenantId, t.version),
    unique('taxonomy_versions_tenant_id_id_unique').on(t.tenantId, t.id),
  ],
)

/** Node ids are unique within one taxonomy version only: the same id may mean another concept in v2. */
export const taxonomyNodes = pgTable(
  'taxonomy_nodes',
  {
    taxonomyVersionId: uuid('taxonomy_version_id').notNull(),
    tenantId: tenantId(),
    nodeId: text('node_id').notNull(),
    area: text('area').notNull().default(''),
    subarea: text('subarea').notNull().default(''),
    conceito: text('conceito').notNull(),
    descricao: text('descricao').notNull().default(''),
    palavrasChave: text('palavras_chave')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** A level name (`graduacao`) or an ordinal, as the engine's TaxonomyNodeSchema allows. */
    nivel: jsonb('nivel').$type<string | number | null>(),
    critico: boolean('critico').notNull().default(false),
    /** Keeps the order the nodes were given in. */
    position: integer('position').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.taxonomyVersionId, t.nodeId] }),
    foreignKey({
      name: 'taxonomy_nodes_version_fk',
      columns: [t.tenantId, t.taxonomyVersionId],
      foreignColumns: [taxonomyVersions.tenantId, taxonomyVersions.id],
    }).onDelete('cascade'),
  ],
)

export const policyVersions = pgTable(
  'policy_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId().references(() => tenants.id, { onDelete: 'cascade' }),
    version: text('version').notNull(),
    /** The engine's Policy, parsed by PolicySchema before every write (defaults filled in). */
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [
    unique('policy_versions_tenant_version_unique').on(t.tenantId, t.version),
    unique('policy_versions_tenant_id_id_unique').on(t.tenantId, t.id),
    // At most one default policy per tenant.
    uniqueIndex('policy_versions_one_default_idx')
      .on(t.tenantId)
      .where(sql`is_default`),
  ],
)

/** Which taxonomy and policy a course is judged under, from `active_from` on. */
export const courseBindings = pgTable(
  'course_bindings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId().references(() => tenants.id, { onDelete: 'cascade' }),
    courseId: text('course_id').notNull(),
    /** Null: no taxonomy, concepts come from the target syllabus itself (DESIGN §4). */
    taxonomyVersionId: uuid('taxonomy_version_id'),
    policyVersionId: uuid('policy_version_id').notNull(),
    activeFrom: date('active_from', { mode: 'string' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    unique('course_bindings_tenant_course_from_unique').on(t.tenantId, t.courseId, t.activeFrom),
    foreignKey({
      name: 'course_bindings_taxonomy_fk',
      columns: [t.tenantId, t.taxonomyVersionId],
      foreignColumns: [taxonomyVersions.tenantId, taxonomyVersions.id],
    }),
    foreignKey({
      name: 'course_bindings_policy_fk',
      columns: [t.tenantId, t.policyVersionId],
      foreignColumns: [policyVersions.tenantId, policyVersions.id],
    }),
  ],
)

export const equivalenceResults = pgTable(
  'equivalence_results',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId().references(() => tenants.id, { onDelete: 'cascade' }),
    /** The client's request_id / Idempotency-Key, or one the edge generated. */
    requestId: text('request_id').notNull(),
    /** Hash of the canonical request, so a reused request_id with another body can be told apart. */
    inputHash: text('input_hash').notNull(),
    /**
     * The full EvaluateResponse as it was sent. `json`, not `jsonb`: the text is kept as written,
     * so a replay or a later read returns the very bytes of the first answer (jsonb reorders keys).
     */
    response: json('response').$type<Record<string, unknown>>().notNull(),
    decisao: text('decisao').$type<Decisao>().notNull(),
    score: doublePrecision('score').notNull(),
    degraded: boolean('degraded').notNull().default(false),
    courseId: text('course_id'),
    policyVersion: text('policy_version').notNull(),
    taxonomyVersion: text('taxonomy_version'),
    modelVersion: text('model_version').notNull(),
    /** An admin's what-if run under an inline policy: stored for the record, never a real decision. */
    simulation: boolean('simulation').notNull().default(false),
    /**
     * The request as evaluated, without its request_id: the JSON whose canonical form (RFC 8785)
     * hashes to `input_hash`, which the result's audit event carries, so the chain vouches for it.
     * Null once the tenant's retention purged it (`inputs_purged_at`), or for rows older than it.
     */
    inputs: json('inputs').$type<Record<string, unknown>>(),
    inputsPurgedAt: timestamp('inputs_purged_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    check('equivalence_results_decisao_check', oneOf('decisao', DECISOES)),
    unique('equivalence_results_tenant_request_unique').on(t.tenantId, t.requestId),
    unique('equivalence_results_tenant_id_id_unique').on(t.tenantId, t.id),
    index('equivalence_results_tenant_created_idx').on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    index('equivalence_results_tenant_decisao_idx').on(t.tenantId, t.decisao, t.createdAt.desc()),
    index('equivalence_results_tenant_course_idx').on(t.tenantId, t.courseId, t.createdAt.desc()),
    // A batch item's result by the request_id its client gave it (stored as `batch:<job>:<index>`):
    // /v1 evaluate answers it as cached (services/evaluation.ts). Only batch rows are indexed.
    index('equivalence_results_batch_client_request_idx')
      .on(t.tenantId, sql`(${t.response}->'meta'->>'client_request_id')`)
      .where(sql`request_id LIKE 'batch:%'`),
  ],
)

export const reviews = pgTable(
  'reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    resultId: uuid('result_id').notNull(),
    reviewerKeyId: uuid('reviewer_key_id'),
    label: text('label').$type<ReviewLabel>().notNull(),
    notes: text('notes').notNull().default(''),
    createdAt: createdAt(),
    /** The reason chosen in the decision form (a short code or phrase); notes carry the free text. */
    motivo: text('motivo').notNull().default(''),
  },
  (t) => [
    check('reviews_label_check', oneOf('label', REVIEW_LABELS)),
    foreignKey({
      name: 'reviews_result_fk',
      columns: [t.tenantId, t.resultId],
      foreignColumns: [equivalenceResults.tenantId, equivalenceResults.id],
    }).onDelete('cascade'),
    // A revoked key stays in the table, so the reviewer stays known.
    foreignKey({
      name: 'reviews_reviewer_fk',
      columns: [t.tenantId, t.reviewerKeyId],
      foreignColumns: [apiKeys.tenantId, apiKeys.id],
    }),
    index('reviews_tenant_result_idx').on(t.tenantId, t.resultId, t.createdAt),
  ],
)

/** Who took a queued case ("assign to me"); one reviewer per result, replaced on re-assignment. */
export const reviewAssignments = pgTable(
  'review_assignments',
  {
    tenantId: tenantId(),
    resultId: uuid('result_id').notNull(),
    reviewerKeyId: uuid('reviewer_key_id').notNull(),
    assignedAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'review_assignments_pk', columns: [t.tenantId, t.resultId] }),
    foreignKey({
      name: 'review_assignments_result_fk',
      columns: [t.tenantId, t.resultId],
      foreignColumns: [equivalenceResults.tenantId, equivalenceResults.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'review_assignments_reviewer_fk',
      columns: [t.tenantId, t.reviewerKeyId],
      foreignColumns: [apiKeys.tenantId, apiKeys.id],
    }),
    index('review_assignments_reviewer_idx').on(t.tenantId, t.reviewerKeyId),
  ],
)

export const PRECEDENT_STATUSES = ['active', 'revoked', 'superseded'] as const
export type PrecedentStatus = (typeof PRECEDENT_STATUSES)[number]

/**
 * A reviewed pair as a rule: later evaluations of the same origin course(s) against the same
 * target reuse the reviewer's decision while the rule is valid. `origin_key` / `target_key` are the
 * normalised identities (institution + code + name); the syllabus hashes tell a changed syllabus
 * apart from the one that was reviewed (services/precedents.ts computes both).
 */
export const precedents = pgTable(
  'precedents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId().references(() => tenants.id, { onDelete: 'cascade' }),
    originKey: text('origin_key').notNull(),
    originSyllabusHash: text('origin_syllabus_hash').notNull(),
    targetKey: text('target_key').notNull(),
    targetSyllabusHash: text('target_syllabus_hash').notNull(),
    /** Display names, so the admin list reads without opening results. */
    originLabel: text('origin_label').notNull().default(''),
    targetLabel: text('target_label').notNull().default(''),
    decisao: text('decisao').$type<ReviewLabel>().notNull(),
    motivo: text('motivo').notNull().default(''),
    resultId: uuid('result_id').notNull(),
    reviewId: uuid('review_id').notNull(),
    reviewerKeyId: uuid('reviewer_key_id'),
    /** Versions the reviewed result was evaluated under. */
    policyVersion: text('policy_version').notNull(),
    taxonomyVersion: text('taxonomy_version'),
    modelVersion: text('model_version').notNull(),
    /** Inclusive bounds on the evaluation's reference date; null until = open. */
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validUntil: date('valid_until', { mode: 'string' }),
    status: text('status').$type<PrecedentStatus>().notNull().default('active'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    check('precedents_status_check', oneOf('status', PRECEDENT_STATUSES)),
    check('precedents_decisao_check', oneOf('decisao', REVIEW_LABELS)),
    unique('precedents_tenant_id_id_unique').on(t.tenantId, t.id),
    foreignKey({
      name: 'precedents_result_fk',
      columns: [t.tenantId, t.resultId],
      foreignColumns: [equivalenceResults.tenantId, equivalenceResults.id],
    }).onDelete('cascade'),
    // The evaluate look-up: one index probe on the pair, active rules only.
    index('precedents_lookup_idx')
      .on(t.tenantId, t.originKey, t.targetKey, t.createdAt.desc())
      .where(sql`status = 'active'`),
    index('precedents_tenant_created_idx').on(t.tenantId, t.createdAt.desc(), t.id.desc()),
  ],
)

export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId().references(() => tenants.id, { onDelete: 'cascade' }),
    status: text('status').$type<JobStatus>().notNull().default('queued'),
    total: integer('total').notNull(),
    /** Items done; `failed` counts items that went dead. Both move in the item's own transaction. */
    done: integer('done').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    callbackUrl: text('callback_url'),
    callbackSentAt: timestamp('callback_sent_at', { withTimezone: true }),
    /** Delivery runs that ended without a 2xx; the sweeper waits until `callback_next_at` before the next. */
    callbackFailures: integer('callback_failures').notNull().default(0),
    callbackNextAt: timestamp('callback_next_at', { withTimezone: true }),
    createdByKeyId: uuid('created_by_key_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    check('jobs_status_check', oneOf('status', JOB_STATUSES)),
    check('jobs_counters_check', sql`done >= 0 AND failed >= 0 AND done + failed <= total`),
    unique('jobs_tenant_id_id_unique').on(t.tenantId, t.id),
    index('jobs_tenant_created_idx').on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    // What the sweeper retries: completed jobs whose callback is still owed, soonest due first.
    index('jobs_pending_callback_idx')
      .on(t.callbackNextAt.asc().nullsFirst(), t.completedAt)
      .where(sql`status = 'completed' AND callback_url IS NOT NULL AND callback_sent_at IS NULL`),
  ],
)

export const jobItems = pgTable(
  'job_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    jobId: uuid('job_id').notNull(),
    tenantId: tenantId(),
    idx: integer('idx').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<JobItemStatus>().notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    lastError: text('last_error'),
    resultId: uuid('result_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('job_items_status_check', oneOf('status', JOB_ITEM_STATUSES)),
    unique('job_items_job_idx_unique').on(t.jobId, t.idx),
    foreignKey({
      name: 'job_items_job_fk',
      columns: [t.tenantId, t.jobId],
      foreignColumns: [jobs.tenantId, jobs.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'job_items_result_fk',
      columns: [t.tenantId, t.resultId],
      foreignColumns: [equivalenceResults.tenantId, equivalenceResults.id],
    }),
    index('job_items_job_status_idx').on(t.jobId, t.status, t.idx),
    // The sweeper's query: running items whose lease ran out.
    index('job_items_expired_lease_idx')
      .on(t.leaseUntil)
      .where(sql`status = 'running'`),
    // Its other branch: queued/failed items untouched for a while (their message was lost).
    index('job_items_stale_unsettled_idx')
      .on(t.updatedAt)
      .where(sql`status IN ('queued', 'failed')`),
  ],
)

/**
 * Embeddings are a pure function of (text, model), so the cache is shared by all tenants and keyed
 * by the text's hash: no tenant's text is stored here, and there is no way to list entries.
 */
export const embeddingCache = pgTable(
  'embedding_cache',
  {
    textHash: text('text_hash').notNull(),
    model: text('model').notNull(),
    vector: real('vector').array().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.textHash, t.model] })],
)

/**
 * Append-only, hash-chained per tenant: each row's hash covers the previous row's hash, its own
 * sequence number and the canonical JSON of its content. db/repositories/audit.ts defines the exact
 * input and holds the verifier.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    tenantId: tenantId().references(() => tenants.id, { onDelete: 'cascade' }),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    action: text('action').notNull(),
    actorKeyId: uuid('actor_key_id'),
    target: text('target').notNull().default(''),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    /**
     * For a result's event: the hash of the stored result row (request id, input hash, decision and
     * the response as stored), computed by `append_audit_events` from the row itself and covered by
     * the event's own hash, so an edited, deleted or swapped result no longer matches its event.
     */
    subjectHash: text('subject_hash'),
    /** Set by the writer (millisecond precision) because it is part of the hashed content. */
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'audit_events_tenant_seq_pk', columns: [t.tenantId, t.seq] }),
    // A result's event by the result's id: the replay check and the verifier's row-by-row pass.
    index('audit_events_result_target_idx')
      .on(t.tenantId, t.target)
      .where(sql`action IN ('result.created', 'result.simulated')`),
  ],
)

export type ThresholdPair = { score_deferido: number; score_revisao: number }
export type CalibrationThresholds = ThresholdPair & { por_idioma?: Partial<Record<'pt' | 'en', ThresholdPair>> }

/**
 * A per-tenant calibration of the scoring model from reviewed results (issue 13): the thresholds
 * it proposes and the report that justifies them (current vs proposed on the same reviewed cases).
 * Activation creates a new policy version (and, for a course, a binding); the row records which.
 */
export const calibrations = pgTable(
  'calibrations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId().references(() => tenants.id, { onDelete: 'cascade' }),
    /** Null: tenant-wide (the default policy). */
    courseId: text('course_id'),
    status: text('status').$type<CalibrationStatus>().notNull().default('proposta'),
    /** The policy version whose model and rules were calibrated. */
    basePolicyVersion: text('base_policy_version').notNull(),
    /** The admin’s constraints and minimum number of reviews. */
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    /**
     * Proposed thresholds of the policy’s `modelo`: { score_deferido, score_revisao } and, when the
     * calibration chose them per language, `por_idioma`. Null until the job is done.
     */
    thresholds: jsonb('thresholds').$type<CalibrationThresholds>(),
    /** The report as computed (confusion tables, precision with intervals, changed cases); null until done. */
    report: json('report').$type<Record<string, unknown>>(),
    activatedPolicyVersion: text('activated_policy_version'),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    createdAt: createdAt(),
    /** The computation (a job: worker or in process). Rows from before it was one are `done`. */
    jobStatus: text('job_status').$type<CalibrationJobStatus>().notNull().default('done'),
    /** Claims so far; also the fencing token: only the latest claim's holder may store the report. */
    attempts: integer('attempts').notNull().default(0),
    /** A running claim expires here (its holder died): the sweeper hands the calibration out again. */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    /** The last attempt's error (redacted), kept when it failed for good. */
    lastError: text('last_error'),
    /** The admin key that asked for it. */
    requestedBy: uuid('requested_by'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('calibrations_status_check', oneOf('status', CALIBRATION_STATUSES)),
    check('calibrations_job_status_check', oneOf('job_status', CALIBRATION_JOB_STATUSES)),
    index('calibrations_unsettled_idx')
      .on(t.updatedAt)
      .where(sql`job_status IN ('queued', 'running')`),
    unique('calibrations_tenant_id_id_unique').on(t.tenantId, t.id),
    index('calibrations_tenant_created_idx').on(t.tenantId, t.createdAt.desc()),
  ],
)
