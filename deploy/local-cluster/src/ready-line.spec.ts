import { formatReady, parseReadyLine, ReadyInfo } from './ready-line';
import { adminUrl, databaseName, redact } from './postgres.provisioner';

const info: ReadyInfo = {
  server: 'https://127.0.0.1:6443',
  kubeconfig: '/d/kubeconfig',
  dataDir: '/d',
  caFile: '/d/pki/ca.crt',
  tokenFile: '/d/admin.token',
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/openpacific',
  natsUrl: 'nats://127.0.0.1:4222',
  natsPrefix: 'op',
  gateways: [{ name: 'api-gateway', server: 'https://127.0.0.1:6443' }],
  hosts: [{ name: 'host-1', pgid: 42 }],
  services: [{ name: 'policy', pid: 7 }],
};

describe('the ready output', () => {
  it('prints the export line for people and a parseable line for tests', () => {
    const lines = formatReady(info);
    expect(lines).toContain('  export KUBECONFIG=/d/kubeconfig');
    expect(parseReadyLine(lines[lines.length - 1])).toEqual(info);
    expect(parseReadyLine(lines[0])).toBeUndefined();
  });
});

describe('database URLs', () => {
  it('reads the database name and points the admin connection at postgres', () => {
    expect(databaseName('postgres://u@h:1/openpacific')).toBe('openpacific');
    expect(adminUrl('postgres://u@h:1/openpacific')).toBe('postgres://u@h:1/postgres');
  });

  it('hides passwords in messages', () => {
    expect(redact('postgres://u:secret@h/db')).toBe('postgres://u:***@h/db');
  });
});
