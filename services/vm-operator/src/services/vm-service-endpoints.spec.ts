import { backendsFor, endpointsSubsets, ingressAddress, matchesSelector, readyEndpoints } from './vm-service-endpoints';

const vm = (name: string, opts: { ns?: string; labels?: Record<string, string>; ip?: string; ready?: string; probe?: boolean; deleting?: boolean } = {}) => ({
  apiVersion: 'vmoperator.vmware.com/v1alpha5',
  kind: 'VirtualMachine',
  metadata: { name, namespace: opts.ns ?? 'team-a', uid: `uid-${name}`, labels: opts.labels ?? { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
  spec: opts.probe ? { readinessProbe: { tcpSocket: { port: 8443 } } } : {},
  status: {
    network: opts.ip === undefined ? {} : { primaryIP4: opts.ip },
    conditions: [{ type: 'Ready', status: opts.ready ?? 'True' }],
  },
});

const service = {
  apiVersion: 'vmoperator.vmware.com/v1alpha5',
  kind: 'VirtualMachineService',
  metadata: { name: 'web', namespace: 'team-a' },
  spec: {
    type: 'LoadBalancer',
    selector: { app: 'web' },
    ports: [
      { name: 'https', protocol: 'TCP', port: 443, targetPort: 8443 },
      { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
    ],
  },
};

describe('matchesSelector', () => {
  it('matches when every selector label is present with the same value', () => {
    expect(matchesSelector({ app: 'web' }, { app: 'web', tier: 'front' })).toBe(true);
    expect(matchesSelector({ app: 'web', tier: 'front' }, { app: 'web', tier: 'front' })).toBe(true);
  });

  it('does not match a different value or a missing label', () => {
    expect(matchesSelector({ app: 'web' }, { app: 'db' })).toBe(false);
    expect(matchesSelector({ app: 'web', tier: 'front' }, { app: 'web' })).toBe(false);
    expect(matchesSelector({ app: 'web' }, undefined)).toBe(false);
  });

  it('matches nothing with an empty or missing selector', () => {
    expect(matchesSelector({}, { app: 'web' })).toBe(false);
    expect(matchesSelector(undefined, { app: 'web' })).toBe(false);
    expect(matchesSelector(undefined, undefined)).toBe(false);
  });
});

describe('readyEndpoints', () => {
  it('keeps the selected VMs with an IP in the service namespace that are ready, sorted by name', () => {
    const vms = [
      vm('web-2', { ip: '10.0.0.12' }),
      vm('web-1', { ip: '10.0.0.11' }),
      vm('web-3', { ip: '10.0.0.13', ready: 'False', probe: true }),
      vm('web-4'),
      vm('web-5', { ip: '10.0.0.15', ns: 'team-b' }),
      vm('web-6', { ip: '10.0.0.16', deleting: true }),
      vm('db-1', { ip: '10.0.0.21', labels: { app: 'db' } }),
    ];
    expect(readyEndpoints(service, vms)).toEqual([
      { name: 'web-1', ip: '10.0.0.11' },
      { name: 'web-2', ip: '10.0.0.12' },
    ]);
  });

  it('takes a VM with a readiness probe as ready only when its Ready condition is True', () => {
    expect(readyEndpoints(service, [vm('web-1', { ip: '10.0.0.11', probe: true, ready: 'True' })])).toEqual([{ name: 'web-1', ip: '10.0.0.11' }]);
    expect(readyEndpoints(service, [vm('web-1', { ip: '10.0.0.11', probe: true, ready: 'Unknown' })])).toEqual([]);
    const unprobed = { ...vm('web-1', { ip: '10.0.0.11', probe: true }), status: { network: { primaryIP4: '10.0.0.11' } } };
    expect(readyEndpoints(service, [unprobed])).toEqual([]);
  });

  it('takes a VM without a readiness probe as ready once it has an address, as VM Operator does', () => {
    const bare = { metadata: { name: 'web-1', namespace: 'team-a', labels: { app: 'web' } }, status: { network: { primaryIP4: '10.0.0.11' } } };
    expect(readyEndpoints(service, [bare])).toEqual([{ name: 'web-1', ip: '10.0.0.11' }]);
  });

  it('returns nothing for a service without a selector', () => {
    const noSelector = { ...service, spec: { ...service.spec, selector: undefined } };
    expect(readyEndpoints(noSelector, [vm('web-1', { ip: '10.0.0.11' })])).toEqual([]);
  });
});

describe('endpointsSubsets', () => {
  it('lists ready VMs in addresses and probed, not Ready ones in notReadyAddresses, at the target ports', () => {
    const vms = [vm('web-2', { ip: '10.0.0.12', probe: true, ready: 'False' }), vm('web-1', { ip: '10.0.0.11', probe: true }), vm('web-3'), vm('db-1', { ip: '10.0.0.21', labels: { app: 'db' } })];
    const ref = (name: string) => ({ apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', namespace: 'team-a', name, uid: `uid-${name}` });
    expect(endpointsSubsets(service, vms)).toEqual([
      {
        addresses: [{ ip: '10.0.0.11', targetRef: ref('web-1') }],
        notReadyAddresses: [{ ip: '10.0.0.12', targetRef: ref('web-2') }],
        ports: [
          { name: 'https', port: 8443, protocol: 'TCP' },
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'http', port: 8080, protocol: 'TCP' },
        ],
      },
    ]);
  });

  it('has no subsets when no selected VM has an address', () => {
    expect(endpointsSubsets(service, [vm('web-1')])).toEqual([]);
  });
});

describe('backendsFor', () => {
  const endpoints = [
    { name: 'web-1', ip: '10.0.0.11' },
    { name: 'web-2', ip: '10.0.0.12' },
  ];

  it('lists every endpoint at the target port of each TCP and UDP port, with its protocol', () => {
    expect(backendsFor(service, endpoints)).toEqual([
      { name: 'https', protocol: 'TCP', port: 443, backends: [{ address: '10.0.0.11', port: 8443 }, { address: '10.0.0.12', port: 8443 }] },
      { name: 'dns', protocol: 'UDP', port: 53, backends: [{ address: '10.0.0.11', port: 53 }, { address: '10.0.0.12', port: 53 }] },
      { name: 'http', protocol: 'TCP', port: 80, backends: [{ address: '10.0.0.11', port: 8080 }, { address: '10.0.0.12', port: 8080 }] },
    ]);
  });

  it('defaults the protocol to TCP, keeps one number\'s TCP and UDP ports apart, and leaves SCTP out', () => {
    const ports = [
      { name: 'dns-tcp', port: 53, targetPort: 5353 },
      { name: 'dns-udp', protocol: 'UDP', port: 53, targetPort: 5354 },
      { name: 'sig', protocol: 'SCTP', port: 3868 },
    ];
    expect(backendsFor({ spec: { ports } }, endpoints.slice(0, 1))).toEqual([
      { name: 'dns-tcp', protocol: 'TCP', port: 53, backends: [{ address: '10.0.0.11', port: 5353 }] },
      { name: 'dns-udp', protocol: 'UDP', port: 53, backends: [{ address: '10.0.0.11', port: 5354 }] },
    ]);
  });

  it('gives empty backend lists when there are no endpoints, and nothing without ports', () => {
    expect(backendsFor(service, []).map((p) => p.backends)).toEqual([[], [], []]);
    expect(backendsFor({ spec: {} }, endpoints)).toEqual([]);
  });
});

describe('ingressAddress', () => {
  it('derives an older service\'s stable 127.200.x.y address from 1-based indexes', () => {
    expect(ingressAddress(1, 1)).toBe('127.200.1.1');
    expect(ingressAddress(3, 254)).toBe('127.200.3.254');
    expect(ingressAddress(3, 7)).toBe(ingressAddress(3, 7));
  });

  it('throws a clear error outside the address range', () => {
    expect(() => ingressAddress(1, 255)).toThrow(/service index 255 is out of range.*1\.\.254/);
    expect(() => ingressAddress(1, 0)).toThrow(/service index 0 is out of range/);
    expect(() => ingressAddress(0, 1)).toThrow(/namespace index 0 is out of range/);
    expect(() => ingressAddress(256, 1)).toThrow(/namespace index 256 is out of range/);
    expect(() => ingressAddress(1.5, 1)).toThrow(RangeError);
  });
});
