import { podServiceEndpoints, resolveTargetPort } from './pod-endpoints';

const pod = (name: string, opts: { ready?: boolean; ip?: string; labels?: any; ports?: any[]; deleting?: boolean; ns?: string; phase?: string } = {}) => ({
  metadata: { name, namespace: opts.ns ?? 'ns', uid: `uid-${name}`, labels: opts.labels ?? { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { nodeName: 'host-1', containers: [{ name: 'c', ports: opts.ports ?? [] }] },
  status: { phase: opts.phase ?? 'Running', podIP: opts.ip ?? `127.1.0.${name.length}`, conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
});
const service = (ports: any[], selector: any = { app: 'web' }) => ({ metadata: { name: 's', namespace: 'ns' }, spec: { selector, ports } });

describe('podServiceEndpoints', () => {
  it('proxies to Ready pods only and lists the others with their conditions', () => {
    const result = podServiceEndpoints(service([{ port: 80, targetPort: 8080, protocol: 'TCP' }]), [
      pod('a', { ip: '127.1.0.1' }),
      pod('b', { ip: '127.1.0.2', ready: false }),
      pod('c', { ip: '127.1.0.3', deleting: true }),
      pod('d', { ip: '127.1.0.4', labels: { app: 'other' } }),
      pod('e', { ip: '127.1.0.5', ns: 'elsewhere' }),
    ]);
    expect(result.backends.get('TCP/80')).toEqual([{ address: '127.1.0.1', port: 8080 }]);
    expect(result.endpoints.map((e) => [e.targetRef.name, e.conditions])).toEqual([
      ['a', { ready: true, serving: true, terminating: false }],
      ['b', { ready: false, serving: false, terminating: false }],
      ['c', { ready: false, serving: true, terminating: true }],
    ]);
    expect(result.endpoints[0]).toMatchObject({ addresses: ['127.1.0.1'], nodeName: 'host-1', targetRef: { kind: 'Pod', uid: 'uid-a' } });
  });

  it('sends connections to pods serving while they terminate only when no pod is ready, as kube-proxy', () => {
    const svc = service([{ port: 80, targetPort: 8080, protocol: 'TCP' }]);
    const draining = [pod('a', { ip: '127.1.0.1', deleting: true }), pod('b', { ip: '127.1.0.2', deleting: true, ready: false }), pod('c', { ip: '127.1.0.3', ready: false })];
    expect(podServiceEndpoints(svc, draining).backends.get('TCP/80')).toEqual([{ address: '127.1.0.1', port: 8080 }]);
    expect(podServiceEndpoints(svc, [...draining, pod('d', { ip: '127.1.0.4' })]).backends.get('TCP/80')).toEqual([{ address: '127.1.0.4', port: 8080 }]);
    expect(podServiceEndpoints(svc, draining.slice(1)).backends.get('TCP/80')).toEqual([]);
  });

  it('lists not-ready and terminating pods as ready when the Service publishes not-ready addresses, serving as their readiness says', () => {
    const svc = service([{ port: 80, targetPort: 8080, protocol: 'TCP' }]);
    (svc.spec as any).publishNotReadyAddresses = true;
    const result = podServiceEndpoints(svc, [pod('a', { ip: '127.1.0.1', ready: false }), pod('b', { ip: '127.1.0.2', deleting: true }), pod('c', { ip: '127.1.0.3', ready: false, deleting: true })]);
    expect(result.endpoints.map((e) => [e.targetRef.name, e.conditions])).toEqual([
      ['a', { ready: true, serving: false, terminating: false }],
      ['b', { ready: true, serving: true, terminating: true }],
      ['c', { ready: true, serving: false, terminating: true }],
    ]);
    expect(result.backends.get('TCP/80')).toEqual(['127.1.0.1', '127.1.0.2', '127.1.0.3'].map((address) => ({ address, port: 8080 })));
  });

  it('leaves out pods without an address and pods that have finished, whatever they last said of readiness', () => {
    const result = podServiceEndpoints(service([{ port: 80, protocol: 'TCP' }]), [
      pod('a', { ip: '127.1.0.1' }),
      pod('b', { ip: '127.1.0.2', phase: 'Succeeded' }),
      pod('c', { ip: '127.1.0.3', phase: 'Failed' }),
      { ...pod('d'), status: { phase: 'Pending', conditions: [] } },
      pod('e', { ip: '127.1.0.5', phase: 'Pending', ready: false }),
    ]);
    expect(result.endpoints.map((e) => e.targetRef.name)).toEqual(['a', 'e']);
  });

  it('resolves a named target port per pod and leaves out a pod that does not declare it', () => {
    const result = podServiceEndpoints(service([{ port: 80, targetPort: 'http', protocol: 'TCP' }]), [
      pod('a', { ip: '127.1.0.1', ports: [{ name: 'http', containerPort: 8081 }] }),
      pod('b', { ip: '127.1.0.2', ports: [{ name: 'http', containerPort: 8082 }] }),
      pod('c', { ip: '127.1.0.3', ports: [{ name: 'metrics', containerPort: 9090 }] }),
    ]);
    expect(result.backends.get('TCP/80')).toEqual([{ address: '127.1.0.1', port: 8081 }, { address: '127.1.0.2', port: 8082 }]);
    expect(result.endpoints.map((e) => e.targetRef.name)).toEqual(['a', 'b']);
    expect(result.unresolved).toEqual([{ pod: 'c', portName: 'http' }]);
    // Each endpoint's slice ports at its own target port (pods a and b so go in different slices).
    expect(result.endpointPorts).toEqual([[{ name: '', port: 8081, protocol: 'TCP' }], [{ name: '', port: 8082, protocol: 'TCP' }]]);
  });

  it('gives the slice ports of the Service ports a pod serves, with their appProtocol', () => {
    const svc = service([{ name: 'web', port: 80, targetPort: 8080, protocol: 'TCP', appProtocol: 'http' }, { name: 'admin', port: 81, targetPort: 'admin', protocol: 'TCP' }]);
    const result = podServiceEndpoints(svc, [pod('a', { ip: '127.1.0.1' }), pod('b', { ip: '127.1.0.2', ports: [{ name: 'admin', containerPort: 9000 }] })]);
    expect(result.endpointPorts).toEqual([
      [{ name: 'web', port: 8080, protocol: 'TCP', appProtocol: 'http' }],
      [{ name: 'web', port: 8080, protocol: 'TCP', appProtocol: 'http' }, { name: 'admin', port: 9000, protocol: 'TCP' }],
    ]);
  });

  it('selects nothing without a selector', () => {
    const result = podServiceEndpoints(service([{ port: 80, protocol: 'TCP' }], {}), [pod('a')]);
    expect(result.endpoints).toEqual([]);
    expect(result.backends.get('TCP/80')).toEqual([]);
  });

  it('gives an endpoint the pod\'s hostname only when its subdomain names the Service, headless or not', () => {
    const named = (name: string, spec: any) => { const p = pod(name, { ip: `127.1.0.${name.length}` }); Object.assign(p.spec, spec); return p; };
    const pods = [
      named('db-0', { hostname: 'db-0', subdomain: 's' }),
      named('db-10', { hostname: 'db-10', subdomain: 'other' }),
      named('db-200', { hostname: 'db-200' }),
      named('db-3000', { subdomain: 's' }),
    ];
    for (const svc of [service([{ port: 5432, protocol: 'TCP' }]), { ...service([{ port: 5432, protocol: 'TCP' }]), spec: { selector: { app: 'web' }, clusterIP: 'None', ports: [] } }]) {
      const result = podServiceEndpoints(svc, pods);
      expect(result.endpoints.map((e) => [e.targetRef.name, e.hostname])).toEqual([['db-0', 'db-0'], ['db-10', undefined], ['db-200', undefined], ['db-3000', undefined]]);
      expect(result.endpoints.filter((e) => 'hostname' in e)).toHaveLength(1);
    }
  });

  it('defaults the target port to the port', () => {
    expect(resolveTargetPort(pod('a'), undefined, 80, 'TCP')).toBe(80);
    expect(resolveTargetPort(pod('a'), '8080', 80, 'TCP')).toBe(8080);
  });

  it('keeps the backends of one port number apart by protocol, named target ports resolved per protocol', () => {
    const dns = pod('a', { ip: '10.64.1.2', ports: [{ name: 'dns', containerPort: 5353, protocol: 'UDP' }, { name: 'dns', containerPort: 5354, protocol: 'TCP' }] });
    const result = podServiceEndpoints(service([{ name: 'udp', port: 53, targetPort: 'dns', protocol: 'UDP' }, { name: 'tcp', port: 53, targetPort: 'dns', protocol: 'TCP' }]), [dns]);
    expect(result.backends.get('UDP/53')).toEqual([{ address: '10.64.1.2', port: 5353 }]);
    expect(result.backends.get('TCP/53')).toEqual([{ address: '10.64.1.2', port: 5354 }]);
  });
});
