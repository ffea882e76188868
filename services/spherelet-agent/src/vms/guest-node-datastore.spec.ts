import { join } from 'node:path';
import type { GuestNodeConfig } from '@openpacific/contracts';
import { GuestVm, nodeServices } from './guest-node';

/** A guest's volumes live in its cluster's datastore, not in the folder of whichever control-plane VM leads. */
describe('a guest node and its cluster\'s datastore', () => {
  const vm: GuestVm = { uid: 'vm-1', name: 'tkc-1-cp-x', ip: '127.64.0.5', cpus: 2, memoryBytes: 2 ** 31, dir: '/hv/vm-1' };
  const base: GuestNodeConfig = {
    role: 'control-plane', cluster: { name: 'tkc-1', namespace: 'tkg', uid: 'c1' }, nodeName: 'tkc-1-cp-x',
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/guest_c1', natsUrl: 'nats://127.0.0.1:4222', natsPrefix: 'gc1',
    secretsEncryptionKey: 'k', controlPlaneEndpoint: { host: '127.200.0.1', port: 6443 }, caCertPem: 'CA', caKeyPem: 'KEY', adminToken: 'tok',
  };
  const envOf = (config: GuestNodeConfig, name: string) => nodeServices(config, vm, { repoRoot: '/repo', env: {} }).find((s) => s.name === name)?.env;

  it('gives the scheduler the cluster\'s datastore as its DATASTORE_DIR', () => {
    expect(envOf({ ...base, datastoreDir: '/data/datastore/guests/c1' }, 'scheduler')?.DATASTORE_DIR).toBe('/data/datastore/guests/c1');
  });

  it('keeps the VM\'s own folder for data made before guests had a datastore', () => {
    expect(envOf(base, 'scheduler')?.DATASTORE_DIR).toBe(join('/hv/vm-1', 'node', 'datastore'));
  });

  it.each(['relative/guests/c1', '/data/datastore/guests/../../etc', '/data//guests/c1'])('takes no path that is not absolute and normalised (%s)', (datastoreDir) => {
    expect(envOf({ ...base, datastoreDir }, 'scheduler')?.DATASTORE_DIR).toBe(join('/hv/vm-1', 'node', 'datastore'));
  });

  it('gives no other program a DATASTORE_DIR (only the scheduler provisions; PVs name their absolute paths)', () => {
    const services = nodeServices({ ...base, datastoreDir: '/data/datastore/guests/c1' }, vm, { repoRoot: '/repo', env: {} });
    expect(services.filter((s) => s.env.DATASTORE_DIR).map((s) => s.name)).toEqual(['scheduler']);
  });
});
