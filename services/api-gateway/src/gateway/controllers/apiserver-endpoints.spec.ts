import { microTime } from '@openpacific/contracts';
import {
  expiredIdentityLeases, kubernetesEndpointsSubsets, kubernetesSlices, liveApiserverEndpoints, nextIdentityLeaseExpiryMs, parsePeerEndpoint,
} from './apiserver-endpoints';

const NOW = Date.parse('2026-12-04T03:30:00.000Z');

function identityLease(name: string, endpoint: string | undefined, renewedSecondsAgo: number, durationSeconds = 30, labels: Record<string, string> = { 'apiserver.kubernetes.io/identity': 'kube-apiserver' }): any {
  return {
    metadata: { name, namespace: 'kube-system', labels, annotations: endpoint ? { 'alpha.apiserver.kubernetes.io/peer-endpoint': endpoint } : {}, resourceVersion: '1' },
    spec: { holderIdentity: `${name}_0`, leaseDurationSeconds: durationSeconds, renewTime: microTime(new Date(NOW - renewedSecondsAgo * 1000)) },
  };
}

describe('the kubernetes Service\'s endpoints from the gateway replicas\' identity Leases', () => {
  it('lists every replica whose Lease is live, and the elected replica itself, once each, by address then port', () => {
    const leases = [
      identityLease('apiserver-b', '127.0.0.1:6444', 5),
      identityLease('apiserver-a', '127.0.0.1:6443', 29),
      identityLease('apiserver-c', '10.0.0.9:6443', 1),
    ];
    expect(liveApiserverEndpoints(leases, NOW, { lease: 'apiserver-self', endpoint: { address: '127.0.0.1', port: 6443 } })).toEqual([
      { address: '10.0.0.9', port: 6443 }, { address: '127.0.0.1', port: 6443 }, { address: '127.0.0.1', port: 6444 },
    ]);
  });

  it('names the elected replica where it serves now, not where its own Lease said before it restarted', () => {
    const leases = [identityLease('apiserver-self', '127.0.0.1:40001', 1), identityLease('apiserver-b', '127.0.0.1:40002', 1)];
    expect(liveApiserverEndpoints(leases, NOW, { lease: 'apiserver-self', endpoint: { address: '127.0.0.1', port: 40003 } })).toEqual([
      { address: '127.0.0.1', port: 40002 }, { address: '127.0.0.1', port: 40003 },
    ]);
  });

  it('leaves out a replica once renewTime plus leaseDurationSeconds has passed, and Leases that are no replica\'s', () => {
    const leases = [
      identityLease('apiserver-gone', '127.0.0.1:6444', 30),
      identityLease('apiserver-old', '127.0.0.1:6445', 100, 60),
      identityLease('user-lease', '127.0.0.1:6446', 1, 30, { app: 'mine' }),
      { ...identityLease('elsewhere', '127.0.0.1:6447', 1), metadata: { ...identityLease('x', '127.0.0.1:6447', 1).metadata, namespace: 'default' } },
      identityLease('apiserver-noaddress', undefined, 1),
    ];
    expect(liveApiserverEndpoints(leases, NOW, { lease: 'apiserver-self', endpoint: { address: '127.0.0.1', port: 6443 } })).toEqual([{ address: '127.0.0.1', port: 6443 }]);
    expect(expiredIdentityLeases(leases, NOW).map((l) => l.metadata.name)).toEqual(['apiserver-gone', 'apiserver-old']);
  });

  it('is due again when the first live Lease runs out', () => {
    const leases = [identityLease('a', '127.0.0.1:1', 10), identityLease('b', '127.0.0.1:2', 25), identityLease('c', '127.0.0.1:3', 40)];
    expect(nextIdentityLeaseExpiryMs(leases, NOW)).toBe(NOW + 5000);
    expect(nextIdentityLeaseExpiryMs([leases[2]], NOW)).toBeUndefined();
  });

  it('reads an IPv4 address and port from the peer-endpoint annotation, nothing else', () => {
    expect(parsePeerEndpoint('10.1.2.3:6443')).toEqual({ address: '10.1.2.3', port: 6443 });
    for (const bad of ['api:6443', '10.1.2.3', '10.1.2.3:0', '10.1.2.3:70000', '[::1]:6443', 300, undefined]) expect(parsePeerEndpoint(bad)).toBeUndefined();
  });

  it('puts the replicas of one port in slice kubernetes, those of further ports in kubernetes-<port>, and one Endpoints subset per port', () => {
    const live = [{ address: '10.0.0.2', port: 6443 }, { address: '10.0.0.1', port: 6443 }, { address: '127.0.0.1', port: 6444 }];
    const slices = kubernetesSlices(live);
    expect(slices.map((s) => s.name)).toEqual(['kubernetes', 'kubernetes-6444']);
    expect(slices[0].content).toEqual({
      addressType: 'IPv4',
      endpoints: ['10.0.0.2', '10.0.0.1'].map((a) => ({ addresses: [a], conditions: { ready: true, serving: true, terminating: false } })),
      ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
    });
    expect(kubernetesEndpointsSubsets(live)).toEqual([
      { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
      { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 6444, protocol: 'TCP' }] },
    ]);
  });
});
