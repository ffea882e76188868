import { constants, createDeflate, Deflate, deflateSync, inflateSync } from 'node:zlib';
import { SPDY3_DICTIONARY, SpdySession } from './spdy';

/** Sync-flushes what was written to a deflate stream that lives as long as the client's connection. */
function flushed(deflate: Deflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const onData = (d: Buffer) => chunks.push(d);
    deflate.on('data', onData);
    deflate.write(input);
    deflate.flush(constants.Z_SYNC_FLUSH, () => {
      deflate.off('data', onData);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** A client's SYN_STREAM: its header block compressed with the SPDY/3 dictionary in the connection's zlib stream. */
async function synStream(deflate: Deflate, id: number, headers: Record<string, string>, fin = false): Promise<Buffer> {
  const parts: Buffer[] = [u32(Object.keys(headers).length)];
  for (const [k, v] of Object.entries(headers)) parts.push(u32(k.length), Buffer.from(k), u32(v.length), Buffer.from(v));
  const block = await flushed(deflate, Buffer.concat(parts));
  const body = Buffer.concat([u32(id), u32(0), Buffer.from([0, 0]), block]);
  return Buffer.concat([Buffer.from([0x80, 3, 0, 1, fin ? 1 : 0]), u24(body.length), body]);
}
const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const u24 = (n: number) => Buffer.from([(n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

describe('SpdySession (the server side kubectl port-forward talks to)', () => {
  it('reads streams and data in any slicing, answers SYN_REPLYs a zlib inflater reads in sequence, and echoes PINGs', async () => {
    const deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
    const out: Buffer[] = [];
    const seen: string[] = [];
    const session = new SpdySession((b) => out.push(b), {
      onStream: (s) => {
        seen.push(`stream ${s.id} ${s.headers.streamtype} ${s.headers.port}`);
        session.reply(s.id);
      },
      onData: (id, data, fin) => seen.push(`data ${id} ${data.toString()}${fin ? ' FIN' : ''}`),
      onReset: (id) => seen.push(`reset ${id}`),
      onClose: () => seen.push('closed'),
    });
    const data = Buffer.concat([u32(3), Buffer.from([1]), u24(5), Buffer.from('hello')]);
    const ping = Buffer.from([0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 7]);
    const first = await synStream(deflate, 1, { streamtype: 'error', port: '80', requestid: '0' });
    const second = await synStream(deflate, 3, { streamtype: 'data', port: '80', requestid: '0' });
    deflate.close();
    const wire = Buffer.concat([first, second, data, ping]);
    for (let i = 0; i < wire.length; i += 7) session.receive(wire.subarray(i, i + 7));
    // Both header blocks come from one zlib stream per direction: the second is only readable after the first.
    expect(seen).toEqual(['stream 1 error 80', 'stream 3 data 80', 'data 3 hello FIN']);
    const replies = out.filter((b) => b.readUInt16BE(2) === 2);
    expect(replies.map((r) => r.readUInt32BE(8))).toEqual([1, 3]);
    const inflated = inflateSync(Buffer.concat(replies.map((r) => r.subarray(12))), { finishFlush: constants.Z_SYNC_FLUSH });
    expect([...inflated]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]); // two empty header blocks
    expect(out.at(-1)).toEqual(ping);

    session.data(3, Buffer.from('back'), true);
    expect(out.at(-1)).toEqual(Buffer.concat([u32(3), Buffer.from([1]), u24(4), Buffer.from('back')]));
    session.receive(Buffer.from([0x80, 3, 0, 7, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0])); // GOAWAY
    expect(seen.at(-1)).toBe('closed');
  });

  it('ends the session on a header block it cannot inflate', () => {
    let closed = false;
    const session = new SpdySession(() => undefined, { onStream: () => undefined, onData: () => undefined, onReset: () => undefined, onClose: () => (closed = true) });
    const body = Buffer.concat([u32(1), u32(0), Buffer.from([0, 0]), deflateSync(Buffer.from('a block with another dictionary'), { dictionary: Buffer.from('other') })]);
    session.receive(Buffer.concat([Buffer.from([0x80, 3, 0, 1, 0]), u24(body.length), body]));
    expect(closed).toBe(true);
  });
});
