-- Group commit of audited evaluation results in ONE statement (db/result-batcher.ts).
--
-- A batch used to cost six round trips (BEGIN, results INSERT, chain locks, chain heads, audit
-- INSERT, COMMIT), and every round trip is time a tenant's chain lock is held and a caller waits.
-- This function does the same work server-side, in the implicit transaction of the statement that
-- calls it: insert the results (a request id already stored inserts nothing), lock the chains of
-- the tenants whose results were created (in tenant order, so two batches cannot deadlock), read
-- each chain's head after its lock is held (plpgsql gives every statement of a VOLATILE function a
-- fresh snapshot, so the head is the previous holder's committed row), and append one audit event
-- per created result, hashed as db/repositories/audit.ts defines:
--   hash = hex(SHA-256(prev_hash || '\n' || seq || '\n' || content))
-- `content` (the canonical JSON of the event) is computed by the caller, which alone has RFC 8785.
-- The lock key must stay the one audit.ts takes: (AUDIT_LOCK_CLASS 0x41554454, hashtext(tenant id)).
--
-- `batch` is a JSON array of objects with the result columns (id and created_at chosen by the
-- caller) plus `audit_action`, `audit_actor_key_id`, `audit_payload`, `audit_created_at` and
-- `audit_content`. Returns the id of every result it created.
CREATE OR REPLACE FUNCTION append_audited_results(batch jsonb)
RETURNS TABLE (created_id uuid)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  created uuid[];
  ev record;
  chain_tenant uuid;
  chain_seq bigint;
  chain_hash text;
  next_hash text;
BEGIN
  WITH inserted AS (
    INSERT INTO equivalence_results (
      id, tenant_id, request_id, input_hash, response, decisao, score, degraded, course_id,
      policy_version, taxonomy_version, model_version, simulation, created_at)
    SELECT r.id, r.tenant_id, r.request_id, r.input_hash, r.response, r.decisao, r.score,
           r.degraded, r.course_id, r.policy_version, r.taxonomy_version, r.model_version,
           r.simulation, r.created_at
      FROM jsonb_to_recordset(batch) AS r(
             id uuid, tenant_id uuid, request_id text, input_hash text, response jsonb,
             decisao text, score double precision, degraded boolean, course_id text,
             policy_version text, taxonomy_version text, model_version text, simulation boolean,
             created_at timestamptz)
    ON CONFLICT (tenant_id, request_id) DO NOTHING
    RETURNING id)
  SELECT coalesce(array_agg(id), '{}') INTO created FROM inserted;

  PERFORM pg_advisory_xact_lock(1096107092, hashtext(t.tenant_id::text))
     FROM (SELECT DISTINCT r.tenant_id
             FROM jsonb_to_recordset(batch) AS r(id uuid, tenant_id uuid)
            WHERE r.id = ANY (created)
            ORDER BY r.tenant_id) AS t;

  FOR ev IN
    SELECT r.*
      FROM ROWS FROM (jsonb_to_recordset(batch) AS (
             id uuid, tenant_id uuid, audit_action text, audit_actor_key_id uuid,
             audit_payload jsonb, audit_created_at timestamptz, audit_content text))
           WITH ORDINALITY AS r(id, tenant_id, audit_action, audit_actor_key_id, audit_payload,
                                audit_created_at, audit_content, arrival)
     WHERE r.id = ANY (created)
     ORDER BY r.tenant_id, r.arrival
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
    next_hash := encode(sha256(convert_to(chain_hash || E'\n' || chain_seq::text || E'\n' || ev.audit_content, 'UTF8')), 'hex');
    INSERT INTO audit_events (tenant_id, seq, action, actor_key_id, target, payload, prev_hash, hash, created_at)
    VALUES (ev.tenant_id, chain_seq, ev.audit_action, ev.audit_actor_key_id, ev.id::text, ev.audit_payload,
            chain_hash, next_hash, ev.audit_created_at);
    chain_hash := next_hash;
  END LOOP;

  RETURN QUERY SELECT unnest(created);
END
$$;
