import { parseResolvConf, podDns, podDnsWithConfig } from './pod-dns';

const HOST = { nameservers: ['192.0.2.53'], searches: ['corp.example'], options: ['edns0'] };
const pod = (spec: any) => ({ metadata: { name: 'p', namespace: 'shop' }, spec });
const CLUSTER = { nameservers: ['10.96.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] };

describe('podDns (kubelet\'s choice of resolver by dnsPolicy)', () => {
  it('gives a pod of its own network the cluster DNS for ClusterFirst, the default policy', () => {
    expect(podDns(pod({}), '10.96.0.10', () => HOST)).toEqual(CLUSTER);
    expect(podDns(pod({ dnsPolicy: 'ClusterFirst' }), '10.96.0.10', () => HOST)).toEqual(CLUSTER);
  });

  it('falls back to the host\'s resolver for ClusterFirst on the host\'s network, unless ClusterFirstWithHostNet', () => {
    expect(podDns(pod({ hostNetwork: true }), '10.96.0.10', () => HOST)).toEqual(HOST);
    expect(podDns(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), '10.96.0.10', () => HOST)).toEqual(CLUSTER);
  });

  it('gives Default the host\'s resolver on any network, and writes nothing for a cluster without DNS', () => {
    expect(podDns(pod({ dnsPolicy: 'Default' }), '10.96.0.10', () => HOST)).toEqual(HOST);
    expect(podDns(pod({}), undefined, () => HOST)).toBeUndefined();
  });

  it('gives None only its dnsConfig: no cluster DNS, no search path, no options it did not name', () => {
    const dnsConfig = { nameservers: ['1.1.1.1'], searches: ['corp.example.'], options: [{ name: 'edns0' }, { name: 'ndots', value: '2' }] };
    expect(podDns(pod({ dnsPolicy: 'None', dnsConfig }), '10.96.0.10', () => HOST)).toEqual({ nameservers: ['1.1.1.1'], searches: ['corp.example.'], options: ['edns0', 'ndots:2'] });
    expect(podDns(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'] } }), '10.96.0.10', () => HOST)).toEqual({ nameservers: ['1.1.1.1'], searches: [], options: [] });
  });

  it('adds a dnsConfig to what the other policies give, and applies it on a cluster without DNS', () => {
    const dnsConfig = { nameservers: ['10.96.0.10', '192.0.2.1'], searches: ['svc.cluster.local', 'corp.example'], options: [{ name: 'ndots', value: '1' }, { name: 'single-request' }] };
    expect(podDns(pod({ dnsConfig }), '10.96.0.10', () => HOST)).toEqual({
      nameservers: ['10.96.0.10', '192.0.2.1'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:1', 'single-request'],
    });
    expect(podDns(pod({ dnsPolicy: 'Default', dnsConfig }), '10.96.0.10', () => HOST)).toEqual({
      nameservers: ['192.0.2.53', '10.96.0.10', '192.0.2.1'], searches: ['corp.example', 'svc.cluster.local'], options: ['edns0', 'ndots:1', 'single-request'],
    });
    expect(podDns(pod({ dnsConfig: { nameservers: ['192.0.2.1'] } }), undefined, () => HOST)).toEqual({ nameservers: ['192.0.2.1'], searches: [], options: [] });
  });
});

describe('podDnsWithConfig (kubelet\'s merge and its limits)', () => {
  const base = { nameservers: ['10.0.0.1', '10.0.0.2'], searches: ['a.example'], options: ['ndots:5', 'rotate'] };

  it('merges options by name, the pod\'s last word winning, and drops a value-less option\'s old value', () => {
    const options = [{ name: 'rotate', value: '' }, { name: 'ndots', value: '3' }, { name: 'ndots' }, { name: 'timeout', value: '2' }];
    expect(podDnsWithConfig(base, { options })!.options).toEqual(['ndots', 'rotate', 'timeout:2']);
  });

  it('keeps 3 nameservers, dropping duplicates first', () => {
    expect(podDnsWithConfig(base, { nameservers: ['10.0.0.2', '10.0.0.3', '10.0.0.4'] })!.nameservers).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });

  it('keeps 32 search domains, none over 253 characters, and drops the last until the line fits 2048 characters', () => {
    const many = Array.from({ length: 40 }, (_, i) => `d${i}.example`);
    expect(podDnsWithConfig(base, { searches: many })!.searches).toEqual(['a.example', ...many.slice(0, 31)]);
    expect(podDnsWithConfig(base, { searches: [`${'x'.repeat(250)}.com`, 'b.example'] })!.searches).toEqual(['a.example', 'b.example']);
    const long = Array.from({ length: 10 }, (_, i) => `${String(i).repeat(63)}.${'y'.repeat(150)}`); // 214 characters each
    const searches = podDnsWithConfig({ ...base, searches: [] }, { searches: long })!.searches;
    expect(searches).toEqual(long.slice(0, 9));
    expect(searches.join(' ').length).toBeLessThanOrEqual(2048);
  });
});

describe('parseResolvConf', () => {
  it('reads nameservers, the last search line and every option, skipping comments', () => {
    const text = '# generated\nnameserver 10.0.0.2\nsearch a.example\nsearch b.example c.example ; old\noptions ndots:2\nnameserver 10.0.0.3\noptions edns0\n';
    expect(parseResolvConf(text)).toEqual({ nameservers: ['10.0.0.2', '10.0.0.3'], searches: ['b.example', 'c.example'], options: ['ndots:2', 'edns0'] });
  });
});
