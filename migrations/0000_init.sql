CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"role" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"expires_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash"),
	CONSTRAINT "api_keys_tenant_id_id_unique" UNIQUE("tenant_id","id"),
	CONSTRAINT "api_keys_role_check" CHECK (role IN ('admin', 'auditor', 'api-client')),
	CONSTRAINT "api_keys_status_check" CHECK (status IN ('active', 'revoked'))
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"tenant_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"action" text NOT NULL,
	"actor_key_id" uuid,
	"target" text DEFAULT '' NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "audit_events_tenant_seq_pk" PRIMARY KEY("tenant_id","seq")
);
--> statement-breakpoint
CREATE TABLE "course_bindings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"course_id" text NOT NULL,
	"taxonomy_version_id" uuid,
	"policy_version_id" uuid NOT NULL,
	"active_from" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "course_bindings_tenant_course_from_unique" UNIQUE("tenant_id","course_id","active_from")
);
--> statement-breakpoint
CREATE TABLE "embedding_cache" (
	"text_hash" text NOT NULL,
	"model" text NOT NULL,
	"vector" real[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "embedding_cache_text_hash_model_pk" PRIMARY KEY("text_hash","model")
);
--> statement-breakpoint
CREATE TABLE "equivalence_results" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"request_id" text NOT NULL,
	"input_hash" text NOT NULL,
	"response" jsonb NOT NULL,
	"decisao" text NOT NULL,
	"score" double precision NOT NULL,
	"degraded" boolean DEFAULT false NOT NULL,
	"course_id" text,
	"policy_version" text NOT NULL,
	"taxonomy_version" text,
	"model_version" text NOT NULL,
	"simulation" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "equivalence_results_tenant_request_unique" UNIQUE("tenant_id","request_id"),
	CONSTRAINT "equivalence_results_tenant_id_id_unique" UNIQUE("tenant_id","id"),
	CONSTRAINT "equivalence_results_decisao_check" CHECK (decisao IN ('DEFERIDO', 'INDEFERIDO', 'ANALISE_HUMANA'))
);
--> statement-breakpoint
CREATE TABLE "job_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"idx" integer NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"result_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "job_items_job_idx_unique" UNIQUE("job_id","idx"),
	CONSTRAINT "job_items_status_check" CHECK (status IN ('queued', 'running', 'done', 'failed', 'dead'))
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"total" integer NOT NULL,
	"done" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"callback_url" text,
	"callback_sent_at" timestamp with time zone,
	"created_by_key_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "jobs_tenant_id_id_unique" UNIQUE("tenant_id","id"),
	CONSTRAINT "jobs_status_check" CHECK (status IN ('queued', 'running', 'completed')),
	CONSTRAINT "jobs_counters_check" CHECK (done >= 0 AND failed >= 0 AND done + failed <= total)
);
--> statement-breakpoint
CREATE TABLE "policy_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"version" text NOT NULL,
	"config" jsonb NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "policy_versions_tenant_version_unique" UNIQUE("tenant_id","version"),
	CONSTRAINT "policy_versions_tenant_id_id_unique" UNIQUE("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"result_id" uuid NOT NULL,
	"reviewer_key_id" uuid,
	"label" text NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reviews_label_check" CHECK (label IN ('DEFERIDO', 'INDEFERIDO'))
);
--> statement-breakpoint
CREATE TABLE "taxonomy_nodes" (
	"taxonomy_version_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"node_id" text NOT NULL,
	"area" text DEFAULT '' NOT NULL,
	"subarea" text DEFAULT '' NOT NULL,
	"conceito" text NOT NULL,
	"descricao" text DEFAULT '' NOT NULL,
	"palavras_chave" text[] DEFAULT '{}'::text[] NOT NULL,
	"nivel" jsonb,
	"critico" boolean DEFAULT false NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "taxonomy_nodes_taxonomy_version_id_node_id_pk" PRIMARY KEY("taxonomy_version_id","node_id")
);
--> statement-breakpoint
CREATE TABLE "taxonomy_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"version" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	"deprecated_at" timestamp with time zone,
	CONSTRAINT "taxonomy_versions_tenant_version_unique" UNIQUE("tenant_id","version"),
	CONSTRAINT "taxonomy_versions_tenant_id_id_unique" UNIQUE("tenant_id","id"),
	CONSTRAINT "taxonomy_versions_status_check" CHECK (status IN ('draft', 'active', 'deprecated'))
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"rate_limits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_slug_unique" UNIQUE("slug"),
	CONSTRAINT "tenants_status_check" CHECK (status IN ('active', 'disabled'))
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "course_bindings" ADD CONSTRAINT "course_bindings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "course_bindings" ADD CONSTRAINT "course_bindings_taxonomy_fk" FOREIGN KEY ("tenant_id","taxonomy_version_id") REFERENCES "public"."taxonomy_versions"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "course_bindings" ADD CONSTRAINT "course_bindings_policy_fk" FOREIGN KEY ("tenant_id","policy_version_id") REFERENCES "public"."policy_versions"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equivalence_results" ADD CONSTRAINT "equivalence_results_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_items" ADD CONSTRAINT "job_items_job_fk" FOREIGN KEY ("tenant_id","job_id") REFERENCES "public"."jobs"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_items" ADD CONSTRAINT "job_items_result_fk" FOREIGN KEY ("tenant_id","result_id") REFERENCES "public"."equivalence_results"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_versions" ADD CONSTRAINT "policy_versions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_result_fk" FOREIGN KEY ("tenant_id","result_id") REFERENCES "public"."equivalence_results"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_reviewer_fk" FOREIGN KEY ("tenant_id","reviewer_key_id") REFERENCES "public"."api_keys"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "taxonomy_nodes" ADD CONSTRAINT "taxonomy_nodes_version_fk" FOREIGN KEY ("tenant_id","taxonomy_version_id") REFERENCES "public"."taxonomy_versions"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "taxonomy_versions" ADD CONSTRAINT "taxonomy_versions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_tenant_created_idx" ON "api_keys" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "equivalence_results_tenant_created_idx" ON "equivalence_results" USING btree ("tenant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "equivalence_results_tenant_decisao_idx" ON "equivalence_results" USING btree ("tenant_id","decisao","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "equivalence_results_tenant_course_idx" ON "equivalence_results" USING btree ("tenant_id","course_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "job_items_job_status_idx" ON "job_items" USING btree ("job_id","status","idx");--> statement-breakpoint
CREATE INDEX "job_items_expired_lease_idx" ON "job_items" USING btree ("lease_until") WHERE status = 'running';--> statement-breakpoint
CREATE INDEX "jobs_tenant_created_idx" ON "jobs" USING btree ("tenant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "policy_versions_one_default_idx" ON "policy_versions" USING btree ("tenant_id") WHERE is_default;--> statement-breakpoint
CREATE INDEX "reviews_tenant_result_idx" ON "reviews" USING btree ("tenant_id","result_id","created_at");