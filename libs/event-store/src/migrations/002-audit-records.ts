/**
 * The audit log: one row per API request, written by the api-gateway in batches and
 * queried by admins. Append-only like the events table. Never any request or response
 * body: only who asked what of which object, and the outcome.
 */
export const auditRecordsMigration = {
  version: 2,
  name: 'audit_records',
  sql: `
CREATE TABLE audit_records (
  id           bigserial PRIMARY KEY,
  time         timestamptz NOT NULL,
  request_id   text NOT NULL,
  username     text NOT NULL,
  groups       text[] NOT NULL DEFAULT '{}',
  verb         text NOT NULL,
  api_group    text NOT NULL DEFAULT '',
  resource     text NOT NULL DEFAULT '',
  subresource  text NOT NULL DEFAULT '',
  namespace    text NOT NULL DEFAULT '',
  name         text NOT NULL DEFAULT '',
  path         text NOT NULL DEFAULT '',
  decision     text NOT NULL CHECK (decision IN ('allow', 'deny')),
  code         integer NOT NULL,
  user_agent   text NOT NULL DEFAULT '',
  source_ip    text NOT NULL DEFAULT ''
);
CREATE INDEX audit_records_time ON audit_records (time DESC, id DESC);
CREATE INDEX audit_records_user ON audit_records (username, time DESC);
CREATE INDEX audit_records_namespace ON audit_records (namespace, time DESC);

CREATE FUNCTION audit_records_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit_records table is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_records_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_records
  FOR EACH ROW EXECUTE FUNCTION audit_records_refuse_change();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
  FOR EACH STATEMENT EXECUTE FUNCTION audit_records_refuse_change();
`,
};
