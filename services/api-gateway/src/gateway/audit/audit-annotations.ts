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

/** The name a create's body asks for, until the request is recorded; keyed by the request's response. */
const requestedNames = new WeakMap<ServerResponse, string>();

/**
 * Notes the name a create asks for: kube-apiserver's objectRef takes a create's name from the request's object before
 * admission, so the record of a create that is refused (by a webhook, a policy, quota) names the object too.
 */
export function noteRequestedName(res: ServerResponse, name: unknown): void {
  if (typeof name === 'string' && name !== '') requestedNames.set(res, name);
}

/** The name the create that `res` answers asked for, if it named one. */
export function requestedNameOf(res: ServerResponse): string | undefined {
  return requestedNames.get(res);
}
