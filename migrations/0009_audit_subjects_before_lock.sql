-- append_audit_events(events jsonb), redefined from migrations/0005 with the same definitions and
-- the same result: only the order of the work changes. The subject hashes of result events
-- (audit_result_hash of the stored row, migrations/0005) are computed first, in one set-based read
-- of the rows the caller has just inserted, BEFORE the tenants' chain locks are taken; under the
-- locks only the heads are read, the chain hashed and the events inserted. A tenant's chain lock
-- is held until COMMIT, and the evaluation group commit (append_audited_results) has every
-- tenant's evaluations wait on it: re-reading and hashing each response under the lock had made
-- that serialised section grow with the responses' size.
--   subject_hash = audit_result_hash(request_id, input_hash, decisao, response) of the row
--   hash = hex(SHA-256(prev_hash || '\n' || seq || '\n' || content [|| '\n' || subject_hash]))
-- (db/repositories/audit.ts has both in TypeScript; change both or neither.) An event that is not a
-- result's, or whose row does not exist, has no subject, as before.
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
  subjects text[];
BEGIN
  -- Subjects by arrival (1-based, as WITH ORDINALITY numbers the events below). The CASE keeps the
  -- uuid cast from ever seeing a target that is not one.
  SELECT coalesce(array_agg(s.subject ORDER BY e.arrival), '{}')
    INTO subjects
    FROM ROWS FROM (jsonb_to_recordset(events) AS (tenant_id uuid, action text, target text))
         WITH ORDINALITY AS e(tenant_id, action, target, arrival)
    LEFT JOIN LATERAL (
      SELECT audit_result_hash(r.request_id, r.input_hash, r.decisao, r.response) AS subject
        FROM equivalence_results AS r
       WHERE r.tenant_id = e.tenant_id
         AND r.id = CASE
               WHEN e.action IN ('result.created', 'result.simulated')
                AND e.target ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
               THEN e.target::uuid
             END
    ) AS s ON true;

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
    next_hash := encode(sha256(convert_to(
      chain_hash || E'\n' || chain_seq::text || E'\n' || ev.content || coalesce(E'\n' || subjects[ev.arrival::int], ''),
      'UTF8')), 'hex');
    INSERT INTO audit_events (tenant_id, seq, action, actor_key_id, target, payload, prev_hash, hash, subject_hash, created_at)
    VALUES (ev.tenant_id, chain_seq, ev.action, ev.actor_key_id, coalesce(ev.target, ''), coalesce(ev.payload, '{}'),
            chain_hash, next_hash, subjects[ev.arrival::int], ev.created_at);
    chain_hash := next_hash;
  END LOOP;
END
$$;
