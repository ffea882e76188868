import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { encryptWebConsoleResponse, newWebConsoleTicket, webConsolePublicKey, webConsoleTicketHash, webConsoleTicketUrl } from './web-console-key';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** As the kubectl-vsphere plugin sends its key: the PKCS#1 body in a `PUBLIC KEY` block. */
const pluginPem = (der: Buffer) => `-----BEGIN PUBLIC KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PUBLIC KEY-----\n`;
const pkcs1 = publicKey.export({ type: 'pkcs1', format: 'der' });

describe('web console keys and tickets', () => {
  it('reads an RSA key whose PUBLIC KEY block holds a PKCS#1 body, after any text before it', () => {
    expect(webConsolePublicKey(pluginPem(pkcs1))).toHaveProperty('asymmetricKeyType', 'rsa');
    expect(webConsolePublicKey(`key for web-1:\n${pluginPem(pkcs1)}`)).toHaveProperty('asymmetricKeyType', 'rsa');
  });

  it('refuses another block type, or no block, as the webhook does: invalid public key format', () => {
    expect(webConsolePublicKey(pluginPem(pkcs1).replace(/PUBLIC KEY/g, 'RSA PUBLIC KEY'))).toEqual({ invalid: 'invalid public key format' });
    expect(webConsolePublicKey('ssh-rsa AAAAB3NzaC1yc2E user@host')).toEqual({ invalid: 'invalid public key format' });
    expect(webConsolePublicKey('')).toEqual({ invalid: 'invalid public key format' });
  });

  it('refuses a block whose body is not a PKCS#1 RSA key (an SPKI one, as openssl -pubout writes): invalid public key', () => {
    expect(webConsolePublicKey(String(publicKey.export({ type: 'spki', format: 'pem' })))).toEqual({ invalid: 'invalid public key' });
    expect(webConsolePublicKey(pluginPem(Buffer.from('not a key')))).toEqual({ invalid: 'invalid public key' });
  });

  it('encrypts the ticket URL with RSA-OAEP SHA-512, base64, so the private key reads it back', () => {
    const url = webConsoleTicketUrl('127.0.0.1:6443', 'abc_DEF-123');
    expect(url).toBe('wss://127.0.0.1:6443/ticket/abc_DEF-123');
    const response = encryptWebConsoleResponse(pluginPem(pkcs1), url);
    const plain = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha512' }, Buffer.from(response, 'base64'));
    expect(plain.toString()).toBe(url);
    expect(() => privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(response, 'base64'))).toThrow();
  });

  it('makes tickets that differ every time, kept only as their SHA-256', () => {
    const a = newWebConsoleTicket();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newWebConsoleTicket()).not.toBe(a);
    expect(webConsoleTicketHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
