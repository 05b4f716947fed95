ALTER TABLE "calibrations" ALTER COLUMN "thresholds" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "calibrations" ALTER COLUMN "report" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "calibrations" ADD COLUMN "job_status" text DEFAULT 'done' NOT NULL;--> statement-breakpoint
ALTER TABLE "calibrations" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "calibrations" ADD COLUMN "lease_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "calibrations" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "calibrations" ADD COLUMN "requested_by" uuid;--> statement-breakpoint
ALTER TABLE "calibrations" ADD COLUMN "started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "calibrations" ADD COLUMN "finished_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "calibrations" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "calibrations_unsettled_idx" ON "calibrations" USING btree ("updated_at") WHERE job_status IN ('queued', 'running');--> statement-breakpoint
ALTER TABLE "calibrations" ADD CONSTRAINT "calibrations_job_status_check" CHECK (job_status IN ('queued', 'running', 'done', 'failed'));