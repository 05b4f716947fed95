-- append_audited_results(batch json), redefined from migrations/0010 with the same result: the batch
-- is parsed once. It used to be read by json_to_recordset twice (the results' INSERT, then the
-- created rows' audit events), and reading a row means lexing all of its text — response and stored
-- inputs included, some 5 KB an evaluation now — so the second pass cost about as much as the
-- first (~0.1 ms of Postgres per evaluation measured on a loaded machine). The parsed rows are
-- materialised once and feed both the INSERT and the events; subjects come from the INSERT's
-- RETURNING, as in 0010 (audit_result_hash of the row as stored; db/repositories/audit.ts is the
-- TypeScript twin), and append_audit_chain (0010) appends them in arrival order.
CREATE OR REPLACE FUNCTION append_audited_results(batch json)
RETURNS TABLE (created_id uuid)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  created uuid[];
  events jsonb;
  subjects text[];
BEGIN
  WITH src AS MATERIALIZED (
    SELECT r.*
      FROM ROWS FROM (json_to_recordset(batch) AS (
             id uuid, tenant_id uuid, request_id text, input_hash text, response json,
             decisao text, score double precision, degraded boolean, course_id text,
             policy_version text, taxonomy_version text, model_version text, simulation boolean,
             inputs json, created_at timestamptz, audit jsonb))
           WITH ORDINALITY AS r(id, tenant_id, request_id, input_hash, response, decisao, score, degraded,
             course_id, policy_version, taxonomy_version, model_version, simulation, inputs, created_at,
             audit, arrival)
  ), inserted AS (
    INSERT INTO equivalence_results (
      id, tenant_id, request_id, input_hash, response, decisao, score, degraded, course_id,
      policy_version, taxonomy_version, model_version, simulation, inputs, created_at)
    SELECT s.id, s.tenant_id, s.request_id, s.input_hash, s.response, s.decisao, s.score,
           s.degraded, s.course_id, s.policy_version, s.taxonomy_version, s.model_version,
           s.simulation, s.inputs, s.created_at
      FROM src AS s
     ORDER BY s.arrival
    ON CONFLICT (tenant_id, request_id) DO NOTHING
    RETURNING id, audit_result_hash(request_id, input_hash, decisao, response) AS subject
  )
  SELECT coalesce(array_agg(i.id ORDER BY s.arrival), '{}'),
         coalesce(jsonb_agg(s.audit ORDER BY s.arrival), '[]'::jsonb),
         coalesce(array_agg(
           CASE WHEN s.audit->>'action' IN ('result.created', 'result.simulated') AND s.audit->>'target' = s.id::text
                THEN i.subject END
           ORDER BY s.arrival), '{}')
    INTO created, events, subjects
    FROM inserted AS i
    JOIN src AS s ON s.id = i.id;

  PERFORM append_audit_chain(events, subjects);

  RETURN QUERY SELECT unnest(created);
END
$$;
