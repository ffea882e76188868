import { ENDPOINT_SLICE_MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '@openpacific/contracts';
import { hasSelector, sliceServiceBackends } from './slice-backends';

const service = (ports: any[], name = 'ext', namespace = 'ns') => ({ metadata: { name, namespace }, spec: { ports } });
const slice = (name: string, ports: any[], endpoints: any[], opts: { service?: string; ns?: string; addressType?: string; labels?: any } = {}) => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
  metadata: { name, namespace: opts.ns ?? 'ns', labels: opts.labels ?? { [SERVICE_NAME_LABEL]: opts.service ?? 'ext' } },
  addressType: opts.addressType ?? 'IPv4', ports, endpoints,
});
const ep = (addresses: string[], conditions?: any) => (conditions === undefined ? { addresses } : { addresses, conditions });

describe('hasSelector', () => {
  it('is true only for a selector with a label', () => {
    expect(hasSelector({ spec: { selector: { app: 'web' } } })).toBe(true);
    expect(hasSelector({ spec: { selector: {} } })).toBe(false);
    expect(hasSelector({ spec: {} })).toBe(false);
    expect(hasSelector({ spec: { selector: null } })).toBe(false);
    expect(hasSelector({})).toBe(false);
  });
});

describe('sliceServiceBackends', () => {
  const https = [{ name: 'https', port: 6443, protocol: 'TCP' }];

  it('takes endpoints whose ready condition is not false, absent counting as ready, terminating or not', () => {
    const backends = sliceServiceBackends(service([{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }]), [
      slice('ext', https, [
        ep(['10.0.0.1'], { ready: true }),
        ep(['10.0.0.2'], { ready: false }),
        ep(['10.0.0.3']),
        ep(['10.0.0.4'], {}),
        // Ready while terminating: a Service publishing not-ready addresses says so, and kube-proxy goes by ready.
        ep(['10.0.0.5'], { ready: true, terminating: true }),
        ep(['10.0.0.6'], { ready: false, serving: true, terminating: true }),
        ep(['10.0.0.7'], { terminating: false }),
      ]),
    ]);
    expect(backends.get('TCP/443')).toEqual([
      { address: '10.0.0.1', port: 6443 }, { address: '10.0.0.3', port: 6443 }, { address: '10.0.0.4', port: 6443 }, { address: '10.0.0.5', port: 6443 }, { address: '10.0.0.7', port: 6443 },
    ]);
  });

  it('falls back to the endpoints serving while they terminate when none is ready, across slices', () => {
    const svc = service([{ name: 'https', port: 443, protocol: 'TCP' }]);
    const draining = [
      slice('ext-a', https, [ep(['10.0.0.1'], { ready: false, serving: true, terminating: true }), ep(['10.0.0.2'], { ready: false, serving: false, terminating: true })]),
      slice('ext-b', https, [ep(['10.0.0.3'], { ready: false, serving: false, terminating: false }), ep(['10.0.0.4'], { ready: false, terminating: true })]),
    ];
    // Serving absent counts as serving, as ready absent counts as ready.
    expect(sliceServiceBackends(svc, draining).get('TCP/443')).toEqual([{ address: '10.0.0.1', port: 6443 }, { address: '10.0.0.4', port: 6443 }]);
    const withReady = [...draining, slice('ext-c', https, [ep(['10.0.0.5'], { ready: true, serving: true, terminating: false })])];
    expect(sliceServiceBackends(svc, withReady).get('TCP/443')).toEqual([{ address: '10.0.0.5', port: 6443 }]);
    const noneServing = [slice('ext-a', https, [ep(['10.0.0.2'], { ready: false, serving: false, terminating: true }), ep(['10.0.0.3'], { ready: false, serving: true, terminating: false })])];
    expect(sliceServiceBackends(svc, noneServing).get('TCP/443')).toEqual([]);
  });

  it('takes every address of an endpoint', () => {
    const backends = sliceServiceBackends(service([{ name: 'https', port: 443, protocol: 'TCP' }]), [slice('ext', https, [ep(['10.0.0.1', '10.0.0.2'])])]);
    expect(backends.get('TCP/443')).toEqual([{ address: '10.0.0.1', port: 6443 }, { address: '10.0.0.2', port: 6443 }]);
  });

  it('finds the target port by the Service port\'s name and protocol, unnamed as \'\'', () => {
    const svc = service([
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'metrics', port: 9100, protocol: 'TCP' },
    ]);
    const backends = sliceServiceBackends(svc, [
      slice('ext', [
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: 'dns', port: 5353, protocol: 'UDP' },
        { name: 'dns-tcp', port: 5354 }, // protocol defaults to TCP
        { name: 'metrics', port: 9100, protocol: 'UDP' }, // another protocol: not the TCP port's
      ], [ep(['10.0.0.1'])]),
    ]);
    expect(backends.get('TCP/80')).toEqual([{ address: '10.0.0.1', port: 8080 }]);
    expect(backends.get('UDP/53')).toEqual([{ address: '10.0.0.1', port: 5353 }]);
    expect(backends.get('TCP/53')).toEqual([{ address: '10.0.0.1', port: 5354 }]);
    expect(backends.get('TCP/9100')).toEqual([]);

    const unnamed = sliceServiceBackends(service([{ port: 80 }]), [
      slice('a', [{ name: 'http', port: 8080, protocol: 'TCP' }], [ep(['10.0.0.1'])]),
      slice('b', [{ port: 8081, protocol: 'TCP' }], [ep(['10.0.0.2'])]),
      slice('c', [{ name: '', port: 8082, protocol: 'TCP' }], [ep(['10.0.0.3'])]),
    ]);
    expect(unnamed.get('TCP/80')).toEqual([{ address: '10.0.0.2', port: 8081 }, { address: '10.0.0.3', port: 8082 }]);
  });

  it('skips a slice without a matching port or with no usable port number', () => {
    const svc = service([{ name: 'https', port: 443, protocol: 'TCP' }]);
    const backends = sliceServiceBackends(svc, [
      slice('a', [], [ep(['10.0.0.1'])]),
      slice('b', [{ name: 'https', protocol: 'TCP' }], [ep(['10.0.0.2'])]),
      slice('c', [{ name: 'https', port: 0, protocol: 'TCP' }], [ep(['10.0.0.3'])]),
      { ...slice('d', https, [ep(['10.0.0.4'])]), ports: undefined },
      slice('e', https, [ep(['10.0.0.5'])]),
    ]);
    expect(backends.get('TCP/443')).toEqual([{ address: '10.0.0.5', port: 6443 }]);
  });

  it('merges the Service\'s slices, whoever wrote them, in the order of their names, a backend once', () => {
    const backends = sliceServiceBackends(service([{ name: 'https', port: 443, protocol: 'TCP' }]), [
      slice('ext-b', https, [ep(['10.0.0.2']), ep(['10.0.0.1'])]),
      slice('ext-a', https, [ep(['10.0.0.1'])], { labels: { [SERVICE_NAME_LABEL]: 'ext', [ENDPOINT_SLICE_MANAGED_BY_LABEL]: 'someone.example.com' } }),
      slice('ext-c', [{ name: 'https', port: 7443, protocol: 'TCP' }], [ep(['10.0.0.1'])]),
    ]);
    expect(backends.get('TCP/443')).toEqual([{ address: '10.0.0.1', port: 6443 }, { address: '10.0.0.2', port: 6443 }, { address: '10.0.0.1', port: 7443 }]);
  });

  it('ignores other namespaces\' slices, other Services\' and unlabelled ones, and non-IPv4 ones and addresses', () => {
    const backends = sliceServiceBackends(service([{ name: 'https', port: 443, protocol: 'TCP' }]), [
      slice('ext', https, [ep(['10.0.0.1'])], { ns: 'elsewhere' }),
      slice('other', https, [ep(['10.0.0.2'])], { service: 'other' }),
      slice('ext-unlabelled', https, [ep(['10.0.0.3'])], { labels: {} }),
      slice('ext-v6', https, [ep(['fd00::1'])], { addressType: 'IPv6' }),
      slice('ext-fqdn', https, [ep(['db.example.com'])], { addressType: 'FQDN' }),
      slice('ext', https, [ep(['10.0.0.9', 'fd00::9', 'not-an-ip', '10.0.0.256'])]),
    ]);
    expect(backends.get('TCP/443')).toEqual([{ address: '10.0.0.9', port: 6443 }]);
  });

  it('gives every Service port an entry, empty without slices', () => {
    const backends = sliceServiceBackends(service([{ name: 'a', port: 1, protocol: 'TCP' }, { name: 'b', port: 2, protocol: 'UDP' }]), []);
    expect([...backends]).toEqual([['TCP/1', []], ['UDP/2', []]]);
  });
});
