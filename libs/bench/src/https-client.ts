import { Pool } from 'undici';

export interface BenchResponse {
  status: number;
  /** The body as text. Decoded when first read: the API mix never reads its answers, a LIST's 30 KB among them. */
  readonly body: string;
}

class Answer implements BenchResponse {
  private text?: string;

  constructor(
    readonly status: number,
    private readonly bytes: ArrayBuffer,
  ) {}

  get body(): string {
    this.text ??= Buffer.from(this.bytes).toString('utf8');
    return this.text;
  }
}

/**
 * A keep-alive HTTPS client as a busy API user holds one: up to `sockets` connections, one request at a time on
 * each (more callers wait their turn), TLS handshakes only on the first request of each — so what is timed is the
 * server's work per request, not connection set-up. The same code drives the gateway and the bare Node server, so
 * their figures compare.
 *
 * It is undici's connection pool rather than node:https: the bench runs on the cores it measures, and node's client
 * (agent bookkeeping, a ClientRequest, an IncomingMessage and their streams per request) cost more CPU per request
 * than the TLS itself. The headers every request carries are built once.
 */
export class BenchClient {
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;
  private readonly headersWithBody = new Map<string, Record<string, string>>();

  constructor(server: string, ca: string, token?: string, sockets = 50) {
    this.pool = new Pool(server, { connections: sockets, pipelining: 1, connect: { ca } });
    this.headers = { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  }

  /** Sends one request (`body` as JSON); resolves with any answer, rejects only when the connection failed. */
  async call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<BenchResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const answer = await this.pool.request({
      method: method as 'GET',
      path,
      headers: payload === undefined ? this.headers : this.headersFor(contentType),
      body: payload,
    });
    return new Answer(answer.statusCode, await answer.body.arrayBuffer());
  }

  close(): void {
    void this.pool.destroy().catch(() => undefined);
  }

  private headersFor(contentType: string): Record<string, string> {
    let headers = this.headersWithBody.get(contentType);
    if (!headers) this.headersWithBody.set(contentType, (headers = { ...this.headers, 'content-type': contentType }));
    return headers;
  }
}
