import * as net from 'node:net';
import { ClientAffinity } from './client-affinity';

export interface Backend {
  address: string;
  port: number;
}

export interface LoadBalancerLogger {
  info(message: string, fields?: object): void;
  warn(message: string, fields?: object): void;
}

export interface TcpLoadBalancerOptions {
  bindAddress: string;
  port: number;
  logger?: LoadBalancerLogger;
  connectTimeoutMs?: number;
  failureCooldownMs?: number;
  /**
   * Whether a client may be sent to a backend (NetworkPolicy: a pod's connection to a Service only reaches the pods
   * that admit it). Backends it refuses are skipped; a client no backend admits is reset at once.
   */
  admit?: AdmitHook;
}

/** `clientAddress` is the client socket's remote address; `servicePort` the port the balancer listens on. */
export type AdmitHook = (clientAddress: string, backend: Backend, servicePort: number, protocol?: 'TCP' | 'UDP') => boolean;

/** Counters since construction: accepted clients, connections proxied to each backend, failed connects to each backend. */
export interface LoadBalancerStats {
  connections: number;
  perBackend: Record<string, number>;
  failed: Record<string, number>;
}

const silent: LoadBalancerLogger = { info: () => undefined, warn: () => undefined };

export const backendKey = (backend: Backend): string => `${backend.address}:${backend.port}`;

/** Round-robin TCP proxy: one listener, any number of backends, failed backends skipped for a cooldown while others remain. */
export class TcpLoadBalancer {
  private readonly bindAddress: string;
  private readonly requestedPort: number;
  private readonly logger: LoadBalancerLogger;
  private readonly connectTimeoutMs: number;
  private readonly failureCooldownMs: number;
  private readonly admit?: AdmitHook;
  private server?: net.Server;
  private boundPort?: number;
  private stopped = false;
  private backends: Backend[] = [];
  private cursor = 0;
  private readonly failedUntil = new Map<string, number>();
  private readonly sockets = new Set<net.Socket>();
  private readonly affinity = new ClientAffinity();
  private readonly counters: LoadBalancerStats = { connections: 0, perBackend: {}, failed: {} };

  constructor(opts: TcpLoadBalancerOptions) {
    this.bindAddress = opts.bindAddress;
    this.requestedPort = opts.port;
    this.logger = opts.logger ?? silent;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 1000;
    this.failureCooldownMs = opts.failureCooldownMs ?? 5000;
    this.admit = opts.admit;
  }

  /** The port actually bound once started (the requested one before). */
  get port(): number {
    return this.boundPort ?? this.requestedPort;
  }

  async start(): Promise<void> {
    if (this.server) return;
    this.stopped = false;
    // allowHalfOpen so a client's FIN is forwarded instead of closing the reply direction;
    // pauseOnConnect so bytes sent before a backend is connected wait in the kernel.
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.requestedPort, this.bindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.logger.warn('load balancer listener error', { error: err.message }));
    this.server = server;
    this.boundPort = (server.address() as net.AddressInfo).port;
    this.logger.info('load balancer listening', { address: this.bindAddress, port: this.boundPort });
  }

  setBackends(backends: Backend[]): void {
    this.backends = backends.map((b) => ({ address: b.address, port: b.port }));
    const current = new Set(this.backends.map(backendKey));
    for (const id of this.failedUntil.keys()) if (!current.has(id)) this.failedUntil.delete(id);
    this.affinity.keepOnly(current);
  }

  /** The Service's `sessionAffinity: ClientIP` timeout in seconds, or undefined for `None`. */
  setAffinity(timeoutSeconds: number | undefined): void {
    this.affinity.set(timeoutSeconds);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const socket of this.sockets) socket.destroy();
    await closed;
    if (server) this.logger.info('load balancer stopped', { address: this.bindAddress, port: this.boundPort });
  }

  stats(): LoadBalancerStats {
    return { connections: this.counters.connections, perBackend: { ...this.counters.perBackend }, failed: { ...this.counters.failed } };
  }

  private accept(client: net.Socket): void {
    this.counters.connections++;
    this.track(client);
    client.on('error', () => undefined);
    this.attempt(client, this.refusedBackends(client));
  }

  /** The backends the admit hook refuses this client, counted as tried so that `pick` passes over them. */
  private refusedBackends(client: net.Socket): Set<string> {
    const refused = new Set<string>();
    if (!this.admit) return refused;
    const address = (client.remoteAddress ?? '').replace(/^::ffff:/, '');
    for (const backend of this.backends) if (!this.admit(address, backend, this.port)) refused.add(backendKey(backend));
    return refused;
  }

  private track(socket: net.Socket): net.Socket {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    return socket;
  }

  /** Tries the next usable backend; on failure moves on to the one after, each backend at most once per client. */
  private attempt(client: net.Socket, tried: Set<string>): void {
    const address = (client.remoteAddress ?? '').replace(/^::ffff:/, '');
    const backend = this.stopped || client.destroyed ? undefined : this.pick(tried, address);
    if (!backend) {
      if (!client.destroyed) client.resetAndDestroy();
      return;
    }
    const id = backendKey(backend);
    tried.add(id);
    const upstream = this.track(net.connect({ host: backend.address, port: backend.port, allowHalfOpen: true }));
    const timer = setTimeout(() => upstream.destroy(new Error(`connect timed out after ${this.connectTimeoutMs}ms`)), this.connectTimeoutMs);
    const abandon = () => upstream.destroy();
    const settle = () => {
      clearTimeout(timer);
      client.off('close', abandon);
      upstream.off('error', onError);
    };
    const onError = (err: Error) => {
      settle();
      this.markFailed(id, err);
      this.attempt(client, tried);
    };
    client.once('close', abandon);
    upstream.once('close', () => clearTimeout(timer));
    upstream.once('error', onError);
    upstream.once('connect', () => {
      settle();
      this.markHealthy(id);
      this.affinity.reached(address, id);
      this.splice(client, upstream);
    });
  }

  /**
   * The next backend not yet tried for this client, passing over those in their failure cooldown — unless
   * every one left is cooling down: then they are tried anyway rather than the client refused (a backend
   * that failed once, say a guest's server a moment before it listened, may well answer now).
   */
  private pick(tried: Set<string>, client: string): Backend | undefined {
    // A client with session affinity goes back to its backend while that one is there and not yet tried.
    const sticky = this.affinity.backendOf(client);
    const kept = sticky && !tried.has(sticky) ? this.backends.find((b) => backendKey(b) === sticky) : undefined;
    return kept ?? this.pickFrom(tried, Date.now()) ?? this.pickFrom(tried, 0);
  }

  private pickFrom(tried: Set<string>, now: number): Backend | undefined {
    const count = this.backends.length;
    for (let i = 0; i < count; i++) {
      const index = (this.cursor + i) % count;
      const backend = this.backends[index];
      const id = backendKey(backend);
      if (tried.has(id) || (now > 0 && (this.failedUntil.get(id) ?? 0) > now)) continue;
      this.cursor = (index + 1) % count;
      return backend;
    }
    return undefined;
  }

  private markFailed(id: string, err: Error): void {
    this.failedUntil.set(id, Date.now() + this.failureCooldownMs);
    this.counters.failed[id] = (this.counters.failed[id] ?? 0) + 1;
    this.logger.warn('backend connect failed', { backend: id, error: err.message, cooldownMs: this.failureCooldownMs });
  }

  private markHealthy(id: string): void {
    if (this.failedUntil.delete(id)) this.logger.info('backend reachable again', { backend: id });
    this.counters.perBackend[id] = (this.counters.perBackend[id] ?? 0) + 1;
  }

  private splice(client: net.Socket, upstream: net.Socket): void {
    upstream.on('error', () => undefined);
    this.endTogether(client, upstream);
    this.endTogether(upstream, client);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** When `from` closes, `to` goes too: at once after an error, after flushing what it still has to write otherwise. */
  private endTogether(from: net.Socket, to: net.Socket): void {
    from.once('close', (hadError: boolean) => {
      if (to.destroyed) return;
      if (hadError) to.resetAndDestroy();
      else to.end(() => to.destroy());
    });
  }
}
