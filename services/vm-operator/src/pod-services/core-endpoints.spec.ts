import { addressesOverMirrorCap, isMirrorable, mirroredSlices, podServiceEndpointsLabels, podServiceSubsets, truncateSubsets } from './core-endpoints';

const service = (spec: any = {}, labels?: any) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'shop', name: 'web', uid: 'svc-uid', ...(labels ? { labels } : {}) },
  spec: { clusterIP: '10.97.0.5', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...spec },
});
const pod = (name: string, ip: string | undefined, opts: { ready?: boolean; phase?: string; deleting?: boolean; port?: number; spec?: any; ns?: string; labels?: any } = {}) => ({
  metadata: { namespace: opts.ns ?? 'shop', name, uid: `uid-${name}`, labels: opts.labels ?? { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { nodeName: 'esx-1', containers: [{ name: 'c', ports: opts.port === undefined ? [{ name: 'http', containerPort: 8080 }] : opts.port ? [{ name: 'http', containerPort: opts.port }] : [] }], ...opts.spec },
  status: { phase: opts.phase ?? 'Running', ...(ip ? { podIP: ip } : {}), conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
});
const addr = (name: string, ip: string, extra: any = {}) => ({ ip, nodeName: 'esx-1', targetRef: { kind: 'Pod', namespace: 'shop', name, uid: `uid-${name}` }, ...extra });

describe('podServiceSubsets (the endpoints controller)', () => {
  it('lists ready pods in addresses and not-ready ones in notReadyAddresses, sorted by IP, at the resolved target port', () => {
    const pods = [pod('web-b', '10.0.0.9'), pod('web-a', '10.0.0.10'), pod('web-c', '10.0.0.2', { ready: false }), pod('other', '10.0.0.3', { labels: { app: 'db' } }), pod('elsewhere', '10.0.0.4', { ns: 'dev' })];
    expect(podServiceSubsets(service(), pods)).toEqual([{
      addresses: [addr('web-a', '10.0.0.10'), addr('web-b', '10.0.0.9')],
      notReadyAddresses: [addr('web-c', '10.0.0.2')],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    }]);
  });

  it('leaves out finished pods, pods without an address, and terminating pods unless not-ready addresses are published', () => {
    const pods = [pod('done', '10.0.0.1', { phase: 'Succeeded' }), pod('failed', '10.0.0.2', { phase: 'Failed' }), pod('pending', undefined), pod('going', '10.0.0.3', { deleting: true }), pod('up', '10.0.0.4', { ready: false })];
    expect(podServiceSubsets(service(), pods)).toEqual([{ notReadyAddresses: [addr('up', '10.0.0.4')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }]);
    // Published: every such pod is an address, Ready or not, terminating or not.
    expect(podServiceSubsets(service({ publishNotReadyAddresses: true }), pods)).toEqual([{ addresses: [addr('going', '10.0.0.3'), addr('up', '10.0.0.4')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }]);
    expect(podServiceSubsets(service(), [pod('done', '10.0.0.1', { phase: 'Succeeded' })])).toEqual([]);
  });

  it('groups pods by the ports they serve: a named port resolved per pod, a pod declaring none of them left out', () => {
    const svc = service({ ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'admin', port: 81, targetPort: 9000, protocol: 'TCP', appProtocol: 'http' }] });
    const pods = [pod('new', '10.0.0.1', { port: 8081 }), pod('old', '10.0.0.2'), pod('old-2', '10.0.0.3', { ready: false }), pod('bare', '10.0.0.4', { port: 0 })];
    const admin = { name: 'admin', port: 9000, protocol: 'TCP', appProtocol: 'http' };
    expect(podServiceSubsets(svc, pods)).toEqual([
      { addresses: [addr('bare', '10.0.0.4')], ports: [admin] },
      { addresses: [addr('old', '10.0.0.2')], notReadyAddresses: [addr('old-2', '10.0.0.3')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, admin] },
      { addresses: [addr('new', '10.0.0.1')], ports: [{ name: 'http', port: 8081, protocol: 'TCP' }, admin] },
    ]);
    // A Service with one port resolved by none of its pods has no subsets.
    expect(podServiceSubsets(service(), [pod('bare', '10.0.0.4', { port: 0 })])).toEqual([]);
  });

  it('names a pod whose subdomain is the Service by its hostname, and lists a headless Service\'s pods without ports', () => {
    const sts = pod('db-0', '10.0.0.7', { spec: { hostname: 'db-0', subdomain: 'web' } });
    const other = pod('db-1', '10.0.0.8', { spec: { hostname: 'db-1', subdomain: 'peers' } });
    expect(podServiceSubsets(service({ clusterIP: 'None', ports: [] }), [sts, other])).toEqual([{ addresses: [addr('db-0', '10.0.0.7', { hostname: 'db-0' }), addr('db-1', '10.0.0.8')] }]);
    expect(podServiceSubsets(service({ ports: [] }), [sts])).toEqual([]);
  });

  it('labels the Endpoints with the Service\'s labels, skip-mirror, and the headless mark', () => {
    expect(podServiceEndpointsLabels(service({}, { tier: 'front' }))).toEqual({ tier: 'front', 'endpointslice.kubernetes.io/skip-mirror': 'true' });
    expect(podServiceEndpointsLabels(service({ clusterIP: 'None' }))).toEqual({ 'endpointslice.kubernetes.io/skip-mirror': 'true', 'service.kubernetes.io/headless': '' });
  });
});

describe('mirroredSlices (the EndpointSliceMirroring controller)', () => {
  const endpoints = (subsets: any[], metadata: any = {}) => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'shop', name: 'legacy', uid: 'ep-uid', ...metadata }, subsets });

  it('mirrors addresses as ready endpoints and notReadyAddresses as not ready, one slice per ports and address type', () => {
    const ep = endpoints([
      { addresses: [{ ip: '192.168.7.10', hostname: 'a', nodeName: 'n' }, { ip: '2001:db8::1' }], notReadyAddresses: [{ ip: '192.168.7.11', targetRef: { kind: 'Pod', name: 'p' } }, { ip: 'nonsense' }], ports: [{ name: 'pg', port: 5432 }] },
      { addresses: [{ ip: '192.168.7.10' }, { ip: '192.168.7.12' }], ports: [{ name: 'pg', port: 5432 }] },
      { addresses: [{ ip: '192.168.7.20' }], ports: [{ port: 6379, protocol: 'TCP' }] },
    ], { labels: { team: 'data', 'kubernetes.io/service-name': 'wrong' }, annotations: { note: 'x', 'endpoints.kubernetes.io/last-change-trigger-time': 't' } });
    const slices = mirroredSlices(ep);
    expect(slices.map((s) => [s.slice.addressType, s.slice.ports, s.slice.endpoints])).toEqual([
      ['IPv4', [{ name: 'pg', port: 5432, protocol: 'TCP' }], [
        // Repacked: the ready addresses of both subsets first, by IP, then the not-ready ones.
        { addresses: ['192.168.7.10'], conditions: { ready: true }, hostname: 'a', nodeName: 'n' },
        { addresses: ['192.168.7.12'], conditions: { ready: true } },
        { addresses: ['192.168.7.11'], conditions: { ready: false }, targetRef: { kind: 'Pod', name: 'p' } },
      ]],
      ['IPv6', [{ name: 'pg', port: 5432, protocol: 'TCP' }], [{ addresses: ['2001:db8::1'], conditions: { ready: true } }]],
      ['IPv4', [{ name: '', port: 6379, protocol: 'TCP' }], [{ addresses: ['192.168.7.20'], conditions: { ready: true } }]],
    ]);
    for (const { name, slice } of slices) {
      expect(name).toMatch(/^legacy-[0-9a-f]{5}$/);
      expect(slice.metadata).toEqual({
        name, namespace: 'shop',
        labels: { team: 'data', 'kubernetes.io/service-name': 'legacy', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' },
        annotations: { note: 'x' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: 'legacy', uid: 'ep-uid', controller: true, blockOwnerDeletion: true }],
      });
    }
    expect(new Set(slices.map((s) => s.name)).size).toBe(3);
    // The same ports give the same names on the next pass, whatever else changed.
    expect(mirroredSlices(endpoints([{ addresses: [{ ip: '192.168.7.99' }], ports: [{ port: 6379 }] }])).map((s) => s.name)).toEqual([slices[2].name]);
  });

  it('mirrors at most 1000 addresses per set of ports, ready ones first, and counts the rest left out', () => {
    const ips = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ ip: `${prefix}.${Math.floor(i / 250)}.${i % 250}` }));
    const ep = endpoints([
      { addresses: ips('10.1', 700), notReadyAddresses: ips('10.2', 400), ports: [{ name: 'http', port: 80 }] },
      // The same ports: the same subset once repacked, so under the same cap.
      { addresses: ips('10.3', 200), ports: [{ name: 'http', port: 80 }] },
      { addresses: [...ips('10.4', 5), { ip: 'not-an-ip' }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
    ]);
    const slices = mirroredSlices(ep);
    const http = slices.find((s) => s.slice.ports[0].name === 'http')!.slice.endpoints;
    expect(http).toHaveLength(1000);
    expect(http.filter((e: any) => e.conditions.ready)).toHaveLength(900);
    expect(http.filter((e: any) => !e.conditions.ready).every((e: any) => e.addresses[0].startsWith('10.2.'))).toBe(true);
    expect(slices.find((s) => s.slice.ports[0].name === 'dns')!.slice.endpoints).toHaveLength(5);
    // 1300 valid addresses of http over the cap of 1000; the address that is no IP is not counted as over it.
    expect(addressesOverMirrorCap(ep)).toBe(300);
    expect(mirroredSlices(ep, 3).map((s) => s.slice.endpoints.length)).toEqual([3, 3]);
    expect(addressesOverMirrorCap(ep, 3)).toBe(1297 + 2);
  });

  it('mirrors nothing for Endpoints without subsets, and never the endpoints controller\'s own', () => {
    expect(mirroredSlices(endpoints([]))).toEqual([]);
    expect(mirroredSlices({ metadata: { namespace: 'shop', name: 'legacy', uid: 'u' } })).toEqual([]);
    expect(isMirrorable(endpoints([], { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }))).toBe(false);
    expect(isMirrorable(endpoints([], { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'false' } }))).toBe(true);
  });
});

describe('truncateSubsets (the endpoints controller\'s cap)', () => {
  const ips = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ ip: `${prefix}.${i}` }));
  const ports = (port: number) => [{ port, protocol: 'TCP' }];

  it('leaves subsets that fit as they are', () => {
    const subsets = [{ addresses: ips('10.0.0', 6), notReadyAddresses: ips('10.0.1', 4), ports: ports(80) }];
    expect(truncateSubsets(subsets, 10)).toEqual({ subsets, truncated: false });
  });

  it('keeps every ready address and cuts the not-ready ones in proportion to the room left', () => {
    const { subsets, truncated } = truncateSubsets([
      { addresses: ips('10.0.0', 4), notReadyAddresses: ips('10.0.1', 6), ports: ports(80) },
      { addresses: ips('10.1.0', 2), notReadyAddresses: ips('10.1.1', 2), ports: ports(81) },
    ], 10);
    expect(truncated).toBe(true);
    // Room for 4 not-ready of 8: ceil(6/8*4) = 3 from the first subset, the 1 left from the second.
    expect(subsets).toEqual([
      { addresses: ips('10.0.0', 4), notReadyAddresses: ips('10.0.1', 3), ports: ports(80) },
      { addresses: ips('10.1.0', 2), notReadyAddresses: ips('10.1.1', 1), ports: ports(81) },
    ]);
  });

  it('when the ready addresses alone are too many, cuts them in proportion and drops every not-ready one', () => {
    const { subsets, truncated } = truncateSubsets([
      { addresses: ips('10.0.0', 9), notReadyAddresses: ips('10.0.1', 3), ports: ports(80) },
      { addresses: ips('10.1.0', 3), ports: ports(81) },
    ], 10);
    expect(truncated).toBe(true);
    // ceil(9/12*10) = 8, then the 2 left of ceil(3/12*10) = 3.
    expect(subsets).toEqual([{ addresses: ips('10.0.0', 8), ports: ports(80) }, { addresses: ips('10.1.0', 2), ports: ports(81) }]);
  });

  it('caps at 1000 by default', () => {
    const { subsets, truncated } = truncateSubsets([{ addresses: ips('10.0.0', 1001), ports: ports(80) }]);
    expect(truncated).toBe(true);
    expect(subsets[0].addresses).toHaveLength(1000);
  });
});
