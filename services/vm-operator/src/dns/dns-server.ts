import * as dgram from 'node:dgram';
import * as net from 'node:net';
import type { Logger } from '@openpacific/service-kit';
import { DnsAnswerSet } from './cluster-dns-records';
import { decodeQuery, DnsFormatError, DnsQuestion, DnsRcode, DnsRecord, encodeResponse, UDP_MESSAGE_LIMIT } from './dns-message';

export interface DnsServerOptions {
  address: string;
  /** 53 in a cluster; 0 picks a free port (the same for UDP and TCP). */
  port: number;
  ttl: number;
  answer(question: DnsQuestion): DnsAnswerSet;
  logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
}

/** A TCP client that sends nothing for this long is dropped, as servers do to keep idle connections from piling up. */
const TCP_IDLE_MS = 10_000;

/**
 * An authoritative-only DNS server on UDP and TCP (RFC 1035 §4.2; TCP messages carry a two-byte length). One question
 * per query; a query it cannot read gets FORMERR when its id is readable, and is dropped otherwise.
 */
export class DnsServer {
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private boundPort?: number;

  constructor(private readonly opts: DnsServerOptions) {}

  get port(): number {
    return this.boundPort ?? this.opts.port;
  }

  /** Binds both transports or neither: a failure (EACCES below 1024 without root, EADDRNOTAVAIL) is thrown. */
  async start(): Promise<void> {
    const udp = dgram.createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', (err) => {
        udp.close();
        reject(err);
      });
      udp.bind(this.opts.port, this.opts.address, () => {
        udp.removeAllListeners('error');
        resolve();
      });
    });
    const port = udp.address().port;
    const tcp = net.createServer((socket) => this.acceptTcp(socket));
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, this.opts.address, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      udp.close();
      throw err;
    }
    udp.on('message', (msg, from) => {
      const reply = this.respond(msg, UDP_MESSAGE_LIMIT);
      if (reply) udp.send(reply, from.port, from.address);
    });
    udp.on('error', (err) => this.opts.logger.warn('cluster DNS socket error', { transport: 'udp', error: err.message }));
    tcp.on('error', (err) => this.opts.logger.warn('cluster DNS socket error', { transport: 'tcp', error: err.message }));
    this.udp = udp;
    this.tcp = tcp;
    this.boundPort = port;
    this.opts.logger.info('cluster DNS serving', { address: this.opts.address, port });
  }

  async stop(): Promise<void> {
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }

  /** The response bytes for a query, or nothing when not even its id could be read. */
  respond(msg: Buffer, limit = Infinity): Buffer | undefined {
    try {
      const query = decodeQuery(msg);
      const base = { id: query.id, opcode: query.opcode, recursionDesired: query.recursionDesired, questions: query.questions, answers: [] };
      if (query.opcode !== 0) return encodeResponse({ ...base, authoritative: false, rcode: DnsRcode.NOTIMP }, limit);
      if (query.questions.length !== 1) return encodeResponse({ ...base, authoritative: false, rcode: DnsRcode.FORMERR }, limit);
      const set = this.opts.answer(query.questions[0]);
      // A CNAME chain (an ExternalName Service) first, each owned by the name before it; the addresses by the last name.
      const ttl = this.opts.ttl;
      const aliases = set.aliases ?? [];
      const answers: DnsRecord[] = [
        ...aliases.map((cname, i) => ({ cname, ttl, ...(i > 0 ? { owner: aliases[i - 1] } : {}) })),
        ...set.addresses.map((address) => ({ address, ttl, ...(aliases.length ? { owner: aliases[aliases.length - 1] } : {}) })),
      ];
      return encodeResponse({ ...base, authoritative: set.authoritative, rcode: set.rcode, answers }, limit);
    } catch (err) {
      if (!(err instanceof DnsFormatError) || err.id === undefined) {
        this.opts.logger.debug('cluster DNS dropped a query', { error: (err as Error).message });
        return undefined;
      }
      return encodeResponse({ id: err.id, opcode: 0, recursionDesired: false, authoritative: false, rcode: DnsRcode.FORMERR, questions: [], answers: [] });
    }
  }

  private acceptTcp(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const length = pending.readUInt16BE(0);
        const reply = this.respond(pending.subarray(2, 2 + length));
        pending = pending.subarray(2 + length);
        if (!reply) {
          socket.destroy();
          return;
        }
        const framed = Buffer.alloc(2 + reply.length);
        framed.writeUInt16BE(reply.length, 0);
        reply.copy(framed, 2);
        socket.write(framed);
      }
    });
  }
}
