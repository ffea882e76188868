import type { GuestNodeConfig } from '@openpacific/contracts';
import { GuestVm, nodeServices } from './guest-node';

/** A guest's programs take its own Service range; its control plane runs vm-operator's guest mode only with one. */
describe('a guest node and its cluster\'s Service range', () => {
  const vm: GuestVm = { uid: 'vm-1', name: 'tkc-1-cp-x', ip: '127.64.0.5', cpus: 2, memoryBytes: 2 ** 31, dir: '/tmp/none' };
  const base: GuestNodeConfig = {
    role: 'control-plane', cluster: { name: 'tkc-1', namespace: 'tkg', uid: 'c1' }, nodeName: 'tkc-1-cp-x',
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/guest_c1', natsUrl: 'nats://127.0.0.1:4222', natsPrefix: 'gc1',
    secretsEncryptionKey: 'k', controlPlaneEndpoint: { host: '127.200.0.1', port: 6443 }, caCertPem: 'CA', caKeyPem: 'KEY', adminToken: 'tok',
  };
  const ranges = { serviceCIDR: '127.6.0.0/16' };
  /** What a Cluster made when each guest took a pair of /16s recorded. */
  const oldPair = { serviceCIDR: '127.6.0.0/16', loadBalancerCIDR: '127.7.0.0/16' };
  const services = (config: GuestNodeConfig) => nodeServices(config, vm, { repoRoot: '/repo', env: {} });

  it('gives every program of a control plane the Service range and no LoadBalancer range, and runs vm-operator in guest mode on the VM\'s address', () => {
    const all = services({ ...base, ...ranges });
    expect(all.map((s) => s.name)).toEqual(['policy', 'api-gateway', 'scheduler', 'vm-operator', 'crx-runtime', 'spherelet-agent']);
    for (const s of all) {
      expect(s.env.SERVICE_CIDR).toBe('127.6.0.0/16');
      expect(Object.keys(s.env)).not.toContain('LOADBALANCER_CIDR');
    }
    expect(all.find((s) => s.name === 'vm-operator')).toMatchObject({
      entry: '/repo/services/vm-operator/dist/main.bundle.js',
      env: { VM_OPERATOR_MODE: 'guest', NODE_PORT_ADDRESS: '127.64.0.5', NATS_PREFIX: 'gc1' },
    });
  });

  it('keeps the LoadBalancer /16 of data made with a pair, for every program of the node', () => {
    const all = services({ ...base, ...oldPair });
    expect(all.map((s) => s.name)).toContain('vm-operator');
    for (const s of all) expect(s.env).toMatchObject({ SERVICE_CIDR: '127.6.0.0/16', LOADBALANCER_CIDR: '127.7.0.0/16' });
    for (const s of services({ ...base, ...oldPair, role: 'worker', podSubnet: '127.16.1.0/24' })) expect(s.env.LOADBALANCER_CIDR).toBe('127.7.0.0/16');
  });

  it('gives a worker the Service range and no vm-operator', () => {
    const all = services({ ...base, ...ranges, role: 'worker', podSubnet: '127.16.1.0/24' });
    expect(all.map((s) => s.name)).toEqual(['crx-runtime', 'spherelet-agent']);
    for (const s of all) {
      expect(s.env.SERVICE_CIDR).toBe('127.6.0.0/16');
      expect(Object.keys(s.env)).not.toContain('LOADBALANCER_CIDR');
    }
  });

  it('runs no proxy and sets no range for data made without ranges, which would be the Supervisor\'s', () => {
    const all = services(base);
    expect(all.map((s) => s.name)).not.toContain('vm-operator');
    for (const s of all) expect(Object.keys(s.env)).not.toContain('SERVICE_CIDR');
    for (const s of all) expect(Object.keys(s.env)).not.toContain('LOADBALANCER_CIDR');
    // A LoadBalancer /16 alone (never written so) is no range of the cluster's own either.
    const lbOnly = services({ ...base, loadBalancerCIDR: '127.7.0.0/16' });
    expect(lbOnly.map((s) => s.name)).not.toContain('vm-operator');
    for (const s of lbOnly) expect(Object.keys(s.env)).not.toContain('LOADBALANCER_CIDR');
  });
});
