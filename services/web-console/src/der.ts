/**
 * The little DER, base64 and PEM the web console needs to hand VM Operator a public key: WebCrypto exports RSA public
 * keys as SubjectPublicKeyInfo, and VM Operator reads the PKCS#1 RSAPublicKey inside it.
 */

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OBJECT_IDENTIFIER = 0x06;
/** 1.2.840.113549.1.1.1, rsaEncryption, as DER content bytes. */
const RSA_ENCRYPTION = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/** One DER element: its tag, and where its content starts and ends (exclusive) in the buffer. */
export interface DerElement {
  tag: number;
  start: number;
  end: number;
}

/** The element that starts at `at`; it must end within `limit`. */
export function readDerElement(der: Uint8Array, at = 0, limit = der.length): DerElement {
  if (at + 2 > limit) throw new Error('DER: truncated element');
  const tag = der[at];
  const first = der[at + 1];
  let start = at + 2;
  let length = first;
  if (first === 0x80) throw new Error('DER: indefinite length is not DER');
  if (first > 0x80) {
    const count = first & 0x7f;
    if (count > 4 || start + count > limit) throw new Error('DER: bad length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new Error('DER: truncated element');
  return { tag, start, end };
}

/** The elements directly inside a constructed element (a SEQUENCE), in order. */
export function derChildren(der: Uint8Array, parent: DerElement): DerElement[] {
  const children: DerElement[] = [];
  for (let at = parent.start; at < parent.end; at = children[children.length - 1].end) children.push(readDerElement(der, at, parent.end));
  return children;
}

/**
 * The PKCS#1 RSAPublicKey (`SEQUENCE { modulus, publicExponent }`) inside an X.509 SubjectPublicKeyInfo
 * (`SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING { RSAPublicKey } }`), what `crypto.subtle.exportKey('spki')`
 * gives. Anything else (another algorithm, a malformed or padded structure) is refused.
 */
export function spkiToPkcs1(spki: Uint8Array): Uint8Array {
  const outer = readDerElement(spki);
  if (outer.tag !== SEQUENCE || outer.end !== spki.length) throw new Error('not a SubjectPublicKeyInfo: expected one SEQUENCE');
  const parts = derChildren(spki, outer);
  if (parts.length !== 2 || parts[0].tag !== SEQUENCE || parts[1].tag !== BIT_STRING) throw new Error('not a SubjectPublicKeyInfo: expected an algorithm and a BIT STRING');
  const oid = derChildren(spki, parts[0])[0];
  if (oid?.tag !== OBJECT_IDENTIFIER || !sameBytes(spki.subarray(oid.start, oid.end), RSA_ENCRYPTION)) throw new Error('not an RSA public key');
  const bits = parts[1];
  if (spki[bits.start] !== 0) throw new Error('the key BIT STRING has unused bits');
  const key = spki.slice(bits.start + 1, bits.end);
  const rsa = readDerElement(key);
  const fields = rsa.tag === SEQUENCE && rsa.end === key.length ? derChildren(key, rsa) : [];
  if (fields.length !== 2 || fields.some((f) => f.tag !== INTEGER)) throw new Error('not an RSAPublicKey: expected a SEQUENCE of modulus and exponent');
  return key;
}

function sameBytes(a: Uint8Array, b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Standard base64 (whitespace ignored, as in a PEM body); anything else is refused. */
export function base64ToBytes(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new Error('not base64');
  const binary = atob(clean);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A PEM block: the label, and the DER as base64 in lines of 64. */
export function pemBlock(label: string, der: Uint8Array): string {
  const lines = bytesToBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
