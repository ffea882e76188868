import { LOOPBACK_NETWORK } from '@openpacific/contracts';
import { addressSlot, assignHostAddresses, goTimeString, HOST_ADDRESS_SLOTS, hostAddressUsable, hostProxyState, preferredSlot, proxyHealthAnswer, slotAddress } from './local-traffic';

describe('host addresses', () => {
  it('maps slots to 127.<100 + s % 150>.<s / 150>.1 and back, and no other address to a slot', () => {
    expect([0, 1, 149, 150, 151, 300, HOST_ADDRESS_SLOTS - 1].map(slotAddress)).toEqual(['127.100.0.1', '127.101.0.1', '127.249.0.1', '127.100.1.1', '127.101.1.1', '127.100.2.1', '127.249.255.1']);
    for (let s = 0; s < HOST_ADDRESS_SLOTS; s += 37) expect(addressSlot(slotAddress(s))).toBe(s);
    for (const other of ['127.0.0.1', '127.99.0.1', '127.250.0.1', '127.101.0.2', '127.101.256.1', '127.101.01.1', '10.101.0.1', undefined, 7]) expect(addressSlot(other)).toBeUndefined();
  });

  it('takes a name\'s number as its slot when there is one', () => {
    expect(['host-1', 'sim-151', 'worker17', 'worker', 'host-38400', 'host-9999999'].map(preferredSlot)).toEqual([1, 151, 17, undefined, undefined, undefined]);
  });

  it('gives 400 hosts 400 addresses, none a loopback pod\'s, hosts past 150 included', () => {
    const hosts = Array.from({ length: 400 }, (_, i) => ({ name: `sim-${i + 1}` }));
    const addresses = assignHostAddresses(hosts);
    expect(new Set(addresses.values()).size).toBe(400);
    expect(addresses.get('sim-1')).toBe('127.101.0.1');
    expect(addresses.get('sim-151')).toBe('127.101.1.1');
    expect(addresses.get('sim-400')).toBe('127.200.2.1');
    // crx-runtime gives loopback pods .2 to .251: a host's .1 is never one.
    for (const a of addresses.values()) expect(a).toMatch(/^127\.(1\d\d|2[0-4]\d)\.\d+\.1$/);
  });

  it('gives names without a number, or with one an older host took, the highest free slots; oldest first', () => {
    const addresses = assignHostAddresses([
      { name: 'b-1', createdAt: '2026-01-01T00:00:02Z' },
      { name: 'a-1', createdAt: '2026-01-01T00:00:01Z' },
      { name: 'worker', createdAt: '2026-01-01T00:00:03Z' },
      { name: 'edge', createdAt: '2026-01-01T00:00:03Z' },
    ]);
    expect(Object.fromEntries(addresses)).toEqual({ 'a-1': '127.101.0.1', 'b-1': '127.249.255.1', edge: '127.248.255.1', worker: '127.247.255.1' });
  });

  it('keeps the address a host\'s Node carries, unless an older host holds it', () => {
    const addresses = assignHostAddresses([
      { name: 'host-1', annotated: '127.249.255.1', createdAt: '2026-01-01T00:00:01Z' },
      { name: 'worker', annotated: '127.249.255.1', createdAt: '2026-01-01T00:00:02Z' },
      { name: 'host-2', annotated: 'not an address', createdAt: '2026-01-01T00:00:03Z' },
    ]);
    expect(Object.fromEntries(addresses)).toEqual({ 'host-1': '127.249.255.1', worker: '127.248.255.1', 'host-2': '127.102.0.1' });
  });

  it('never gives an address of the Service, LoadBalancer or VirtualMachineService ranges', () => {
    // host-100..103 would be 127.200-203.0.1: VM service ingress and cluster IPs, loopback cluster IPs and ingress.
    const hosts = ['host-99', 'host-100', 'host-101', 'host-102', 'host-103', 'host-104'].map((name, i) => ({ name, createdAt: `2026-01-01T00:00:0${i}Z` }));
    expect(Object.fromEntries(assignHostAddresses(hosts, hostAddressUsable(LOOPBACK_NETWORK)))).toEqual({
      'host-99': '127.199.0.1', 'host-100': '127.249.255.1', 'host-101': '127.248.255.1', 'host-102': '127.247.255.1', 'host-103': '127.246.255.1', 'host-104': '127.204.0.1',
    });
    // With the cluster's ranges elsewhere (10.x), only the VM service range is kept out.
    const usable = hostAddressUsable({ serviceCIDR: '10.96.0.0/16', loadBalancerCIDR: '10.128.0.0/16' });
    expect(['127.200.0.1', '127.201.3.1', '127.202.0.1', '127.203.0.1'].map(usable)).toEqual([false, false, true, true]);
  });

  it('gives no address past the last slot', () => {
    const hosts = Array.from({ length: HOST_ADDRESS_SLOTS + 2 }, (_, i) => ({ name: `n-${i}` }));
    const addresses = assignHostAddresses(hosts);
    expect(addresses.size).toBe(HOST_ADDRESS_SLOTS);
    expect(new Set(addresses.values()).size).toBe(HOST_ADDRESS_SLOTS);
  });
});

describe('kube-proxy health', () => {
  const ready = (status: string, extra: any = {}) => ({ metadata: { name: 'h', ...extra.metadata }, spec: extra.spec, status: { conditions: [{ type: 'Ready', status, lastTransitionTime: '2026-01-02T03:04:05Z' }] } });

  it('says a Node is eligible unless being deleted or tainted ToBeDeletedByClusterAutoscaler, and healthy while Ready', () => {
    expect(hostProxyState(ready('True'))).toEqual({ eligible: true, healthy: true });
    expect(hostProxyState(ready('False'))).toEqual({ eligible: true, healthy: false, lastUpdated: new Date('2026-01-02T03:04:05Z') });
    expect(hostProxyState(ready('Unknown')).healthy).toBe(false);
    expect(hostProxyState({ metadata: { name: 'h' } })).toEqual({ eligible: true, healthy: false });
    expect(hostProxyState(ready('True', { spec: { taints: [{ key: 'ToBeDeletedByClusterAutoscaler', effect: 'NoSchedule' }] } })).eligible).toBe(false);
    expect(hostProxyState(ready('True', { spec: { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] } })).eligible).toBe(true);
    expect(hostProxyState(ready('True', { metadata: { deletionTimestamp: '2026-01-03T00:00:00Z' } })).eligible).toBe(false);
  });

  it('prints times as Go prints a time.Time, with the monotonic reading of a clock time', () => {
    expect(goTimeString(new Date('2026-01-02T03:04:05Z'))).toBe('2026-01-02 03:04:05 +0000 UTC');
    expect(goTimeString(new Date('2026-01-02T03:04:05.120Z'), 5_000_000_001n)).toBe('2026-01-02 03:04:05.12 +0000 UTC m=+5.000000001');
    expect(goTimeString(undefined)).toBe('0001-01-01 00:00:00 +0000 UTC');
  });

  it('answers /healthz and /livez with kube-proxy\'s JSON: 503 when unhealthy, /healthz also when not eligible', () => {
    const now = new Date('2026-01-02T03:04:06.5Z');
    const current = '2026-01-02 03:04:06.5 +0000 UTC m=+7.000000000';
    expect(proxyHealthAnswer('healthz', { eligible: true, healthy: true }, now, 7_000_000_000n)).toEqual({
      status: 200, body: `{"lastUpdated": "${current}","currentTime": "${current}", "nodeEligible": true}`,
    });
    expect(proxyHealthAnswer('healthz', { eligible: false, healthy: true }, now, 7_000_000_000n)).toEqual({
      status: 503, body: `{"lastUpdated": "${current}","currentTime": "${current}", "nodeEligible": false}`,
    });
    expect(proxyHealthAnswer('livez', { eligible: false, healthy: true }, now, 7_000_000_000n)).toEqual({ status: 200, body: `{"lastUpdated": "${current}","currentTime": "${current}"}` });
    const down = { eligible: true, healthy: false, lastUpdated: new Date('2026-01-02T03:04:05Z') };
    expect(proxyHealthAnswer('healthz', down, now, 7_000_000_000n)).toEqual({
      status: 503, body: `{"lastUpdated": "2026-01-02 03:04:05 +0000 UTC","currentTime": "${current}", "nodeEligible": true}`,
    });
    expect(proxyHealthAnswer('livez', down, now, 7_000_000_000n).status).toBe(503);
  });
});
