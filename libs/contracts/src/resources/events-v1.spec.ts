import { eventResource } from './event.resource';
import { coreEventToV1, EVENTS_V1_FIELD_LABELS, eventsV1Resource, v1EventToCore } from './events-v1.resource';
import { nodeResource } from './node.resource';

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

describe("the -o wide columns of Events and Nodes, in kubectl 1.32's order", () => {
  const wide = (def: any) => def.versions[0].printerColumns.map((c: any) => c.name);
  const cell = (def: any, name: string, obj: any) => def.versions[0].printerColumns.find((c: any) => c.name === name).value(obj);

  it('puts SUBOBJECT and SOURCE between OBJECT and MESSAGE, the source as component, host', () => {
    expect(wide(eventResource)).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name']);
    expect(wide(eventsV1Resource)).toEqual(wide(eventResource));
    const e = { involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{c}' }, source: { component: 'kubelet', host: 'host-1' } };
    expect(cell(eventResource, 'Subobject', e)).toBe('spec.containers{c}');
    expect(cell(eventResource, 'Source', e)).toBe('kubelet, host-1');
    expect(cell(eventResource, 'Source', { reportingComponent: 'scheduler' })).toBe('scheduler');
    expect(cell(eventsV1Resource, 'Source', { reportingController: 'kubelet', reportingInstance: 'host-2' })).toBe('kubelet, host-2');
  });

  it('shows a node\'s internal and external addresses, <none> without one', () => {
    expect(wide(nodeResource)).toEqual(['Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']);
    const node = { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.4' }, { type: 'Hostname', address: 'host-1' }], nodeInfo: { osImage: 'Debian' } } };
    expect(cell(nodeResource, 'Internal-IP', node)).toBe('10.0.0.4');
    expect(cell(nodeResource, 'External-IP', node)).toBe('<none>');
    expect(cell(nodeResource, 'Kernel-Version', node)).toBe('<unknown>');
  });
});
