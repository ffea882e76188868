import * as dgram from 'node:dgram';
import { ClientAffinity } from './client-affinity';
import { AdmitHook, Backend, backendKey, BackendPools, ClientHostHook, LoadBalancerLogger } from './tcp-load-balancer';

export interface UdpLoadBalancerOptions {
  bindAddress: string;
  port: number;
  logger?: LoadBalancerLogger;
  /** A client's flow is forgotten after this long without a datagram either way (kube-proxy keeps UDP flows ~30 s too). */
  idleTimeoutMs?: number;
  /** Which backends a client may be sent to (NetworkPolicy); all when absent. */
  admit?: AdmitHook;
  /** The host a client address is on, asked while there are per-host backends (`internalTrafficPolicy: Local`). */
  clientHost?: ClientHostHook;
}

interface Flow {
  backend: Backend;
  /** The client's host when its flow was kept to that host's backends. */
  host?: string;
  upstream: dgram.Socket;
  timer: NodeJS.Timeout;
}

const silent: LoadBalancerLogger = { info: () => undefined, warn: () => undefined };

/**
 * UDP for a Service port: a flow per client address and port, pinned to one backend chosen round robin when its
 * first datagram arrives; replies come back from the service address. A backend that leaves takes its flows with
 * it (the next datagram picks again); with no backend a datagram is dropped, as a UDP service without endpoints does.
 * With per-host backends (`internalTrafficPolicy: Local`) a client whose host is known is sent only to its host's,
 * its datagrams dropped when there are none.
 */
export class UdpLoadBalancer {
  private socket?: dgram.Socket;
  private readonly pools: BackendPools;
  private readonly flows = new Map<string, Flow>();
  private readonly affinity = new ClientAffinity();
  private readonly logger: LoadBalancerLogger;
  private readonly idleTimeoutMs: number;

  constructor(private readonly opts: UdpLoadBalancerOptions) {
    this.logger = opts.logger ?? silent;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
    this.pools = new BackendPools(opts.clientHost);
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

  /** The backends; with `byHost`, a client whose host `clientHost` names is sent only to that host's (as TcpLoadBalancer). */
  setBackends(backends: Backend[], byHost?: Map<string, Backend[]>): void {
    const current = this.pools.set(backends, byHost);
    // A flow whose backend left its pool (or whose pool changed) goes; its next datagram picks again.
    for (const [client, flow] of this.flows) {
      const host = this.pools.hostOf(client.slice(0, client.lastIndexOf(':')));
      if (host !== flow.host || !this.pools.pool(host).some((b) => backendKey(b) === backendKey(flow.backend))) this.close(client);
    }
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
      const host = this.pools.hostOf(from.address);
      const backend = this.pick(from.address, host);
      if (!backend) return;
      flow = this.open(client, from, backend, host);
    }
    this.touch(client, flow);
    this.affinity.reached(from.address, backendKey(flow.backend));
    flow.upstream.send(msg, flow.backend.port, flow.backend.address);
  }

  private open(client: string, from: dgram.RemoteInfo, backend: Backend, host: string | undefined): Flow {
    const upstream = dgram.createSocket('udp4');
    upstream.on('error', () => this.close(client));
    upstream.on('message', (reply) => {
      const flow = this.flows.get(client);
      if (!flow || !this.socket) return;
      this.touch(client, flow);
      this.socket.send(reply, from.port, from.address);
    });
    const flow: Flow = { backend, ...(host !== undefined ? { host } : {}), upstream, timer: setTimeout(() => this.close(client), this.idleTimeoutMs) };
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

  private pick(clientAddress: string, host: string | undefined): Backend | undefined {
    const admitted = (b: Backend) => !this.opts.admit || this.opts.admit(clientAddress, b, this.port, 'UDP');
    const sticky = this.affinity.backendOf(clientAddress);
    const kept = sticky ? this.pools.pool(host).find((b) => backendKey(b) === sticky) : undefined;
    if (kept && admitted(kept)) return kept;
    return this.pools.next(host, admitted);
  }
}
