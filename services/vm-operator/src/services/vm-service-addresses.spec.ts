import Ajv from 'ajv';
import { allocationAppend, AllocationEventTypes, clusterIPStreamId, eventCatalogue, inCIDR, indexedClusterNetwork, LOOPBACK_NETWORK } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { AllocationLedger } from '@openpacific/objects';
import { allocateClusterIP, heldClusterIPs, INGRESS_INDEX_ANNOTATION, ingressFor, legacyAddresses, legacyIndex, LostClusterIPs } from './vm-service-addresses';

const NET = indexedClusterNetwork(3); // services 10.99.0.0/16, load balancers 10.131.0.0/16

describe('allocateClusterIP', () => {
  it('picks an address of the service range, at random', () => {
    const picks = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const ip = allocateClusterIP(NET, new Set())!;
      expect(inCIDR(ip, NET.serviceCIDR)).toBe(true);
      picks.add(ip);
    }
    expect(picks.size).toBeGreaterThan(40);
  });

  it('never gives a held address, the network or broadcast address, the kubernetes Service\'s .1 or the DNS server\'s .10', () => {
    // Picking the first candidate (10.99.0.1) every time: the scan passes over what is held or reserved.
    const first = () => 0;
    expect(allocateClusterIP(NET, new Set(), first)).toBe('10.99.0.2');
    expect(allocateClusterIP(NET, new Set(['10.99.0.2', '10.99.0.3', '10.99.0.4', '10.99.0.5', '10.99.0.6', '10.99.0.7', '10.99.0.8', '10.99.0.9']), first)).toBe('10.99.0.11');
    // From the last candidate the scan wraps past the broadcast address to the start.
    const last = (span: number) => span - 1;
    expect(allocateClusterIP(NET, new Set(), last)).toBe('10.99.255.254');
    expect(allocateClusterIP(NET, new Set(['10.99.255.254']), last)).toBe('10.99.0.2');
  });

  it('says undefined when the range is full', () => {
    const held = new Set<string>();
    for (let n = 0; n < 65536; n++) held.add(`10.99.${n >> 8}.${n & 255}`);
    expect(allocateClusterIP(NET, held)).toBeUndefined();
    held.delete('10.99.7.7');
    expect(allocateClusterIP(NET, held)).toBe('10.99.7.7');
  });

  it('works in the loopback fallback\'s range', () => {
    expect(inCIDR(allocateClusterIP(LOOPBACK_NETWORK, new Set())!, '127.202.0.0/16')).toBe(true);
  });
});

describe('heldClusterIPs', () => {
  it('counts every core Service\'s cluster IPs and every VirtualMachineService\'s, headless and unset ones not', () => {
    const services = [
      { metadata: { namespace: 'a', name: 'web' }, spec: { clusterIP: '10.99.1.1', clusterIPs: ['10.99.1.1'] } },
      { metadata: { namespace: 'b', name: 'db' }, spec: { clusterIP: 'None', clusterIPs: ['None'] } },
      { metadata: { namespace: 'b', name: 'ext' }, spec: { type: 'ExternalName', externalName: 'x.example.com' } },
    ];
    const vmServices = [
      { metadata: { namespace: 'c', name: 'vm-web' }, spec: { clusterIp: '10.99.2.2' } },
      { metadata: { namespace: 'c', name: 'vm-new' }, spec: {} },
      { metadata: { namespace: 'c', name: 'vm-headless' }, spec: { clusterIp: 'None' } },
    ];
    expect([...heldClusterIPs(services, vmServices)].sort()).toEqual(['10.99.1.1', '10.99.2.2']);
  });

  it('with the allocator, never hands out a held address in a crowded range', () => {
    const held = new Set<string>();
    for (let n = 2; n <= 65534; n++) if (n !== 4242) held.add(`10.99.${n >> 8}.${n & 255}`);
    expect(allocateClusterIP(NET, heldClusterIPs([], [...held].map((ip) => ({ metadata: {}, spec: { clusterIp: ip } }))))).toBe('10.99.16.146');
  });
});

describe('ingressFor', () => {
  it('is the cluster IP at the same offset in the load balancer range', () => {
    expect(ingressFor(NET, '10.99.3.17')).toBe('10.131.3.17');
    expect(ingressFor(LOOPBACK_NETWORK, '127.202.0.44')).toBe('127.203.0.44');
  });

  it('keeps an older service\'s loopback ingress, and gives none for a cluster IP its author chose outside the range', () => {
    expect(ingressFor(NET, '127.201.4.2', { pool: 4, index: 2 })).toBe('127.200.4.2');
    expect(ingressFor(NET, '192.168.1.1')).toBeUndefined();
  });
});

describe('older services\' addresses', () => {
  it('reads the index annotation, and gives the loopback pair it stood for', () => {
    expect(legacyIndex({ metadata: { annotations: { [INGRESS_INDEX_ANNOTATION]: '3' } } })).toBe(3);
    expect(legacyIndex({ metadata: { annotations: { [INGRESS_INDEX_ANNOTATION]: 'x' } } })).toBeUndefined();
    expect(legacyIndex({ metadata: {} })).toBeUndefined();
    expect(legacyAddresses(7, 3)).toEqual({ ingress: '127.200.7.3', cluster: '127.201.7.3' });
  });
});

describe('a cluster IP\'s allocation event', () => {
  const META = { actor: 'vm-operator', source: 'vm-operator' };
  const vmService = { metadata: { namespace: 'c', name: 'vm-web', uid: 'u-1' }, spec: {} };

  it('goes to the address\'s stream at the version the address was judged free on, naming the VMService', () => {
    const append = allocationAppend({ address: '10.99.2.2' }, 'virtualmachineservices.vmoperator.vmware.com', vmService, 3, META);
    expect(append).toEqual({
      streamId: clusterIPStreamId('10.99.2.2'), expectedVersion: 3,
      events: [{
        type: AllocationEventTypes.clusterIP, metadata: META,
        data: { address: '10.99.2.2', holder: { resource: 'virtualmachineservices.vmoperator.vmware.com', namespace: 'c', name: 'vm-web', uid: 'u-1' } },
      }],
    });
    expect(new Ajv().compile(eventCatalogue[AllocationEventTypes.clusterIP])(append.events[0].data)).toBe(true);
  });

  it('expects no stream for an address never given out', () => {
    expect(allocationAppend({ address: '10.99.2.2' }, 'virtualmachineservices.vmoperator.vmware.com', vmService, 0, META).expectedVersion).toBe('no_stream');
  });
});

describe('LostClusterIPs', () => {
  const allocated = (address: string, version: number) =>
    ({ streamId: clusterIPStreamId(address), streamVersion: version, type: AllocationEventTypes.clusterIP, data: {}, metadata: {} }) as unknown as RecordedEvent;

  it('holds a lost address until the ledger has followed its stream as far as the winner wrote it', () => {
    const ledger = new AllocationLedger();
    const lost = new LostClusterIPs();
    lost.add('10.99.2.2', 2);
    lost.add('10.99.3.3', 1);
    expect(lost.held(ledger).sort()).toEqual(['10.99.2.2', '10.99.3.3']);
    ledger.apply(allocated('10.99.2.2', 1));
    ledger.apply(allocated('10.99.3.3', 1));
    expect(lost.held(ledger)).toEqual(['10.99.2.2']);
    ledger.apply(allocated('10.99.2.2', 2));
    expect(lost.held(ledger)).toEqual([]);
  });

  it('keeps the furthest winner of an address lost twice', () => {
    const ledger = new AllocationLedger();
    const lost = new LostClusterIPs();
    lost.add('10.99.2.2', 3);
    lost.add('10.99.2.2', 1);
    ledger.apply(allocated('10.99.2.2', 2));
    expect(lost.held(ledger)).toEqual(['10.99.2.2']);
  });
});
