-- Result events' subject hashes without reading results back under the chain locks, and without a
-- plan that can scan (migrations/0009's set-based read was planned as a hash join over every stored
-- result: jsonb_to_recordset is estimated at 100 rows). Same definitions, same hashes
-- (db/repositories/audit.ts has both in TypeScript; change both or neither):
--   subject_hash = audit_result_hash(request_id, input_hash, decisao, response) of the stored row
--   hash = hex(SHA-256(prev_hash || '\n' || seq || '\n' || content [|| '\n' || subject_hash]))
--
-- append_audit_chain(events, subjects): the locked part — the tenants' chain locks, their heads, the
-- chain hashes and the inserts. `subjects[i]` is the subject hash of the i-th event (null: none).
-- Internal: callers use append_audit_events or append_audited_results, which work the subjects out.
CREATE OR REPLACE FUNCTION append_audit_chain(events jsonb, subjects text[])
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
    subject := subjects[ev.arrival::int];
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
--> statement-breakpoint
-- append_audit_events(events jsonb), as in migrations/0005: a result event (`result.created` /
-- `result.simulated` whose target is a result id of its tenant) gets the subject hash of its row as
-- stored, any other event (or one whose row does not exist) none. The rows are read one by one by
-- primary key, before the chain locks are taken.
CREATE OR REPLACE FUNCTION append_audit_events(events jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  ev record;
  subjects text[] := '{}';
  subject text;
  row_tenant uuid;
BEGIN
  FOR ev IN
    SELECT e.*
      FROM ROWS FROM (jsonb_to_recordset(events) AS (tenant_id uuid, action text, target text))
           WITH ORDINALITY AS e(tenant_id, action, target, arrival)
     ORDER BY e.arrival
  LOOP
    subject := NULL;
    IF ev.action IN ('result.created', 'result.simulated')
       AND ev.target ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN
      SELECT audit_result_hash(r.request_id, r.input_hash, r.decisao, r.response), r.tenant_id
        INTO subject, row_tenant
        FROM equivalence_results AS r
       WHERE r.id = ev.target::uuid;
      IF row_tenant IS DISTINCT FROM ev.tenant_id THEN
        subject := NULL;
      END IF;
    END IF;
    subjects := subjects || subject;
  END LOOP;
  PERFORM append_audit_chain(events, subjects);
END
$$;
--> statement-breakpoint
-- append_audited_results(batch json), redefined from migrations/0004: the evaluation group commit
-- (db/result-batcher.ts). The INSERT returns each created row's subject hash, computed from the row
-- as stored, so no result is read back; then the created rows' events are appended in arrival order
-- with those subjects. An event whose action is not a result's or whose target is not its row gets
-- none (the writer never sends one).
CREATE OR REPLACE FUNCTION append_audited_results(batch json)
RETURNS TABLE (created_id uuid)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  created uuid[];
  hashes text[];
  events jsonb;
  subjects text[];
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
    RETURNING id, audit_result_hash(request_id, input_hash, decisao, response) AS subject)
  SELECT coalesce(array_agg(id), '{}'), coalesce(array_agg(subject), '{}') INTO created, hashes FROM inserted;

  SELECT coalesce(jsonb_agg(r.audit ORDER BY r.arrival), '[]'::jsonb),
         coalesce(array_agg(
           CASE WHEN r.audit->>'action' IN ('result.created', 'result.simulated') AND r.audit->>'target' = r.id::text
                THEN h.subject END
           ORDER BY r.arrival), '{}')
    INTO events, subjects
    FROM ROWS FROM (json_to_recordset(batch) AS (id uuid, audit jsonb))
         WITH ORDINALITY AS r(id, audit, arrival)
    JOIN unnest(created, hashes) AS h(id, subject) ON h.id = r.id;

  PERFORM append_audit_chain(events, subjects);

  RETURN QUERY SELECT unnest(created);
END
$$;
