ALTER TABLE "equivalence_results" ALTER COLUMN "response" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "callback_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "callback_next_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "jobs_pending_callback_idx" ON "jobs" USING btree ("callback_next_at" NULLS FIRST,"completed_at") WHERE status = 'completed' AND callback_url IS NOT NULL AND callback_sent_at IS NULL;