import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { webConsoleTicketHash } from '@openpacific/objects';
import { API_ENDPOINTS, proxyAddress } from './proxy-address';
import { expiresAt, withTicket } from './web-console-ticket';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY = `-----BEGIN PUBLIC KEY-----\n${publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64')}\n-----END PUBLIC KEY-----\n`;
const decrypt = (b64: string) => privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha512' }, Buffer.from(b64, 'base64')).toString();

const request = {
  apiVersion: 'vmoperator.vmware.com/v1alpha5',
  kind: 'VirtualMachineWebConsoleRequest',
  metadata: { name: 'c1', namespace: 'ns', uid: 'req-uid', resourceVersion: '7', labels: { app: 'x' }, annotations: { 'vmoperator.openpacific.io/web-console-ticket-used': 'old' } },
  spec: { name: 'web-1', publicKey: KEY },
};
const vm = { apiVersion: 'vmoperator.vmware.com/v1alpha5', name: 'web-1', uid: 'vm-uid' };

describe('a web console ticket', () => {
  it('is the ticket URL at the proxy, encrypted with the request’s key, with the uuid label, the VM as controller and the expiry in whole seconds', () => {
    const now = Date.parse('2026-12-06T10:00:00.700Z');
    const next = withTicket(request, { vm, proxyAddr: '10.0.0.5:6443', now, ttlMs: 120_000, ticket: 'T0k3n' });
    expect(decrypt(next.status.response)).toBe('wss://10.0.0.5:6443/ticket/T0k3n');
    expect(next.status).toMatchObject({ expiryTime: '2026-12-06T10:02:00Z', proxyAddr: '10.0.0.5:6443' });
    expect(next.metadata.labels).toEqual({ app: 'x', 'vmoperator.vmware.com/webconsolerequest-uuid': 'req-uid' });
    expect(next.metadata.annotations).toEqual({ 'vmoperator.openpacific.io/web-console-ticket-sha256': webConsoleTicketHash('T0k3n') });
    expect(next.metadata.ownerReferences).toEqual([{ apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', name: 'web-1', uid: 'vm-uid', controller: true }]);
    expect(next.metadata.resourceVersion).toBeUndefined();
    expect(expiresAt(next)).toBe(Date.parse('2026-12-06T10:02:00Z'));
    expect(request.metadata.labels).toEqual({ app: 'x' });
  });

  it('is a new ticket each time it is made', () => {
    const a = withTicket(request, { vm, proxyAddr: 'h:1', now: 0, ttlMs: 1000 });
    const b = withTicket(request, { vm, proxyAddr: 'h:1', now: 0, ttlMs: 1000 });
    expect(decrypt(a.status.response)).toMatch(/^wss:\/\/h:1\/ticket\/[A-Za-z0-9_-]{32}$/);
    expect(decrypt(a.status.response)).not.toBe(decrypt(b.status.response));
  });

  it('cannot be made for a key too small to hold the URL', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64');
    const req = { ...request, spec: { name: 'web-1', publicKey: `-----BEGIN PUBLIC KEY-----\n${small}\n-----END PUBLIC KEY-----\n` } };
    expect(() => withTicket(req, { vm, proxyAddr: 'h:1', now: 0, ttlMs: 1000 })).toThrow();
  });

  it('has no expiry before it is made', () => {
    expect(expiresAt(request)).toBeUndefined();
  });
});

describe('the proxy address', () => {
  it('is the first API server endpoint of the https port, host:port', () => {
    expect(API_ENDPOINTS).toEqual({ namespace: 'default', name: 'kubernetes' });
    expect(proxyAddress({ subsets: [{ addresses: [{ ip: '127.0.0.1' }, { ip: '127.0.0.2' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }] })).toBe('127.0.0.1:6443');
    expect(proxyAddress({ subsets: [] })).toBeUndefined();
    expect(proxyAddress(undefined)).toBeUndefined();
  });
});
