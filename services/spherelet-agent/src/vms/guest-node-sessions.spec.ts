import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GuestNodeConfig } from '@openpacific/contracts';
import { GuestVm, nodeServices, writeGatewayFiles } from './guest-node';

/** A control plane told of the Supervisor's sessions hands them to its api-gateway: the key as a file, the rest as env. */
describe('a guest control plane and the Supervisor\'s sessions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guest-node-sessions-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const vm: GuestVm = { uid: 'vm-1', name: 'tkc-1-cp-x', ip: '127.64.0.5', cpus: 2, memoryBytes: 2 ** 31, dir };
  const base: GuestNodeConfig = {
    role: 'control-plane', cluster: { name: 'tkc-1', namespace: 'tkg', uid: 'c1' }, nodeName: 'tkc-1-cp-x',
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/guest_c1', natsUrl: 'nats://127.0.0.1:4222', natsPrefix: 'gc1',
    secretsEncryptionKey: 'k', controlPlaneEndpoint: { host: '127.200.0.1', port: 6443 }, caCertPem: 'CA', caKeyPem: 'KEY', adminToken: 'tok',
  };
  const sessions = { issuer: 'https://kubernetes.default.svc.cluster.local', audience: 'wcp:tkg/tkc-1/c1', publicKeyPem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' };
  const gatewayEnv = (config: GuestNodeConfig) => nodeServices(config, vm, { repoRoot: '/repo', env: {} }).find((s) => s.name === 'api-gateway')!.env;

  it('gives the gateway the key file, issuer and audience', () => {
    writeGatewayFiles({ ...base, supervisorSessions: sessions }, vm);
    const file = join(dir, 'node', 'gateway', 'pki', 'supervisor-issuer.pub');
    expect(readFileSync(file, 'utf8')).toBe(sessions.publicKeyPem);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(gatewayEnv({ ...base, supervisorSessions: sessions })).toMatchObject({
      SUPERVISOR_ISSUER_PUBLIC_KEY_FILE: file,
      SUPERVISOR_ISSUER: sessions.issuer,
      SUPERVISOR_SESSION_AUDIENCE: sessions.audience,
    });
  });

  it('gives it none of them without', () => {
    const env = gatewayEnv(base);
    expect(Object.keys(env).filter((k) => k.startsWith('SUPERVISOR_'))).toEqual([]);
  });
});
