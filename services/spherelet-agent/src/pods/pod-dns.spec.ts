import { parseResolvConf, podDns } from './pod-dns';

const HOST = { nameservers: ['192.0.2.53'], searches: ['corp.example'], options: ['edns0'] };
const pod = (spec: any) => ({ metadata: { name: 'p', namespace: 'shop' }, spec });
const CLUSTER = { nameservers: ['10.96.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'] };

describe('podDns (kubelet\'s choice of resolver by dnsPolicy)', () => {
  it('gives a pod of its own network the cluster DNS for ClusterFirst, the default policy', () => {
    expect(podDns(pod({}), '10.96.0.10', () => HOST)).toEqual(CLUSTER);
    expect(podDns(pod({ dnsPolicy: 'ClusterFirst' }), '10.96.0.10', () => HOST)).toEqual(CLUSTER);
  });

  it('falls back to the host\'s resolver for ClusterFirst on the host\'s network, unless ClusterFirstWithHostNet', () => {
    expect(podDns(pod({ hostNetwork: true }), '10.96.0.10', () => HOST)).toEqual(HOST);
    expect(podDns(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), '10.96.0.10', () => HOST)).toEqual(CLUSTER);
  });

  it('gives Default the host\'s resolver on any network, and writes nothing for None or a cluster without DNS', () => {
    expect(podDns(pod({ dnsPolicy: 'Default' }), '10.96.0.10', () => HOST)).toEqual(HOST);
    expect(podDns(pod({ dnsPolicy: 'None' }), '10.96.0.10', () => HOST)).toBeUndefined();
    expect(podDns(pod({}), undefined, () => HOST)).toBeUndefined();
  });
});

describe('parseResolvConf', () => {
  it('reads nameservers, the last search line and every option, skipping comments', () => {
    const text = '# generated\nnameserver 10.0.0.2\nsearch a.example\nsearch b.example c.example ; old\noptions ndots:2\nnameserver 10.0.0.3\noptions edns0\n';
    expect(parseResolvConf(text)).toEqual({ nameservers: ['10.0.0.2', '10.0.0.3'], searches: ['b.example', 'c.example'], options: ['ndots:2', 'edns0'] });
  });
});
