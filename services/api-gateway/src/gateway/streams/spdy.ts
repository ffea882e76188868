import { constants, inflateSync } from 'node:zlib';

/**
 * The server side of SPDY/3.1 as `kubectl port-forward` speaks it (moby/spdystream): the client opens streams
 * (SYN_STREAM), the server answers each (SYN_REPLY) and both send DATA, FIN half-closing a direction; PINGs are
 * echoed. Header blocks share one zlib stream per direction with the SPDY/3 dictionary: the client's is inflated
 * whole each time (header blocks are few), ours is written as stored (uncompressed) deflate blocks.
 */
export interface SpdyStream {
  id: number;
  headers: Record<string, string>;
}

export interface SpdyHandlers {
  onStream(stream: SpdyStream): void;
  onData(streamId: number, data: Buffer, fin: boolean): void;
  onReset(streamId: number): void;
  onClose(): void;
}

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const HEADERS = 8;
const FLAG_FIN = 0x01;

export class SpdySession {
  private buffer: Buffer = Buffer.alloc(0);
  private inflateInput: Buffer[] = [];
  private inflatedBytes = 0;
  private deflateStarted = false;
  private closed = false;

  constructor(
    private readonly write: (bytes: Buffer) => void,
    private readonly handlers: SpdyHandlers,
  ) {}

  /** Bytes from the client, in any slicing. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer.length >= 8) {
      const length = this.buffer.readUIntBE(5, 3);
      if (this.buffer.length < 8 + length) return;
      const frame = this.buffer.subarray(0, 8 + length);
      this.buffer = this.buffer.subarray(8 + length);
      try {
        this.frame(frame);
      } catch {
        // A frame we cannot read (bad header block): the session cannot go on.
        this.close();
        return;
      }
    }
  }

  reply(streamId: number): void {
    const block = this.headerBlock({});
    const body = Buffer.alloc(4);
    body.writeUInt32BE(streamId & 0x7fffffff);
    this.control(SYN_REPLY, 0, Buffer.concat([body, block]));
  }

  data(streamId: number, data: Buffer, fin = false): void {
    if (this.closed) return;
    // Frames of at most 32 KiB (the peer's buffers are sized for that).
    for (let at = 0; at < data.length || (at === 0 && fin); at += 32 * 1024) {
      const part = data.subarray(at, at + 32 * 1024);
      const last = at + 32 * 1024 >= data.length;
      const head = Buffer.alloc(8);
      head.writeUInt32BE(streamId & 0x7fffffff, 0);
      head.writeUInt32BE(((last && fin ? FLAG_FIN : 0) << 24) | part.length, 4);
      this.write(Buffer.concat([head, part]));
      if (data.length === 0) break;
    }
  }

  reset(streamId: number, status = 5 /* CANCEL */): void {
    const body = Buffer.alloc(8);
    body.writeUInt32BE(streamId & 0x7fffffff, 0);
    body.writeUInt32BE(status, 4);
    this.control(RST_STREAM, 0, body);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose();
  }

  private frame(frame: Buffer): void {
    const control = (frame[0] & 0x80) !== 0;
    const flags = frame[4];
    const body = frame.subarray(8);
    if (!control) {
      this.handlers.onData(frame.readUInt32BE(0) & 0x7fffffff, body, (flags & FLAG_FIN) !== 0);
      return;
    }
    const type = frame.readUInt16BE(2);
    if (type === SYN_STREAM) {
      const id = body.readUInt32BE(0) & 0x7fffffff;
      const headers = this.inflate(body.subarray(10));
      this.handlers.onStream({ id, headers });
      if (flags & FLAG_FIN) this.handlers.onData(id, Buffer.alloc(0), true);
    } else if (type === HEADERS) {
      this.inflate(body.subarray(4)); // keeps the shared zlib stream in step
    } else if (type === RST_STREAM) {
      this.handlers.onReset(body.readUInt32BE(0) & 0x7fffffff);
    } else if (type === PING) {
      this.control(PING, 0, body);
    } else if (type === GOAWAY) {
      this.close();
    }
    // SETTINGS, WINDOW_UPDATE: nothing to do (no flow control is enforced by either side).
  }

  private control(type: number, flags: number, body: Buffer): void {
    if (this.closed) return;
    const head = Buffer.alloc(8);
    head.writeUInt16BE(0x8000 | 3, 0);
    head.writeUInt16BE(type, 2);
    head.writeUInt32BE((flags << 24) | body.length, 4);
    this.write(Buffer.concat([head, body]));
  }

  /** Inflates one more header block of the client's zlib stream and decodes its name/value pairs. */
  private inflate(block: Buffer): Record<string, string> {
    this.inflateInput.push(block);
    const all = inflateSync(Buffer.concat(this.inflateInput), { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    const out = all.subarray(this.inflatedBytes);
    this.inflatedBytes = all.length;
    const headers: Record<string, string> = {};
    const count = out.readUInt32BE(0);
    let at = 4;
    for (let i = 0; i < count; i++) {
      const nameLength = out.readUInt32BE(at);
      const name = out.subarray(at + 4, at + 4 + nameLength).toString();
      at += 4 + nameLength;
      const valueLength = out.readUInt32BE(at);
      headers[name.toLowerCase()] = out.subarray(at + 4, at + 4 + valueLength).toString();
      at += 4 + valueLength;
    }
    return headers;
  }

  /** Our header blocks: a zlib header once, then each block as one stored deflate block (no compression). */
  private headerBlock(headers: Record<string, string>): Buffer {
    const parts: Buffer[] = [];
    const count = Buffer.alloc(4);
    count.writeUInt32BE(Object.keys(headers).length);
    parts.push(count);
    for (const [name, value] of Object.entries(headers)) {
      for (const s of [name, value]) {
        const len = Buffer.alloc(4);
        len.writeUInt32BE(Buffer.byteLength(s));
        parts.push(len, Buffer.from(s));
      }
    }
    const raw = Buffer.concat(parts);
    const stored = Buffer.alloc(5);
    stored[0] = 0; // BFINAL=0, BTYPE=00 (stored)
    stored.writeUInt16LE(raw.length, 1);
    stored.writeUInt16LE(~raw.length & 0xffff, 3);
    const prefix = this.deflateStarted ? [] : [Buffer.from([0x78, 0x01])];
    this.deflateStarted = true;
    // An empty stored block after it, as zlib's sync flush: Go's inflater hands out a stored block's bytes only
    // once it has read the next block's header, which must therefore be in this frame.
    return Buffer.concat([...prefix, stored, raw, Buffer.from([0, 0, 0, 0xff, 0xff])]);
  }
}

const WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
  'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
  'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie',
  'keep-alive', 'origin',
];
const TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

/** The SPDY/3 header compression dictionary (draft-mbelshe-httpbis-spdy-00, 2.6.10.1). */
export const SPDY3_DICTIONARY = Buffer.concat([
  ...WORDS.map((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    return Buffer.concat([len, Buffer.from(w)]);
  }),
  Buffer.from(TAIL),
]);
