import type * as Cel from '@bufbuild/cel';
import { isIPv6 } from 'node:net';
import { expectOpaque, opaque, opaqueOf } from './opaque-values';

/** An address as Go's netip.Addr holds it: 4 or 16 bytes. */
interface Addr {
  bytes: number[];
}
interface Prefix {
  addr: Addr;
  bits: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Go's netip.ParseAddr (no leading zeros in IPv4), then Kubernetes' refusals; the error text on failure. */
function parseAddr(s: string): Addr | string {
  if (IPV4.test(s)) return { bytes: s.split('.').map(Number) };
  if (s.includes(':') && s.includes('%')) return 'IP Address with zone value is not allowed';
  if (!isIPv6(s)) return `IP Address '${s}' parse error during conversion from string: ParseAddr(${JSON.stringify(s)}): unable to parse IP`;
  const addr = { bytes: ipv6Bytes(s) };
  if (isMapped(addr)) return 'IPv4-mapped IPv6 address is not allowed';
  return addr;
}

function ipv6Bytes(s: string): number[] {
  // The URL parser writes the address in its canonical, hexadecimal form (an embedded IPv4 part included).
  const canonical = new URL(`http://[${s}]/`).hostname.slice(1, -1);
  const [head, tail] = canonical.includes('::') ? canonical.split('::') : [canonical, undefined];
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const all = [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

const isMapped = (a: Addr) => a.bytes.length === 16 && a.bytes.slice(0, 10).every((b) => b === 0) && a.bytes[10] === 0xff && a.bytes[11] === 0xff;

/** Go's netip.Addr.String: dotted IPv4, RFC 5952 IPv6 (the longest run of zero groups shortened). */
function addrString(a: Addr): string {
  if (a.bytes.length === 4) return a.bytes.join('.');
  const hex = a.bytes.map((b, i) => (i % 2 === 0 ? ((b << 8) | a.bytes[i + 1]).toString(16) : '')).filter((g) => g !== '');
  return new URL(`http://[${hex.join(':')}]/`).hostname.slice(1, -1);
}

function parsePrefix(s: string): Prefix | string {
  const fail = (why: string) => `network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(s)}): ${why}`;
  const slash = s.lastIndexOf('/');
  if (slash < 0) return fail("no '/'");
  const ip = s.slice(0, slash);
  if (ip.includes('%')) return 'CIDR with zone value is not allowed';
  const addr = parseAddr(ip);
  if (typeof addr === 'string') return addr.startsWith('IPv4-mapped') ? addr : fail(`ParseAddr(${JSON.stringify(ip)}): unable to parse IP`);
  const bits = s.slice(slash + 1);
  if (!/^(0|[1-9]\d*)$/.test(bits) || Number(bits) > addr.bytes.length * 8) return fail(`bad bits after slash: ${JSON.stringify(bits)}`);
  return { addr, bits: Number(bits) };
}

function masked(p: Prefix): Addr {
  return { bytes: p.addr.bytes.map((b, i) => b & (0xff << Math.max(0, 8 - Math.max(0, p.bits - i * 8))) & 0xff) };
}

const sameBytes = (a: Addr, b: Addr) => a.bytes.length === b.bytes.length && a.bytes.every((x, i) => x === b.bytes[i]);
const contains = (p: Prefix, a: Addr) => a.bytes.length === p.addr.bytes.length && sameBytes(masked(p), masked({ addr: a, bits: p.bits }));
const inV4 = (a: Addr, first: number, mask: number, value: number) => a.bytes.length === 4 && (a.bytes[first] & mask) === value;

/** Go's netip classifications, as Kubernetes' IP library exposes them. */
const CLASSES: Record<string, (a: Addr) => boolean> = {
  isUnspecified: (a) => a.bytes.every((b) => b === 0),
  isLoopback: (a) => inV4(a, 0, 0xff, 127) || (a.bytes.length === 16 && a.bytes.slice(0, 15).every((b) => b === 0) && a.bytes[15] === 1),
  isLinkLocalMulticast: (a) => (a.bytes.length === 4 ? a.bytes[0] === 224 && a.bytes[1] === 0 && a.bytes[2] === 0 : a.bytes[0] === 0xff && (a.bytes[1] & 0x0f) === 0x02),
  isLinkLocalUnicast: (a) => (a.bytes.length === 4 ? a.bytes[0] === 169 && a.bytes[1] === 254 : a.bytes[0] === 0xfe && (a.bytes[1] & 0xc0) === 0x80),
  isGlobalUnicast: (a) => {
    if (a.bytes.length === 4 && a.bytes.every((b) => b === 255)) return false;
    const multicast = a.bytes.length === 4 ? (a.bytes[0] & 0xf0) === 224 : a.bytes[0] === 0xff;
    return !multicast && !CLASSES.isUnspecified(a) && !CLASSES.isLoopback(a) && !CLASSES.isLinkLocalUnicast(a);
  },
};

/** Kubernetes' IP and CIDR libraries: `ip()`, `isIP()`, `cidr()`, `isCIDR()` and their methods. */
export function ipLibrary(cel: typeof Cel): Cel.CelFunc[] {
  const { CelScalar, celFunc, celMethod, mapType } = cel;
  const { STRING, BOOL, INT } = CelScalar;
  const OPAQUE = mapType(CelScalar.DYN, CelScalar.DYN);
  const wrapIp = (a: Addr) => opaque(cel, 'IP', addrString(a), a);
  const wrapCidr = (p: Prefix) => opaque(cel, 'CIDR', `${addrString(p.addr)}/${p.bits}`, p);
  const orThrow = <T>(v: T | string): T => {
    if (typeof v === 'string') throw new Error(v);
    return v;
  };
  const ipOf = (v: unknown, fn: string) => expectOpaque<Addr>('IP', v, fn);
  const cidrOf = (v: unknown, fn: string) => expectOpaque<Prefix>('CIDR', v, fn);
  return [
    celFunc('ip', [STRING], OPAQUE, (s) => wrapIp(orThrow(parseAddr(s)))),
    celFunc('isIP', [STRING], BOOL, (s) => typeof parseAddr(s) !== 'string'),
    celFunc('ip.isCanonical', [STRING], BOOL, (s) => addrString(orThrow(parseAddr(s))) === s),
    celMethod('family', OPAQUE, [], INT, function () { return ipOf(this, 'family').bytes.length === 4 ? 4n : 6n; }),
    ...Object.entries(CLASSES).map(([name, test]) => celMethod(name, OPAQUE, [], BOOL, function () { return test(ipOf(this, name)); })),
    celFunc('cidr', [STRING], OPAQUE, (s) => wrapCidr(orThrow(parsePrefix(s)))),
    celFunc('isCIDR', [STRING], BOOL, (s) => typeof parsePrefix(s) !== 'string'),
    celMethod('containsIP', OPAQUE, [OPAQUE], BOOL, function (ip) { return contains(cidrOf(this, 'containsIP'), ipOf(ip, 'containsIP')); }),
    celMethod('containsIP', OPAQUE, [STRING], BOOL, function (ip) { return contains(cidrOf(this, 'containsIP'), orThrow(parseAddr(ip))); }),
    celMethod('containsCIDR', OPAQUE, [OPAQUE], BOOL, function (other) { return containsCidr(cidrOf(this, 'containsCIDR'), cidrOf(other, 'containsCIDR')); }),
    celMethod('containsCIDR', OPAQUE, [STRING], BOOL, function (other) { return containsCidr(cidrOf(this, 'containsCIDR'), orThrow(parsePrefix(other))); }),
    celMethod('ip', OPAQUE, [], OPAQUE, function () { return wrapIp(cidrOf(this, 'ip').addr); }),
    celMethod('masked', OPAQUE, [], OPAQUE, function () {
      const p = cidrOf(this, 'masked');
      return wrapCidr({ addr: masked(p), bits: p.bits });
    }),
    celMethod('prefixLength', OPAQUE, [], INT, function () { return BigInt(cidrOf(this, 'prefixLength').bits); }),
    celFunc('string', [OPAQUE], STRING, (v) => {
      const ip = opaqueOf<Addr>('IP', v);
      if (ip) return addrString(ip);
      const p = cidrOf(v, 'string');
      return `${addrString(p.addr)}/${p.bits}`;
    }),
  ];
}

/** Kubernetes' containsCIDR: the other network lies inside this one. */
function containsCidr(p: Prefix, other: Prefix): boolean {
  return other.bits >= p.bits && contains(p, other.addr);
}
