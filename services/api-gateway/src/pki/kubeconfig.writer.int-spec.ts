import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { writeKubeconfig } from './kubeconfig.writer';

const caCertPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('writeKubeconfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one context per user, the first current, with the CA embedded, and kubectl reads it', async () => {
    const file = join(dir, 'kubeconfig');
    await writeKubeconfig(file, {
      server: 'https://127.0.0.1:6443',
      caCertPem,
      clusterName: 'openpacific',
      users: [
        { name: 'admin', token: 'admin-token' },
        { name: 'dev', token: 'dev-token' },
      ],
      contextName: 'openpacific',
      namespace: 'default',
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const doc = parse(readFileSync(file, 'utf8'));
    expect(doc['current-context']).toBe('openpacific');
    expect(Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(caCertPem);
    expect(doc.contexts).toEqual([
      { name: 'openpacific', context: { cluster: 'openpacific', user: 'admin', namespace: 'default' } },
      { name: 'dev@openpacific', context: { cluster: 'openpacific', user: 'dev', namespace: 'default' } },
    ]);

    const kubectl = (...args: string[]) =>
      execFileSync('kubectl', ['--kubeconfig', file, ...args], { encoding: 'utf8', env: { ...process.env, HOME: dir } });
    expect(kubectl('config', 'current-context').trim()).toBe('openpacific');
    expect(kubectl('config', 'view', '--raw', '-o', 'jsonpath={.users[?(@.name=="dev")].user.token}')).toBe('dev-token');
    expect(kubectl('config', 'view', '-o', 'jsonpath={.clusters[0].cluster.server}')).toBe('https://127.0.0.1:6443');
  });
});
