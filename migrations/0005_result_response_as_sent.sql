-- Results keep their response as the text that was sent (json), so replays and reads return the
-- first answer byte for byte; jsonb would reorder its keys.
ALTER TABLE "equivalence_results" ALTER COLUMN "response" SET DATA TYPE json;
--> statement-breakpoint
-- The batch travels as json too, so its responses reach the column as written (0002/0004 took
-- jsonb, which would have normalised them on the way in). Same work as 0004 otherwise.
DROP FUNCTION IF EXISTS append_audited_results(jsonb);
--> statement-breakpoint
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
    (SELECT jsonb_agg(jsonb_build_object(
              'tenant_id', r.tenant_id, 'action', r.audit_action, 'actor_key_id', r.audit_actor_key_id,
              'target', r.id::text, 'payload', r.audit_payload, 'created_at', r.audit_created_at,
              'content', r.audit_content) ORDER BY r.arrival)
       FROM ROWS FROM (json_to_recordset(batch) AS (
              id uuid, tenant_id uuid, audit_action text, audit_actor_key_id uuid,
              audit_payload jsonb, audit_created_at text, audit_content text))
            WITH ORDINALITY AS r(id, tenant_id, audit_action, audit_actor_key_id, audit_payload,
                                 audit_created_at, audit_content, arrival)
      WHERE r.id = ANY (created)),
    '[]'::jsonb));

  RETURN QUERY SELECT unnest(created);
END
$$;
