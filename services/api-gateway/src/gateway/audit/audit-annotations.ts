import type { ServerResponse } from 'node:http';

/** What admission said of a request for the audit log, until its record is written; keyed by the request's response. */
const annotations = new WeakMap<ServerResponse, Record<string, string>>();

/**
 * Adds admission's annotations to the audit record of the request that `res` answers. A write admitted again (a
 * delete tried again after a conflict) replaces what the earlier admission said under the same keys.
 */
export function annotateAudit(res: ServerResponse, more: Record<string, string>): void {
  annotations.set(res, { ...annotations.get(res), ...more });
}

/** The annotations of the request that `res` answers, if admission gave it any. */
export function auditAnnotationsOf(res: ServerResponse): Record<string, string> | undefined {
  return annotations.get(res);
}
