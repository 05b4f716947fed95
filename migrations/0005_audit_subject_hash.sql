ALTER TABLE "audit_events" ADD COLUMN "subject_hash" text;--> statement-breakpoint
CREATE INDEX "audit_events_result_target_idx" ON "audit_events" USING btree ("tenant_id","target") WHERE action IN ('result.created', 'result.simulated');--> statement-breakpoint
-- Results bound to their audit events (db/repositories/audit.ts has the definitions in TypeScript;
-- change both or neither).
--
-- audit_result_hash: the hash of a stored result row, over what an appeal reads back:
--   hex(SHA-256(request_id || '\n' || input_hash || '\n' || decisao || '\n' || response::text))
-- (`response` is json, stored as the text that was sent). `inputs` is left out: it may be purged.
CREATE OR REPLACE FUNCTION audit_result_hash(request_id text, input_hash text, decisao text, response json)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
  SELECT encode(sha256(convert_to(
    request_id || E'\n' || input_hash || E'\n' || decisao || E'\n' || response::text, 'UTF8')), 'hex')
$$;
--> statement-breakpoint
-- append_audit_events(events jsonb), redefined from migrations/0003: an event of a result
-- (`result.created` / `result.simulated` whose target is the result's id) gets `subject_hash` =
-- audit_result_hash of the row as stored — read here, in the writer's transaction, after the row's
-- insert — and the chain hash covers it:
--   hash = hex(SHA-256(prev_hash || '\n' || seq || '\n' || content [|| '\n' || subject_hash]))
-- Any other event (and a result event whose row does not exist) has no subject and hashes as before.
CREATE OR REPLACE FUNCTION append_audit_events(events jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  ev record;
  chain_tenant uuid;
  chain_seq bigint;
  chain_hash text;
  next_hash text;
  subject text;
BEGIN
  PERFORM pg_advisory_xact_lock(1096107092, hashtext(t.tenant_id::text))
     FROM (SELECT DISTINCT e.tenant_id
             FROM jsonb_to_recordset(events) AS e(tenant_id uuid)
            ORDER BY e.tenant_id) AS t;

  FOR ev IN
    SELECT e.*
      FROM ROWS FROM (jsonb_to_recordset(events) AS (
             tenant_id uuid, action text, actor_key_id uuid, target text, payload jsonb,
             created_at timestamptz, content text))
           WITH ORDINALITY AS e(tenant_id, action, actor_key_id, target, payload, created_at, content, arrival)
     ORDER BY e.tenant_id, e.arrival
  LOOP
    IF chain_tenant IS DISTINCT FROM ev.tenant_id THEN
      chain_tenant := ev.tenant_id;
      SELECT a.seq, a.hash INTO chain_seq, chain_hash
        FROM audit_events AS a
       WHERE a.tenant_id = ev.tenant_id
       ORDER BY a.seq DESC
       LIMIT 1;
      IF NOT FOUND THEN
        chain_seq := 0;
        chain_hash := repeat('0', 64);
      END IF;
    END IF;
    subject := NULL;
    IF ev.action IN ('result.created', 'result.simulated')
       AND ev.target ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN
      SELECT audit_result_hash(r.request_id, r.input_hash, r.decisao, r.response) INTO subject
        FROM equivalence_results AS r
       WHERE r.tenant_id = ev.tenant_id AND r.id = ev.target::uuid;
    END IF;
    chain_seq := chain_seq + 1;
    next_hash := encode(sha256(convert_to(
      chain_hash || E'\n' || chain_seq::text || E'\n' || ev.content || coalesce(E'\n' || subject, ''),
      'UTF8')), 'hex');
    INSERT INTO audit_events (tenant_id, seq, action, actor_key_id, target, payload, prev_hash, hash, subject_hash, created_at)
    VALUES (ev.tenant_id, chain_seq, ev.action, ev.actor_key_id, coalesce(ev.target, ''), coalesce(ev.payload, '{}'),
            chain_hash, next_hash, subject, ev.created_at);
    chain_hash := next_hash;
  END LOOP;
END
$$;
