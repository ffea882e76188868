import { legacyEventCauses, strictEventCreateCauses, strictEventUpdateCauses } from './event.strategy';

const newStyle = (extra: any = {}) => ({
  apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'apps' }, eventTime: '2026-12-04T10:00:00.000000Z',
  involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'apps' }, reason: 'Pulled', action: 'Pulling', message: 'pulled', type: 'Normal',
  reportingComponent: 'example.com/agent', reportingInstance: 'agent-1', ...extra,
});
const fields = (causes: any[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe('Event validation', () => {
  it('keeps an old-style Event to its involved object’s namespace (or default for one without)', () => {
    const old = (namespace: string, involved?: string) => ({ metadata: { name: 'e', namespace }, involvedObject: { kind: 'Pod', name: 'p', ...(involved ? { namespace: involved } : {}) } });
    expect(legacyEventCauses(old('apps', 'apps'))).toEqual([]);
    expect(legacyEventCauses(old('default'))).toEqual([]);
    expect(fields(legacyEventCauses(old('apps', 'other')))).toEqual(['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
    expect(fields(legacyEventCauses(old('apps')))).toEqual(['involvedObject.namespace: Invalid value: "": does not match event.namespace']);
  });

  it('asks a new-style Event who reported it and what it did', () => {
    expect(legacyEventCauses(newStyle())).toEqual([]);
    const bare = newStyle({ reportingComponent: undefined, reportingInstance: undefined, action: undefined, reason: undefined, message: 'x'.repeat(1025) });
    expect(fields(legacyEventCauses(bare))).toEqual([
      'reportingController: Required value',
      expect.stringMatching(/^reportingController: Invalid value: "": name part must/),
      expect.stringMatching(/^reportingController: Invalid value: "": name part must consist/),
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Required value',
      'message: Invalid value: "": can have at most 1024 characters',
    ]);
    expect(fields(legacyEventCauses(newStyle({ eventTime: 'soon' })))).toEqual(['eventTime: Invalid value: "soon": must be an RFC 3339 time, e.g. 2026-12-04T03:30:00.123456Z']);
  });

  it('through events.k8s.io/v1: needs eventTime and a known type, and no deprecated fields; a series counts at least 2', () => {
    expect(strictEventCreateCauses(newStyle())).toEqual([]);
    const causes = strictEventCreateCauses(newStyle({ eventTime: undefined, involvedObject: { kind: 'Pod', name: 'p', namespace: 'apps' }, type: 'Info', count: 3, source: { component: 'x' }, series: { count: 1 } }));
    expect(fields(causes)).toEqual([
      'series.count: Invalid value: "": should be at least 2',
      'series.lastObservedTime: Required value',
      'eventTime: Required value',
      'type: Invalid value: "": has invalid value: Info',
      'count: Invalid value: "": needs to be unset',
      'source: Invalid value: "": needs to be unset',
    ]);
  });

  it('through events.k8s.io/v1: an update changes only the series', () => {
    const before = newStyle();
    expect(strictEventUpdateCauses(before, newStyle({ series: { count: 2, lastObservedTime: '2026-12-04T10:01:00.000000Z' } }))).toEqual([]);
    expect(fields(strictEventUpdateCauses(before, newStyle({ message: 'other', reportingComponent: 'example.com/other' })))).toEqual([
      'message: Invalid value: "other": field is immutable',
      'reportingController: Invalid value: "example.com/other": field is immutable',
    ]);
  });
});
