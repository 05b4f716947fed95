-- The audit chain, appended server-side in one statement by every writer of many events at once.
--
-- append_audit_events(events jsonb): `events` is a JSON array of {tenant_id, action, actor_key_id,
-- target, payload, created_at, content} in arrival order; `content` is the event's canonical JSON,
-- computed by the caller (db/repositories/audit.ts `auditContentOf`: RFC 8785 lives there). Takes
-- the chain locks of the events' tenants in tenant order (two writers cannot deadlock), reads each
-- head after its lock (a VOLATILE function's statements each take a fresh snapshot, so the previous
-- holder's committed row is seen), and appends
--   hash = hex(SHA-256(prev_hash || '\n' || seq || '\n' || content))
-- exactly as audit.ts defines and verifies it. The lock key is (0x41554454 "AUDT", hashtext(tenant
-- id)): the first key keeps these locks apart from any other advisory lock. Every audit append
-- goes through here (audit.ts appendAuditEvents, jobs.completeMany, append_audited_results).
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
    chain_seq := chain_seq + 1;
    next_hash := encode(sha256(convert_to(chain_hash || E'\n' || chain_seq::text || E'\n' || ev.content, 'UTF8')), 'hex');
    INSERT INTO audit_events (tenant_id, seq, action, actor_key_id, target, payload, prev_hash, hash, created_at)
    VALUES (ev.tenant_id, chain_seq, ev.action, ev.actor_key_id, coalesce(ev.target, ''), coalesce(ev.payload, '{}'),
            chain_hash, next_hash, ev.created_at);
    chain_hash := next_hash;
  END LOOP;
END
$$;
--> statement-breakpoint
-- append_audited_results(batch json): the group commit of evaluations (db/result-batcher.ts) in
-- ONE statement instead of six round trips (BEGIN, results INSERT, locks, heads, audit INSERT,
-- COMMIT), each of them time a tenant's chain lock is held and its callers wait. Inserts the
-- results (a request id already stored inserts nothing), then appends one audit event per created
-- result. `batch` is a JSON array of the result columns (id and created_at chosen by the caller)
-- plus `audit`, the result's event as append_audit_events takes it; json, not jsonb, so each
-- response reaches its column as written. Returns the ids it created.
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
      policy_version, taxonomy_version, model_version, simulation, created_at)
    SELECT r.id, r.tenant_id, r.request_id, r.input_hash, r.response, r.decisao, r.score,
           r.degraded, r.course_id, r.policy_version, r.taxonomy_version, r.model_version,
           r.simulation, r.created_at
      FROM json_to_recordset(batch) AS r(
             id uuid, tenant_id uuid, request_id text, input_hash text, response json,
             decisao text, score double precision, degraded boolean, course_id text,
             policy_version text, taxonomy_version text, model_version text, simulation boolean,
             created_at timestamptz)
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
