import { coreEventToV1, EVENTS_V1_FIELD_LABELS, v1EventToCore } from './events-v1.resource';

const core = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web-1.18a', namespace: 'apps' },
  involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-1', namespace: 'apps' },
  reason: 'Scheduled',
  message: 'Successfully assigned apps/web-1 to host-1',
  type: 'Normal',
  source: { component: 'default-scheduler' },
  firstTimestamp: '2026-12-04T10:00:00Z',
  lastTimestamp: '2026-12-04T10:00:05Z',
  count: 2,
  reportingComponent: 'default-scheduler',
  reportingInstance: 'scheduler-1',
};

describe('events.k8s.io/v1 Events', () => {
  it('show a core Event with kube-apiserver’s renames, eventTime null when it has none', () => {
    expect(coreEventToV1(core)).toEqual({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: core.metadata,
      eventTime: null,
      regarding: core.involvedObject,
      reason: 'Scheduled',
      note: core.message,
      type: 'Normal',
      reportingController: 'default-scheduler',
      reportingInstance: 'scheduler-1',
      deprecatedSource: { component: 'default-scheduler' },
      deprecatedFirstTimestamp: '2026-12-04T10:00:00Z',
      deprecatedLastTimestamp: '2026-12-04T10:00:05Z',
      deprecatedCount: 2,
    });
  });

  it('go back to the core shape unchanged, and a new-style Event keeps its series and action', () => {
    expect(v1EventToCore(coreEventToV1(core))).toEqual(core);
    const v1 = {
      apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e', namespace: 'apps' }, eventTime: '2026-12-04T10:00:00.000000Z',
      series: { count: 3, lastObservedTime: '2026-12-04T10:01:00.000000Z' }, regarding: { kind: 'Pod', name: 'web-1', namespace: 'apps' },
      reason: 'Pulled', action: 'Pulling', note: 'pulled', type: 'Normal', reportingController: 'example.com/agent', reportingInstance: 'agent-1',
    };
    const stored = v1EventToCore(v1);
    expect(stored).toEqual({
      apiVersion: 'v1', kind: 'Event', metadata: v1.metadata, eventTime: v1.eventTime, series: v1.series, involvedObject: v1.regarding,
      reason: 'Pulled', action: 'Pulling', message: 'pulled', type: 'Normal', reportingComponent: 'example.com/agent', reportingInstance: 'agent-1',
    });
    expect(coreEventToV1(stored)).toEqual(v1);
  });

  it('select on the core fields their field labels name', () => {
    expect(EVENTS_V1_FIELD_LABELS['regarding.name']).toBe('involvedObject.name');
    expect(EVENTS_V1_FIELD_LABELS.reportingController).toBe('reportingComponent');
    expect(Object.keys(EVENTS_V1_FIELD_LABELS)).toHaveLength(12);
  });
});
