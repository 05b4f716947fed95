CREATE TABLE "precedents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"origin_key" text NOT NULL,
	"origin_syllabus_hash" text NOT NULL,
	"target_key" text NOT NULL,
	"target_syllabus_hash" text NOT NULL,
	"origin_label" text DEFAULT '' NOT NULL,
	"target_label" text DEFAULT '' NOT NULL,
	"decisao" text NOT NULL,
	"motivo" text DEFAULT '' NOT NULL,
	"result_id" uuid NOT NULL,
	"review_id" uuid NOT NULL,
	"reviewer_key_id" uuid,
	"policy_version" text NOT NULL,
	"taxonomy_version" text,
	"model_version" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_until" date,
	"status" text DEFAULT 'active' NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "precedents_tenant_id_id_unique" UNIQUE("tenant_id","id"),
	CONSTRAINT "precedents_status_check" CHECK (status IN ('active', 'revoked', 'superseded')),
	CONSTRAINT "precedents_decisao_check" CHECK (decisao IN ('DEFERIDO', 'INDEFERIDO'))
);
--> statement-breakpoint
CREATE TABLE "review_assignments" (
	"tenant_id" uuid NOT NULL,
	"result_id" uuid NOT NULL,
	"reviewer_key_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_assignments_pk" PRIMARY KEY("tenant_id","result_id")
);
--> statement-breakpoint
ALTER TABLE "equivalence_results" ADD COLUMN "inputs" json;--> statement-breakpoint
ALTER TABLE "equivalence_results" ADD COLUMN "inputs_purged_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN "motivo" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "review_sla_days" integer DEFAULT 5 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "input_retention_days" integer;--> statement-breakpoint
ALTER TABLE "precedents" ADD CONSTRAINT "precedents_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "precedents" ADD CONSTRAINT "precedents_result_fk" FOREIGN KEY ("tenant_id","result_id") REFERENCES "public"."equivalence_results"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_assignments" ADD CONSTRAINT "review_assignments_result_fk" FOREIGN KEY ("tenant_id","result_id") REFERENCES "public"."equivalence_results"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_assignments" ADD CONSTRAINT "review_assignments_reviewer_fk" FOREIGN KEY ("tenant_id","reviewer_key_id") REFERENCES "public"."api_keys"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "precedents_lookup_idx" ON "precedents" USING btree ("tenant_id","origin_key","target_key","created_at" DESC NULLS LAST) WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "precedents_tenant_created_idx" ON "precedents" USING btree ("tenant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "review_assignments_reviewer_idx" ON "review_assignments" USING btree ("tenant_id","reviewer_key_id");--> statement-breakpoint
-- append_audited_results(batch json), redefined from migrations/0003 to also store each result's
-- `inputs` (the request as evaluated, whose canonical hash is `input_hash`); an entry without
-- `inputs` stores null, as before.
CREATE OR REPLACE FUNCTION append_audited_results(batch json)
RETURNS TABLE (created_id uuid)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  created uuid[];
BEGIN
  WITH inserted AS (
    INSERT INTO equivalence_results (
      id, tenant_id, request_id, input_hash, response, decisao, score, degraded, course_id,
      policy_version, taxonomy_version, model_version, simulation, inputs, created_at)
    SELECT r.id, r.tenant_id, r.request_id, r.input_hash, r.response, r.decisao, r.score,
           r.degraded, r.course_id, r.policy_version, r.taxonomy_version, r.model_version,
           r.simulation, r.inputs, r.created_at
      FROM json_to_recordset(batch) AS r(
             id uuid, tenant_id uuid, request_id text, input_hash text, response json,
             decisao text, score double precision, degraded boolean, course_id text,
             policy_version text, taxonomy_version text, model_version text, simulation boolean,
             inputs json, created_at timestamptz)
    ON CONFLICT (tenant_id, request_id) DO NOTHING
    RETURNING id)
  SELECT coalesce(array_agg(id), '{}') INTO created FROM inserted;

  PERFORM append_audit_events(coalesce(
    (SELECT jsonb_agg(r.audit ORDER BY r.arrival)
       FROM ROWS FROM (json_to_recordset(batch) AS (id uuid, audit jsonb))
            WITH ORDINALITY AS r(id, audit, arrival)
      WHERE r.id = ANY (created)),
    '[]'::jsonb));

  RETURN QUERY SELECT unnest(created);
END
$$;
