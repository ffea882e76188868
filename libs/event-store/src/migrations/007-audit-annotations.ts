/**
 * The annotations of an audit record (docs/audit.md): what admission said of the request for the audit log, such
 * as a ValidatingAdmissionPolicy binding's Audit failures, as kube-apiserver's audit events carry them. NULL for a
 * request without any, which is most of them and every record written before this migration. A column added
 * without a default rewrites no row, and the triggers that keep the table append-only do not fire for it.
 */
export const auditAnnotationsMigration = {
  version: 7,
  name: 'audit_annotations',
  sql: `
ALTER TABLE audit_records ADD COLUMN annotations jsonb;
`,
};
