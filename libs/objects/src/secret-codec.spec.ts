import { randomBytes } from 'node:crypto';
import { decryptedEvent, decryptSecret, encryptSecret, secretKeyFrom } from './secret-codec';

describe('Secrets encrypted at rest', () => {
  const key = secretKeyFrom(randomBytes(32).toString('base64'));
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'a', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"stringData":{"x":"y"}}' } }, type: 'Opaque', data: { 'user-data': Buffer.from('#cloud-config').toString('base64') }, stringData: { x: 'y' } };

  it('hides data and stringData and gets them back with the key', () => {
    const sealed = encryptSecret(secret, key);
    expect(sealed.data).toBeUndefined();
    expect(JSON.stringify(sealed)).not.toContain('y\\"');
    expect(sealed.metadata.annotations).toBeUndefined();
    expect(sealed.encrypted).toMatch(new RegExp(`^openpacific:enc:aes-256-gcm:v1:${key.id}:`));
    expect(decryptSecret(sealed, key)).toEqual(secret);
    expect(decryptedEvent({ data: { resource: 'secrets', object: sealed } }, key).data.object).toEqual(secret);
  });

  it('refuses another key, a tampered value and a key of the wrong size', () => {
    const sealed = encryptSecret(secret, key);
    expect(() => decryptSecret(sealed, secretKeyFrom(randomBytes(32).toString('base64')))).toThrow(/not the configured key/);
    const raw = Buffer.from(sealed.encrypted.split(':').pop(), 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => decryptSecret({ ...sealed, encrypted: sealed.encrypted.replace(/[^:]+$/, raw.toString('base64')) }, key)).toThrow();
    expect(() => secretKeyFrom('c2hvcnQ=')).toThrow('32 bytes');
  });
});
