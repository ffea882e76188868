import type { GuestNodeConfig } from '@openpacific/contracts';
import { GuestVm, nodeServices } from './guest-node';

/** A guest's programs take its own Service ranges; its control plane runs vm-operator's guest mode only with them. */
describe('a guest node and its cluster\'s Service ranges', () => {
  const vm: GuestVm = { uid: 'vm-1', name: 'tkc-1-cp-x', ip: '127.64.0.5', cpus: 2, memoryBytes: 2 ** 31, dir: '/tmp/none' };
  const base: GuestNodeConfig = {
    role: 'control-plane', cluster: { name: 'tkc-1', namespace: 'tkg', uid: 'c1' }, nodeName: 'tkc-1-cp-x',
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/guest_c1', natsUrl: 'nats://127.0.0.1:4222', natsPrefix: 'gc1',
    secretsEncryptionKey: 'k', controlPlaneEndpoint: { host: '127.200.0.1', port: 6443 }, caCertPem: 'CA', caKeyPem: 'KEY', adminToken: 'tok',
  };
  const ranges = { serviceCIDR: '127.6.0.0/16', loadBalancerCIDR: '127.7.0.0/16' };
  const services = (config: GuestNodeConfig) => nodeServices(config, vm, { repoRoot: '/repo', env: {} });

  it('gives every program of a control plane the ranges, and runs vm-operator in guest mode on the VM\'s address', () => {
    const all = services({ ...base, ...ranges });
    expect(all.map((s) => s.name)).toEqual(['policy', 'api-gateway', 'scheduler', 'vm-operator', 'crx-runtime', 'spherelet-agent']);
    for (const s of all) expect(s.env).toMatchObject({ SERVICE_CIDR: '127.6.0.0/16', LOADBALANCER_CIDR: '127.7.0.0/16' });
    expect(all.find((s) => s.name === 'vm-operator')).toMatchObject({
      entry: '/repo/services/vm-operator/dist/main.bundle.js',
      env: { VM_OPERATOR_MODE: 'guest', NODE_PORT_ADDRESS: '127.64.0.5', NATS_PREFIX: 'gc1' },
    });
  });

  it('gives a worker the ranges and no vm-operator', () => {
    const all = services({ ...base, ...ranges, role: 'worker', podSubnet: '127.16.1.0/24' });
    expect(all.map((s) => s.name)).toEqual(['crx-runtime', 'spherelet-agent']);
    for (const s of all) expect(s.env.SERVICE_CIDR).toBe('127.6.0.0/16');
  });

  it('runs no proxy and sets no range for data made without ranges, which would be the Supervisor\'s', () => {
    const all = services(base);
    expect(all.map((s) => s.name)).not.toContain('vm-operator');
    for (const s of all) expect(Object.keys(s.env)).not.toContain('SERVICE_CIDR');
  });
});
