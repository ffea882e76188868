import { normalizeMicroTime } from '@openpacific/contracts';
import { fieldInvalid, fieldRequired, StatusCause, validateDns1123Subdomain, validateQualifiedName } from '@openpacific/kube-api';
import { sameJson } from '@openpacific/objects';
import type { KindStrategy } from './kind-strategies';

/**
 * Events as kube-apiserver admits them, core v1 and events.k8s.io/v1 alike (one store; the object here is always the
 * core shape, so causes name core fields, as kube-apiserver's do). Every Event passes the legacy checks: an Event
 * without `eventTime` is about an object of its own namespace (or of none, in `default`), one with `eventTime` says
 * who reported it and what was done. An Event created or updated through events.k8s.io/v1 is checked strictly as well.
 */

const LIMIT = 128;
const NOTE_LIMIT = 1024;
const MICRO_TIMES: Array<[string, (e: any) => any, string]> = [
  ['eventTime', (e) => e, 'eventTime'],
  ['series.lastObservedTime', (e) => e.series, 'lastObservedTime'],
];

/** MicroTimes written back as kube-apiserver writes them (UTC, six fractional digits). */
function normalizeEvent(event: any): any {
  for (const [, holder, key] of MICRO_TIMES) {
    const at = holder(event);
    if (typeof at?.[key] === 'string') at[key] = normalizeMicroTime(at[key]) ?? at[key];
  }
  return event;
}

const tooLong = (field: string, value: unknown, limit: number) =>
  typeof value === 'string' && value.length > limit ? [fieldInvalid(field, '', `can have at most ${limit} characters`)] : [];

/** kube-apiserver's legacyValidateEvent. */
export function legacyEventCauses(event: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const namespace = event.metadata?.namespace ?? '';
  const involvedNamespace = event.involvedObject?.namespace ?? '';
  const mismatch = fieldInvalid('involvedObject.namespace', involvedNamespace, 'does not match event.namespace');
  for (const [field, holder, key] of MICRO_TIMES) {
    const at = holder(event)?.[key];
    if (typeof at === 'string' && normalizeMicroTime(at) === undefined) causes.push(fieldInvalid(field, at, 'must be an RFC 3339 time, e.g. 2026-12-04T03:30:00.123456Z'));
  }
  if (!event.eventTime) {
    if (involvedNamespace ? namespace !== involvedNamespace : namespace !== '' && namespace !== 'default') causes.push(mismatch);
  } else {
    if (!involvedNamespace && namespace !== 'default' && namespace !== 'kube-system') causes.push(mismatch);
    const controller = event.reportingComponent ?? '';
    if (!controller) causes.push(fieldRequired('reportingController'));
    for (const msg of validateQualifiedName(controller)) causes.push(fieldInvalid('reportingController', controller, msg));
    if (!event.reportingInstance) causes.push(fieldRequired('reportingInstance'));
    causes.push(...tooLong('reportingInstance', event.reportingInstance, LIMIT));
    if (!event.action) causes.push(fieldRequired('action'));
    causes.push(...tooLong('action', event.action, LIMIT));
    if (!event.reason) causes.push(fieldRequired('reason'));
    causes.push(...tooLong('reason', event.reason, LIMIT));
    causes.push(...tooLong('message', event.message, NOTE_LIMIT));
  }
  for (const msg of validateDns1123Subdomain(namespace)) causes.push(fieldInvalid('namespace', namespace, msg));
  return causes;
}

function seriesCauses(event: any): StatusCause[] {
  if (!event.series) return [];
  const causes: StatusCause[] = [];
  if (!(event.series.count >= 2)) causes.push(fieldInvalid('series.count', '', 'should be at least 2'));
  if (!event.series.lastObservedTime) causes.push(fieldRequired('series.lastObservedTime'));
  return causes;
}

/** kube-apiserver's ValidateEventCreate for a request through events.k8s.io/v1 (the legacy checks, then the strict ones). */
export function strictEventCreateCauses(event: any): StatusCause[] {
  const causes = [...legacyEventCauses(event), ...seriesCauses(event)];
  if (!event.eventTime) causes.push(fieldRequired('eventTime'));
  if (event.type !== 'Normal' && event.type !== 'Warning') causes.push(fieldInvalid('type', '', `has invalid value: ${event.type ?? ''}`));
  if (event.firstTimestamp) causes.push(fieldInvalid('firstTimestamp', '', 'needs to be unset'));
  if (event.lastTimestamp) causes.push(fieldInvalid('lastTimestamp', '', 'needs to be unset'));
  if (event.count) causes.push(fieldInvalid('count', '', 'needs to be unset'));
  if (event.source?.component || event.source?.host) causes.push(fieldInvalid('source', '', 'needs to be unset'));
  return causes;
}

/** The fields an events.k8s.io/v1 update may not change, by the core field each is checked as. */
const IMMUTABLE = ['involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', 'action', 'related', 'reportingComponent', 'reportingInstance'];

/** kube-apiserver's ValidateEventUpdate for a request through events.k8s.io/v1: only the series (and metadata) change. */
export function strictEventUpdateCauses(old: any, next: any): StatusCause[] {
  const causes = legacyEventCauses(next);
  if (!sameJson(next.series ?? null, old.series ?? null)) causes.push(...seriesCauses(next));
  for (const field of IMMUTABLE) {
    if (!sameJson(next[field] ?? null, old[field] ?? null)) {
      const name = field === 'reportingComponent' ? 'reportingController' : field;
      causes.push(fieldInvalid(name, next[field] ?? '', 'field is immutable'));
    }
  }
  return causes;
}

export const eventKindStrategies: Record<string, KindStrategy> = {
  '/Event': {
    defaults: normalizeEvent,
    prepareUpdate: (_old, next) => normalizeEvent(next),
    validateCreate: legacyEventCauses,
    validateUpdate: (_old, next) => legacyEventCauses(next),
  },
  'events.k8s.io/Event': {
    defaults: normalizeEvent,
    prepareUpdate: (_old, next) => normalizeEvent(next),
    validateCreate: strictEventCreateCauses,
    validateUpdate: strictEventUpdateCauses,
  },
};
