import * as dgram from 'node:dgram';
import { ClientAffinity } from './client-affinity';
import { AdmitHook, Backend, backendKey, LoadBalancerLogger } from './tcp-load-balancer';

export interface UdpLoadBalancerOptions {
  bindAddress: string;
  port: number;
  logger?: LoadBalancerLogger;
  /** A client's flow is forgotten after this long without a datagram either way (kube-proxy keeps UDP flows ~30 s too). */
  idleTimeoutMs?: number;
  /** Which backends a client may be sent to (NetworkPolicy); all when absent. */
  admit?: AdmitHook;
}

interface Flow {
  backend: Backend;
  upstream: dgram.Socket;
  timer: NodeJS.Timeout;
}

const silent: LoadBalancerLogger = { info: () => undefined, warn: () => undefined };

/**
 * UDP for a Service port: a flow per client address and port, pinned to one backend chosen round robin when its
 * first datagram arrives; replies come back from the service address. A backend that leaves takes its flows with
 * it (the next datagram picks again); with no backend a datagram is dropped, as a UDP service without endpoints does.
 */
export class UdpLoadBalancer {
  private socket?: dgram.Socket;
  private backends: Backend[] = [];
  private cursor = 0;
  private readonly flows = new Map<string, Flow>();
  private readonly affinity = new ClientAffinity();
  private readonly logger: LoadBalancerLogger;
  private readonly idleTimeoutMs: number;

  constructor(private readonly opts: UdpLoadBalancerOptions) {
    this.logger = opts.logger ?? silent;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
  }

  get port(): number {
    return this.socket ? this.socket.address().port : this.opts.port;
  }

  async start(): Promise<void> {
    if (this.socket) return;
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.opts.port, this.opts.bindAddress, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', (err) => this.logger.warn('udp load balancer error', { error: err.message }));
    socket.on('message', (msg, from) => this.forward(msg, from));
    this.socket = socket;
    this.logger.info('udp load balancer listening', { address: this.opts.bindAddress, port: this.port });
  }

  setBackends(backends: Backend[]): void {
    this.backends = backends.map((b) => ({ address: b.address, port: b.port }));
    const current = new Set(this.backends.map(backendKey));
    for (const [client, flow] of this.flows) if (!current.has(backendKey(flow.backend))) this.close(client);
    this.affinity.keepOnly(current);
  }

  /** The Service's `sessionAffinity: ClientIP` timeout in seconds (a client address's new flows go to its backend), or undefined. */
  setAffinity(timeoutSeconds: number | undefined): void {
    this.affinity.set(timeoutSeconds);
  }

  async stop(): Promise<void> {
    for (const client of [...this.flows.keys()]) this.close(client);
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private forward(msg: Buffer, from: dgram.RemoteInfo): void {
    const client = `${from.address}:${from.port}`;
    let flow = this.flows.get(client);
    if (!flow) {
      const backend = this.pick(from.address);
      if (!backend) return;
      flow = this.open(client, from, backend);
    }
    this.touch(client, flow);
    this.affinity.reached(from.address, backendKey(flow.backend));
    flow.upstream.send(msg, flow.backend.port, flow.backend.address);
  }

  private open(client: string, from: dgram.RemoteInfo, backend: Backend): Flow {
    const upstream = dgram.createSocket('udp4');
    upstream.on('error', () => this.close(client));
    upstream.on('message', (reply) => {
      const flow = this.flows.get(client);
      if (!flow || !this.socket) return;
      this.touch(client, flow);
      this.socket.send(reply, from.port, from.address);
    });
    const flow: Flow = { backend, upstream, timer: setTimeout(() => this.close(client), this.idleTimeoutMs) };
    this.flows.set(client, flow);
    return flow;
  }

  private touch(client: string, flow: Flow): void {
    clearTimeout(flow.timer);
    flow.timer = setTimeout(() => this.close(client), this.idleTimeoutMs);
  }

  private close(client: string): void {
    const flow = this.flows.get(client);
    if (!flow) return;
    this.flows.delete(client);
    clearTimeout(flow.timer);
    flow.upstream.close();
  }

  private pick(clientAddress: string): Backend | undefined {
    const sticky = this.affinity.backendOf(clientAddress);
    const kept = sticky ? this.backends.find((b) => backendKey(b) === sticky) : undefined;
    if (kept && (!this.opts.admit || this.opts.admit(clientAddress, kept, this.port, 'UDP'))) return kept;
    const count = this.backends.length;
    for (let i = 0; i < count; i++) {
      const index = (this.cursor + i) % count;
      const backend = this.backends[index];
      if (this.opts.admit && !this.opts.admit(clientAddress, backend, this.port, 'UDP')) continue;
      this.cursor = (index + 1) % count;
      return backend;
    }
    return undefined;
  }
}
