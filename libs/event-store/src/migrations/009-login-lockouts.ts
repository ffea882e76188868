/**
 * `kubectl vsphere login`'s lockout (docs/api.md), shared by every api-gateway replica and kept over restarts, as
 * vCenter keeps one lockout per SSO domain. Operational state, not history: rows are updated in place and deleted once
 * they remember nothing, so it is no part of the events table. One row per name, keyed by a digest of the name as typed
 * (a typed name is now and then a password): the failures within the window, the end of a lock, and when the row can
 * be forgotten (the later of the window after its last failure and the end of its lock).
 */
export const loginLockoutsMigration = {
  version: 9,
  name: 'login_lockouts',
  sql: `
CREATE TABLE login_lockouts (
  name_digest   text PRIMARY KEY,
  failures      timestamptz[] NOT NULL DEFAULT '{}',
  locked_until  timestamptz,
  forget_after  timestamptz NOT NULL DEFAULT '-infinity'
);
CREATE INDEX login_lockouts_forget_after ON login_lockouts (forget_after);
`,
};
