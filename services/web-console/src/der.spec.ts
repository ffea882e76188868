import { generateKeyPairSync } from 'node:crypto';
import { base64ToBytes, bytesToBase64, derChildren, pemBlock, readDerElement, spkiToPkcs1 } from './der';

const rsa = (modulusLength: number) => generateKeyPairSync('rsa', { modulusLength }).publicKey;
const der = (key: ReturnType<typeof rsa>, type: 'spki' | 'pkcs1') => new Uint8Array(key.export({ type, format: 'der' }));

describe('DER: an RSA public key from WebCrypto (SPKI) to what VM Operator reads (PKCS#1)', () => {
  it.each([1024, 2048, 4096])('takes the RSAPublicKey out of a %i-bit SubjectPublicKeyInfo, byte for byte what openssl writes', (bits) => {
    const key = rsa(bits);
    expect(Buffer.from(spkiToPkcs1(der(key, 'spki')))).toEqual(Buffer.from(der(key, 'pkcs1')));
  });

  it('reads short and long lengths', () => {
    expect(readDerElement(Uint8Array.from([0x02, 0x01, 0x05]))).toEqual({ tag: 0x02, start: 2, end: 3 });
    const long = new Uint8Array([0x04, 0x82, 0x01, 0x00, ...new Array(256).fill(7)]);
    expect(readDerElement(long)).toEqual({ tag: 0x04, start: 4, end: 260 });
    const seq = Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02]);
    expect(derChildren(seq, readDerElement(seq)).map((e) => seq[e.start])).toEqual([1, 2]);
  });

  it('refuses truncated, indefinite and oversized lengths', () => {
    expect(() => readDerElement(Uint8Array.from([0x02]))).toThrow('truncated');
    expect(() => readDerElement(Uint8Array.from([0x02, 0x05, 0x01]))).toThrow('truncated');
    expect(() => readDerElement(Uint8Array.from([0x30, 0x80, 0x00, 0x00]))).toThrow('indefinite');
    expect(() => readDerElement(Uint8Array.from([0x04, 0x85, 1, 1, 1, 1, 1]))).toThrow('bad length');
  });

  it('refuses what is not an RSA SubjectPublicKeyInfo', () => {
    const ec = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }));
    expect(() => spkiToPkcs1(ec)).toThrow('not an RSA public key');
    const key = rsa(1024);
    // The PKCS#1 body itself is no SPKI (its children are two INTEGERs).
    expect(() => spkiToPkcs1(der(key, 'pkcs1'))).toThrow('not a SubjectPublicKeyInfo');
    const spki = der(key, 'spki');
    expect(() => spkiToPkcs1(new Uint8Array([...spki, 0]))).toThrow('expected one SEQUENCE');
    expect(() => spkiToPkcs1(spki.subarray(0, spki.length - 1))).toThrow('truncated');
  });
});

describe('base64 and PEM', () => {
  it('round-trips every byte value, also past the 32 KiB slices', () => {
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256);
    const text = bytesToBase64(bytes);
    expect(text).toBe(Buffer.from(bytes).toString('base64'));
    expect(Buffer.from(base64ToBytes(text))).toEqual(Buffer.from(bytes));
    expect(Buffer.from(base64ToBytes('aGVs\nbG8=\n'))).toEqual(Buffer.from('hello'));
    expect(base64ToBytes('')).toEqual(new Uint8Array());
  });

  it('refuses text that is not base64', () => {
    for (const bad of ['abc', 'ab$d', 'aGVsbG8-', '====']) expect(() => base64ToBytes(bad)).toThrow('not base64');
  });

  it('writes a PEM block in lines of 64, as the key VM Operator takes', () => {
    const pem = pemBlock('PUBLIC KEY', Uint8Array.from({ length: 100 }, (_, i) => i));
    const lines = pem.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN PUBLIC KEY-----');
    expect(lines.at(-1)).toBe('-----END PUBLIC KEY-----');
    expect(lines.slice(1, -1).map((l) => l.length)).toEqual([64, 64, 8]);
    expect(pem.endsWith('-----\n')).toBe(true);
  });
});
