import { decodeQuery, DnsFormatError, DnsRcode, DnsType, encodeResponse, readName, UDP_MESSAGE_LIMIT } from './dns-message';

const labels = (name: string) => Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
const u16 = (...values: number[]) => Buffer.concat(values.map((v) => Buffer.from([v >> 8, v & 255])));

/** A query as a stub resolver sends it: id, RD set, the questions. */
function query(id: number, ...questions: Buffer[]): Buffer {
  return Buffer.concat([u16(id, 0x0100, questions.length, 0, 0, 0), ...questions]);
}

describe('the DNS message codec', () => {
  it('reads the header and question of a query, keeping the name\'s case', () => {
    const q = decodeQuery(query(0xbeef, Buffer.concat([labels('Web.Shop.svc.cluster.local'), u16(DnsType.A, 1)])));
    expect(q).toEqual({ id: 0xbeef, opcode: 0, recursionDesired: true, questions: [{ name: 'Web.Shop.svc.cluster.local', type: DnsType.A, class: 1 }] });
  });

  it('follows compression pointers when reading names', () => {
    // Second question: "api" then a pointer to "shop.svc.cluster.local" inside the first question's name.
    const first = Buffer.concat([labels('web.shop.svc.cluster.local'), u16(DnsType.A, 1)]);
    const second = Buffer.concat([Buffer.from([3]), Buffer.from('api'), u16(0xc000 | (12 + 4)), u16(DnsType.AAAA, 1)]);
    const q = decodeQuery(query(1, first, second));
    expect(q.questions.map((x) => [x.name, x.type])).toEqual([['web.shop.svc.cluster.local', DnsType.A], ['api.shop.svc.cluster.local', DnsType.AAAA]]);
  });

  it('refuses pointer loops and messages cut short, keeping the id for a FORMERR', () => {
    const loop = Buffer.concat([u16(7, 0, 1, 0, 0, 0), u16(0xc000 | 12), u16(1, 1)]);
    expect(() => decodeQuery(loop)).toThrow(new DnsFormatError('compression pointer loop'));
    const cut = query(9, labels('web.shop.svc.cluster.local')).subarray(0, 20);
    expect(() => decodeQuery(cut)).toThrow(DnsFormatError);
    try {
      decodeQuery(cut);
    } catch (err) {
      expect((err as DnsFormatError).id).toBe(9);
    }
    expect(() => decodeQuery(Buffer.from([1, 2, 3]))).toThrow('message shorter than a DNS header');
    expect(() => readName(Buffer.from([0x80]), 0)).toThrow('unsupported label type 0x80');
  });

  it('writes an authoritative answer whose records point back at the question name', () => {
    const out = encodeResponse({
      id: 0x1234, opcode: 0, recursionDesired: true, authoritative: true, rcode: DnsRcode.NOERROR,
      questions: [{ name: 'web.shop.svc.cluster.local', type: DnsType.A, class: 1 }],
      answers: [{ address: '10.97.3.4', ttl: 5 }],
    });
    const question = Buffer.concat([labels('web.shop.svc.cluster.local'), u16(1, 1)]);
    const answer = Buffer.concat([u16(0xc00c, DnsType.A, 1, 0, 5, 4), Buffer.from([10, 97, 3, 4])]);
    expect(out).toEqual(Buffer.concat([u16(0x1234, 0x8500, 1, 1, 0, 0), question, answer]));
    // And it reads back as the question it answers.
    expect(decodeQuery(Buffer.concat([u16(0x1234, 0x0100), out.subarray(4)])).questions[0].name).toBe('web.shop.svc.cluster.local');
  });

  it('sets the rcode, and truncates with TC set when the answers do not fit a UDP message', () => {
    const base = { id: 1, opcode: 0, recursionDesired: false, questions: [{ name: 'db.shop.svc.cluster.local', type: DnsType.A, class: 1 }] };
    expect(encodeResponse({ ...base, authoritative: true, rcode: DnsRcode.NXDOMAIN, answers: [] }).readUInt16BE(2)).toBe(0x8403);
    const many = Array.from({ length: 100 }, (_, i) => ({ address: `10.65.1.${i + 1}`, ttl: 5 }));
    const udp = encodeResponse({ ...base, authoritative: true, rcode: 0, answers: many }, UDP_MESSAGE_LIMIT);
    expect(udp.length).toBeLessThanOrEqual(UDP_MESSAGE_LIMIT);
    expect(udp.readUInt16BE(2) & 0x0200).toBe(0x0200);
    expect(udp.readUInt16BE(6)).toBe(Math.floor((UDP_MESSAGE_LIMIT - 12 - 31) / 16));
    const tcp = encodeResponse({ ...base, authoritative: true, rcode: 0, answers: many });
    expect(tcp.readUInt16BE(2) & 0x0200).toBe(0);
    expect(tcp.readUInt16BE(6)).toBe(100);
  });
});
