/**
 * The subset of RFC 1035 the cluster DNS server speaks: it reads queries (header and questions, following name
 * compression pointers) and writes responses (the question echoed, A and CNAME records: the first owned by the
 * question's name, through a pointer back at it, the rest by the names the CNAMEs lead to).
 * Anything after the question section of a query (EDNS OPT records and the like) is ignored.
 */

export const DnsType = { A: 1, CNAME: 5, SOA: 6, PTR: 12, AAAA: 28, SRV: 33, ANY: 255 } as const;
export const DnsClass = { IN: 1 } as const;
export const DnsRcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** Over UDP without EDNS a response may be at most this long; longer ones are truncated with TC set. */
export const UDP_MESSAGE_LIMIT = 512;

export interface DnsQuestion {
  /** As sent (case kept, as resolvers randomise it and compare); without the trailing dot. */
  name: string;
  type: number;
  class: number;
}

export interface DnsQuery {
  id: number;
  opcode: number;
  recursionDesired: boolean;
  questions: DnsQuestion[];
}

export interface DnsResponse {
  id: number;
  opcode: number;
  recursionDesired: boolean;
  authoritative: boolean;
  rcode: number;
  questions: DnsQuestion[];
  /** The answer records, in order. */
  answers: DnsRecord[];
}

/**
 * One answer record: an A record (`address`) or a CNAME (`cname`, the name it leads to), owned by `owner`, by default
 * the first question's name.
 */
export type DnsRecord = { ttl: number; owner?: string } & ({ address: string; cname?: undefined } | { cname: string; address?: undefined });

/** A message that cannot be read; `id` is known when the header could be read, so a FORMERR can be returned. */
export class DnsFormatError extends Error {
  readonly code = 'DNS.FORMAT_ERROR';
  constructor(message: string, readonly id?: number) {
    super(message);
  }
}

const HEADER_LENGTH = 12;
const MAX_POINTER_HOPS = 32;

/** Reads a (possibly compressed) name at `offset`: the name and where the bytes after it start. */
export function readName(buf: Buffer, offset: number, id?: number): { name: string; next: number } {
  const labels: string[] = [];
  let at = offset;
  let next: number | undefined;
  for (let hops = 0; ; ) {
    if (at >= buf.length) throw new DnsFormatError('name runs past the end of the message', id);
    const len = buf[at];
    if ((len & 0xc0) === 0xc0) {
      if (at + 1 >= buf.length) throw new DnsFormatError('truncated compression pointer', id);
      if (++hops > MAX_POINTER_HOPS) throw new DnsFormatError('compression pointer loop', id);
      next ??= at + 2;
      at = ((len & 0x3f) << 8) | buf[at + 1];
      continue;
    }
    if (len & 0xc0) throw new DnsFormatError(`unsupported label type 0x${len.toString(16)}`, id);
    if (len === 0) return { name: labels.join('.'), next: next ?? at + 1 };
    if (at + 1 + len > buf.length) throw new DnsFormatError('label runs past the end of the message', id);
    labels.push(buf.toString('latin1', at + 1, at + 1 + len));
    at += 1 + len;
  }
}

/** Reads a query's header and questions. */
export function decodeQuery(buf: Buffer): DnsQuery {
  if (buf.length < HEADER_LENGTH) throw new DnsFormatError('message shorter than a DNS header');
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  if (flags & 0x8000) throw new DnsFormatError('message is a response, not a query', id);
  const count = buf.readUInt16BE(4);
  const questions: DnsQuestion[] = [];
  let at = HEADER_LENGTH;
  for (let i = 0; i < count; i++) {
    const { name, next } = readName(buf, at, id);
    if (next + 4 > buf.length) throw new DnsFormatError('question runs past the end of the message', id);
    questions.push({ name, type: buf.readUInt16BE(next), class: buf.readUInt16BE(next + 2) });
    at = next + 4;
  }
  return { id, opcode: (flags >> 11) & 0xf, recursionDesired: (flags & 0x0100) !== 0, questions };
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter(Boolean).map((label) => {
    const bytes = Buffer.from(label, 'latin1');
    if (bytes.length > 63) throw new DnsFormatError(`label longer than 63 bytes in ${name}`);
    return Buffer.concat([Buffer.from([bytes.length]), bytes]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function header(r: DnsResponse, truncated: boolean, answerCount: number): Buffer {
  const h = Buffer.alloc(HEADER_LENGTH);
  h.writeUInt16BE(r.id, 0);
  const flags = 0x8000 | ((r.opcode & 0xf) << 11) | (r.authoritative ? 0x0400 : 0) | (truncated ? 0x0200 : 0) | (r.recursionDesired ? 0x0100 : 0) | (r.rcode & 0xf);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(r.questions.length, 4);
  h.writeUInt16BE(answerCount, 6);
  return h;
}

function answerRecord(record: DnsRecord): Buffer {
  // The first question's name is referred to by a pointer to it; other owners are written out.
  const owner = record.owner === undefined ? Buffer.from([0xc0 | (HEADER_LENGTH >> 8), HEADER_LENGTH & 0xff]) : encodeName(record.owner);
  const data = record.cname !== undefined ? encodeName(record.cname) : Buffer.from(record.address.split('.').map(Number));
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(record.cname !== undefined ? DnsType.CNAME : DnsType.A, 0);
  fixed.writeUInt16BE(DnsClass.IN, 2);
  fixed.writeUInt32BE(record.ttl, 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([owner, fixed, data]);
}

/**
 * Writes a response; with a `limit` (UDP), answers that do not fit are left out and TC is set, so the client asks
 * again over TCP.
 */
export function encodeResponse(r: DnsResponse, limit = Infinity): Buffer {
  const questions = r.questions.map((q) => {
    const tail = Buffer.alloc(4);
    tail.writeUInt16BE(q.type, 0);
    tail.writeUInt16BE(q.class, 2);
    return Buffer.concat([encodeName(q.name), tail]);
  });
  const answers = r.questions.length > 0 ? r.answers.map(answerRecord) : [];
  let length = HEADER_LENGTH + questions.reduce((n, q) => n + q.length, 0);
  let fitting = 0;
  while (fitting < answers.length && length + answers[fitting].length <= limit) length += answers[fitting++].length;
  const truncated = fitting < answers.length;
  return Buffer.concat([header(r, truncated, fitting), ...questions, ...answers.slice(0, fitting)]);
}
