import Ajv from 'ajv';
import { AllocationEventTypes, clusterIPStreamId, eventCatalogue, nodePortStreamId } from '@openpacific/contracts';
import { RecordedEvent, VersionConflictError } from '@openpacific/event-store';
import { ReadModel } from '@openpacific/objects';
import { AllocationLedger } from '@openpacific/objects';
import { AllocationChecks, allocationAppends, isAllocationConflict } from './allocations';
import { serviceAllocations } from './service.strategy';

const META = { actor: 'admin', source: 'api-gateway' };
const svc = (spec: any) => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'web', uid: 'u-1' }, spec });

/** An allocation event as the log would hand it back, at `version` of its stream. */
const recorded = (streamId: string, version: number): RecordedEvent =>
  ({ streamId, streamVersion: version, type: AllocationEventTypes.clusterIP, data: { address: '10.96.0.5', holder: { resource: 'services', name: 'x', uid: 'u' } }, metadata: META }) as unknown as RecordedEvent;

describe('allocation events of a write', () => {
  it('appends one event per address and port the object gains, at the version each was judged free on', () => {
    const ledger = new AllocationLedger();
    ledger.apply(recorded(clusterIPStreamId('10.96.0.5'), 2));
    const checks = new AllocationChecks(ledger);
    checks.free({ address: '10.96.0.5' }, { port: 30080 });
    // The ledger moves on after the judgement: the write still expects what it judged on.
    ledger.apply(recorded(clusterIPStreamId('10.96.0.5'), 3));
    const next = svc({ type: 'NodePort', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], ports: [{ port: 80, nodePort: 30080 }] });
    const appends = allocationAppends(serviceAllocations, checks, 'services', next, undefined, META);
    expect(appends).toEqual([
      {
        streamId: clusterIPStreamId('10.96.0.5'), expectedVersion: 2,
        events: [{ type: AllocationEventTypes.clusterIP, data: { address: '10.96.0.5', holder: { resource: 'services', namespace: 'default', name: 'web', uid: 'u-1' } }, metadata: META }],
      },
      {
        streamId: nodePortStreamId(30080), expectedVersion: 'no_stream',
        events: [{ type: AllocationEventTypes.nodePort, data: { port: 30080, holder: { resource: 'services', namespace: 'default', name: 'web', uid: 'u-1' } }, metadata: META }],
      },
    ]);
  });

  it('appends nothing for what the object held before (an update keeping its address and ports)', () => {
    const old = svc({ type: 'NodePort', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], ports: [{ port: 80, nodePort: 30080 }] });
    const next = svc({ type: 'NodePort', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], ports: [{ port: 80, nodePort: 30080 }, { name: 'b', port: 81, nodePort: 30081 }] });
    const appends = allocationAppends(serviceAllocations, new AllocationChecks(new AllocationLedger()), 'services', next, old, META);
    expect(appends.map((a) => a.streamId)).toEqual([nodePortStreamId(30081)]);
  });

  it('holds no address for a headless Service', () => {
    expect(serviceAllocations(svc({ clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 80 }] }))).toEqual([]);
  });

  it('writes events the catalogue accepts and that read models pass over', () => {
    const ajv = new Ajv();
    const next = svc({ type: 'NodePort', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], ports: [{ port: 80, nodePort: 30080 }] });
    const model = new ReadModel();
    for (const { streamId, events } of allocationAppends(serviceAllocations, new AllocationChecks(new AllocationLedger()), 'services', next, undefined, META)) {
      expect(ajv.compile(eventCatalogue[events[0].type])(events[0].data)).toBe(true);
      expect(model.apply({ ...events[0], streamId, streamVersion: 1 } as unknown as RecordedEvent)).toBeUndefined();
    }
    expect(model.resources()).toEqual([]);
  });

  it('tells a conflict on an allocation stream from one on the object', () => {
    expect(isAllocationConflict(new VersionConflictError(clusterIPStreamId('10.96.0.5'), 'no_stream', 1))).toBe(true);
    expect(isAllocationConflict(new VersionConflictError('services/default/web', 'no_stream', 1))).toBe(false);
  });
});
