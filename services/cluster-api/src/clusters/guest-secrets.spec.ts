import { parseNodeBootstrap, renderNodeBootstrap, GuestNodeConfig } from '@openpacific/contracts';
import { freePodSubnet, kubeconfigAccess, kubeconfigFor, secretObject, secretValue } from './guest-secrets';

const cluster = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: { name: 'tkc-1', namespace: 'tkg', uid: 'c1' } };

describe('guest cluster secrets', () => {
  it('stores values base64 in data, owned by the cluster and labelled with its name', () => {
    const s = secretObject(cluster, 'tkc-1-encryption', { key: 'abc' }, 'tkc-1');
    expect(s).toMatchObject({ kind: 'Secret', type: 'cluster.x-k8s.io/secret', data: { key: 'YWJj' }, metadata: { namespace: 'tkg', labels: { 'cluster.x-k8s.io/cluster-name': 'tkc-1' }, ownerReferences: [{ uid: 'c1', kind: 'Cluster', controller: true }] } });
    expect(secretValue(s, 'key')).toBe('abc');
    expect(secretValue({ stringData: { key: 'plain' } }, 'key')).toBe('plain');
    expect(secretValue(undefined, 'key')).toBeUndefined();
  });

  it('writes a kubeconfig whose server, CA and token can be read back', () => {
    const text = kubeconfigFor('tkc-1', { host: '127.200.0.1', port: 6443 }, 'CA PEM');
    const access = kubeconfigAccess(secretObject(cluster, 'tkc-1-kubeconfig', { value: text }, 'tkc-1'));
    expect(access).toEqual({ server: 'https://127.200.0.1:6443', caCertPem: 'CA PEM', token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(text).toContain('current-context: tkc-1-admin@tkc-1');
    expect(kubeconfigAccess(secretObject(cluster, 'x', { value: 'not: [yaml' }, 'tkc-1'))).toBeUndefined();
    expect(kubeconfigAccess(secretObject(cluster, 'x', { value: 'apiVersion: v1' }, 'tkc-1'))).toBeUndefined();
  });

  it('gives out the lowest free pod /24 from 127.16.0.0, and none when all are taken', () => {
    expect(freePodSubnet(new Set())).toBe('127.16.0.0/24');
    expect(freePodSubnet(new Set(['127.16.0.0/24', '127.16.2.0/24']))).toBe('127.16.1.0/24');
    const all = new Set(Array.from({ length: 48 * 256 }, (_, i) => `127.${16 + Math.floor(i / 256)}.${i % 256}.0/24`));
    expect(freePodSubnet(all)).toBeUndefined();
    all.delete('127.63.255.0/24');
    expect(freePodSubnet(all)).toBe('127.63.255.0/24');
  });
});

describe('node bootstrap data', () => {
  const config: GuestNodeConfig = {
    role: 'worker', cluster: { name: 'tkc-1', namespace: 'tkg', uid: 'c1' }, nodeName: 'tkc-1-workers-abcde',
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/guest_c1', natsUrl: 'nats://127.0.0.1:4222', natsPrefix: 'gc1',
    secretsEncryptionKey: 'k', controlPlaneEndpoint: { host: '127.200.0.1', port: 6443 }, podSubnet: '127.16.0.0/24',
  };

  it('is cloud-config that parses back to the same configuration', () => {
    const text = renderNodeBootstrap(config);
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    expect(parseNodeBootstrap(text)).toEqual(config);
  });

  it('is absent from plain user data, and from a section without a known role', () => {
    expect(parseNodeBootstrap(undefined)).toBeUndefined();
    expect(parseNodeBootstrap('#cloud-config\n{}\n')).toBeUndefined();
    expect(parseNodeBootstrap('#cloud-config\nusers: [root]\n')).toBeUndefined();
    expect(parseNodeBootstrap(renderNodeBootstrap({ ...config, role: 'etcd' as never }))).toBeUndefined();
  });
});
