import { AllocationEventTypes, clusterIPStreamId, nodePortStreamId, ObjectEventTypes, objectStreamId, streamResource } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { AllocationLedger, CLUSTER_IP_ALLOCATIONS, NODE_PORT_ALLOCATIONS } from './allocation-ledger';

const META = { actor: 'test', source: 'test' };
const at = (streamId: string, streamVersion: number, type: string = AllocationEventTypes.clusterIP): RecordedEvent =>
  ({ streamId, streamVersion, type, data: {}, metadata: META }) as unknown as RecordedEvent;

describe('AllocationLedger', () => {
  it('keeps the version of each allocation stream as the log hands them over, 0 for one never written', () => {
    const ledger = new AllocationLedger();
    expect(ledger.apply(at(clusterIPStreamId('10.96.0.5'), 1))).toBe(true);
    expect(ledger.apply(at(clusterIPStreamId('10.96.0.5'), 2))).toBe(true);
    expect(ledger.apply(at(nodePortStreamId(30080), 1, AllocationEventTypes.nodePort))).toBe(true);
    expect(ledger.version(clusterIPStreamId('10.96.0.5'))).toBe(2);
    expect(ledger.version(nodePortStreamId(30080))).toBe(1);
    expect(ledger.version(clusterIPStreamId('10.96.0.6'))).toBe(0);
  });

  it('passes over objects\' events', () => {
    const ledger = new AllocationLedger();
    const stream = objectStreamId('services', 'default', 'web');
    expect(ledger.apply(at(stream, 3, ObjectEventTypes.created))).toBe(false);
    expect(ledger.version(stream)).toBe(0);
  });

  it('names the first part of the allocation streams\' ids, which a follower of some resources follows', () => {
    expect(CLUSTER_IP_ALLOCATIONS).toBe('allocations:clusterip');
    expect(NODE_PORT_ALLOCATIONS).toBe('allocations:nodeport');
    expect(streamResource(clusterIPStreamId('10.96.0.5'))).toBe(CLUSTER_IP_ALLOCATIONS);
    expect(streamResource(nodePortStreamId(30080))).toBe(NODE_PORT_ALLOCATIONS);
  });

  it('catches up by kicking the follower until the stream is as far as the winner wrote it', async () => {
    const ledger = new AllocationLedger();
    const stream = clusterIPStreamId('10.96.0.5');
    let kicks = 0;
    // The follower reaches the winner's event on its third read.
    const follower = { kick: async () => { if (++kicks === 3) ledger.apply(at(stream, 1)); } };
    await ledger.catchUpTo(follower, stream, 1);
    expect(kicks).toBe(3);
    expect(ledger.version(stream)).toBe(1);
  });

  it('gives up catching up after its timeout, for a follower that never gets there', async () => {
    const ledger = new AllocationLedger();
    let kicks = 0;
    await ledger.catchUpTo({ kick: async () => { kicks++; } }, clusterIPStreamId('10.96.0.5'), 1, 30);
    expect(kicks).toBeGreaterThan(0);
    expect(ledger.version(clusterIPStreamId('10.96.0.5'))).toBe(0);
  });
});
