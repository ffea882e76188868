/**
 * The stage of an audit record (docs/audit.md), as kube-apiserver's audit events carry `stage` and `stageTimestamp`:
 * a long-running request (a VM web console) is recorded when its response started and again when it completed, and
 * the two records of one request share its `time` and `request_id`, so `stage_timestamp` of the second tells how
 * long it lasted. NULL in the records written before this migration. Columns added without a default rewrite no row,
 * and the triggers that keep the table append-only do not fire for them.
 */
export const auditStagesMigration = {
  version: 8,
  name: 'audit_stages',
  sql: `
ALTER TABLE audit_records ADD COLUMN stage text, ADD COLUMN stage_timestamp timestamptz;
`,
};
