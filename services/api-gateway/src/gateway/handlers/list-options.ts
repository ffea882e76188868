import { FieldCause, fieldForbidden, fieldNotSupported, statusError } from '@openpacific/kube-api';
import { timeoutSecondsOf } from './query-params';

/**
 * kube-apiserver 1.32's checks of a list's or watch's options (ValidateListOptions, with WatchList on): what
 * `resourceVersionMatch` and `sendInitialEvents` may be combined with. A violation is 422, `ListOptions.meta.k8s.io ""
 * is invalid: resourceVersionMatch: Forbidden: …`, as there. Gives back `timeoutSeconds`, which the parameter codec
 * decodes before any check (a value that is no integer is a 400 in strconv's words).
 */
export function validateListOptions(query: URLSearchParams, watch: boolean): number {
  const timeoutSeconds = timeoutSecondsOf(query);
  const match = query.get('resourceVersionMatch') ?? '';
  const rv = query.get('resourceVersion') ?? '';
  const sendInitialEvents = query.get('sendInitialEvents');
  const continued = query.get('continue') ?? '';
  const causes: FieldCause[] = [];
  const forbid = (detail: string, field = 'resourceVersionMatch') => causes.push(fieldForbidden(field, detail));
  if (watch) {
    if (sendInitialEvents !== null && match !== 'NotOlderThan') forbid('sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    if (match) {
      if (sendInitialEvents === null) forbid('resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
      if (match !== 'NotOlderThan') causes.push(fieldNotSupported('resourceVersionMatch', match, ['NotOlderThan']));
      if (continued) forbid('resourceVersionMatch is forbidden when continue is provided');
    }
  } else {
    if (match) {
      if (!rv) forbid('resourceVersionMatch is forbidden unless resourceVersion is provided');
      if (continued) forbid('resourceVersionMatch is forbidden when continue is provided');
      if (match !== 'Exact' && match !== 'NotOlderThan') causes.push(fieldNotSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
      if (match === 'Exact' && rv === '0') forbid('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    }
    if (sendInitialEvents !== null) forbid('sendInitialEvents is forbidden for list', 'sendInitialEvents');
  }
  if (causes.length === 0) return timeoutSeconds;
  const summary = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const text = causes.length === 1 ? summary : `[${summary}]`;
  throw statusError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${text}`, { name: '', group: 'meta.k8s.io', kind: 'ListOptions', causes });
}

/** Whether a watch asks for its initial state first (sendInitialEvents=true), or for none (false). */
export function sendsInitialEvents(query: URLSearchParams): boolean | undefined {
  const v = query.get('sendInitialEvents');
  return v === null ? undefined : v === 'true' || v === '1';
}

/** The annotation on the bookmark that ends a watch's initial events (a WatchList client waits for it). */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';
