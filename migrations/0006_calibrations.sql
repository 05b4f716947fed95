CREATE TABLE "calibrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"course_id" text,
	"status" text DEFAULT 'proposta' NOT NULL,
	"base_policy_version" text NOT NULL,
	"params" jsonb NOT NULL,
	"thresholds" jsonb NOT NULL,
	"report" json NOT NULL,
	"activated_policy_version" text,
	"activated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calibrations_tenant_id_id_unique" UNIQUE("tenant_id","id"),
	CONSTRAINT "calibrations_status_check" CHECK (status IN ('proposta', 'ativada'))
);
--> statement-breakpoint
ALTER TABLE "calibrations" ADD CONSTRAINT "calibrations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "calibrations_tenant_created_idx" ON "calibrations" USING btree ("tenant_id","created_at" DESC NULLS LAST);