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
  /**
   * The host (Node) a client address is known to be on, asked only while the listener has per-host backends
   * (`setBackends`' `byHost`: `internalTrafficPolicy: Local`); undefined when the address says nothing about it.
   */
  clientHost?: ClientHostHook;
}

/** The host a client address is on (a pod's `spec.nodeName`), or undefined when it cannot be known. */
export type ClientHostHook = (clientAddress: string) => string | undefined;

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

/** A socket's remote address without the IPv4-mapped prefix. */
const remoteAddress = (socket: net.Socket): string => (socket.remoteAddress ?? '').replace(/^::ffff:/, '');

/**
 * Where a listener sends its clients: `all` for a client whose host is not known (or when there are no per-host
 * backends), else only its host's (`byHost`; none for a host not there). Shared by the TCP and UDP balancers.
 */
export class BackendPools {
  all: Backend[] = [];
  byHost?: Map<string, Backend[]>;
  /** The round-robin position in each pool: `''` for `all`, else `host/<name>`. */
  private readonly cursors = new Map<string, number>();

  constructor(private readonly clientHost?: ClientHostHook) {}

  /** Replaces the backends; returns the keys of every backend in any pool. */
  set(backends: Backend[], byHost?: Map<string, Backend[]>): Set<string> {
    const copy = (list: Backend[]) => list.map((b) => ({ address: b.address, port: b.port }));
    this.all = copy(backends);
    this.byHost = byHost ? new Map([...byHost].map(([host, list]) => [host, copy(list)])) : undefined;
    for (const key of this.cursors.keys()) if (key !== '' && !this.byHost?.has(key.slice(5))) this.cursors.delete(key);
    const keys = new Set(this.all.map(backendKey));
    for (const list of this.byHost?.values() ?? []) for (const b of list) keys.add(backendKey(b));
    return keys;
  }

  /** The client's host when the listener keeps clients on their hosts and the address tells it; else undefined. */
  hostOf(clientAddress: string): string | undefined {
    return this.byHost && this.clientHost ? this.clientHost(clientAddress) : undefined;
  }

  /** The backends a client on `host` (undefined: unknown) may be sent to. */
  pool(host: string | undefined): Backend[] {
    return host === undefined || !this.byHost ? this.all : (this.byHost.get(host) ?? []);
  }

  /** The next backend of the host's pool, round robin, that `usable` accepts; the pool's position moves past it. */
  next(host: string | undefined, usable: (backend: Backend) => boolean): Backend | undefined {
    const pool = this.pool(host);
    const key = host === undefined || !this.byHost ? '' : `host/${host}`;
    const count = pool.length;
    const cursor = this.cursors.get(key) ?? 0;
    for (let i = 0; i < count; i++) {
      const index = (cursor + i) % count;
      if (!usable(pool[index])) continue;
      this.cursors.set(key, (index + 1) % count);
      return pool[index];
    }
    return undefined;
  }
}

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
  private readonly pools: BackendPools;
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
    this.pools = new BackendPools(opts.clientHost);
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

  /**
   * The backends, round robin. With `byHost` (`internalTrafficPolicy: Local`), a client whose host `clientHost` names
   * goes only to that host's backends — reset at once when it has none — and any other client to `backends`.
   */
  setBackends(backends: Backend[], byHost?: Map<string, Backend[]>): void {
    const current = this.pools.set(backends, byHost);
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
    const host = this.pools.hostOf(remoteAddress(client));
    this.attempt(client, this.refusedBackends(client, host), host);
  }

  /** The backends of the client's pool the admit hook refuses it, counted as tried so that `pick` passes over them. */
  private refusedBackends(client: net.Socket, host: string | undefined): Set<string> {
    const refused = new Set<string>();
    if (!this.admit) return refused;
    const address = remoteAddress(client);
    for (const backend of this.pools.pool(host)) if (!this.admit(address, backend, this.port)) refused.add(backendKey(backend));
    return refused;
  }

  private track(socket: net.Socket): net.Socket {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    return socket;
  }

  /**
   * Tries the next usable backend of the client's pool (its host's, when known and kept there); on failure moves on
   * to the one after, each backend at most once per client.
   */
  private attempt(client: net.Socket, tried: Set<string>, host: string | undefined): void {
    const address = remoteAddress(client);
    const backend = this.stopped || client.destroyed ? undefined : this.pick(tried, address, host);
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
      this.attempt(client, tried, host);
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
  private pick(tried: Set<string>, client: string, host: string | undefined): Backend | undefined {
    // A client with session affinity goes back to its backend while that one is in its pool and not yet tried.
    const sticky = this.affinity.backendOf(client);
    const kept = sticky && !tried.has(sticky) ? this.pools.pool(host).find((b) => backendKey(b) === sticky) : undefined;
    if (kept) return kept;
    const now = Date.now();
    const untried = (b: Backend) => !tried.has(backendKey(b));
    return this.pools.next(host, (b) => untried(b) && (this.failedUntil.get(backendKey(b)) ?? 0) <= now) ?? this.pools.next(host, untried);
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
