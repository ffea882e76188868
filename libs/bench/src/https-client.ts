import { Agent, request } from 'node:https';

export interface BenchResponse {
  status: number;
  body: string;
}

/**
 * A keep-alive HTTPS client as a busy API user holds one: one agent, one socket per concurrent
 * caller, TLS handshakes only on the first request of each socket — so what is timed is the
 * server's work per request, not connection set-up. The same code drives the gateway and the
 * bare Node server, so their figures compare.
 */
export class BenchClient {
  private readonly agent: Agent;

  constructor(
    private readonly server: string,
    ca: string,
    private readonly token?: string,
    sockets = 50,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, ca });
  }

  call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<BenchResponse> {
    const url = new URL(path, this.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (payload !== undefined) {
      headers['content-type'] = contentType;
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((res, rej) => {
      const req = request(url, { method, headers, agent: this.agent }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => res({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        r.on('error', rej);
      });
      req.on('error', rej);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
