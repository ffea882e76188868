import { ENDPOINT_SLICES_RESOURCE, SERVICES_RESOURCE } from '@openpacific/contracts';
import { controllerReadModel, type SharedFollower } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { answerQuestion, CLUSTER_DNS_TTL } from './cluster-dns-records';
import { DnsServer } from './dns-server';

/** The resources the answers come from; other events are not kept. */
const SERVED = new Set([SERVICES_RESOURCE, ENDPOINT_SLICES_RESOURCE]);

/**
 * The cluster DNS (the elected vm-operator's kube-dns): `<svc>.<ns>.svc.cluster.local` and
 * `<a-b-c-d>.<ns>.pod.cluster.local` answered from its own read model of Services and EndpointSlices, on UDP and TCP
 * at the service range's .10, port 53. Pods get that address as their nameserver.
 *
 * The address must be local on the machine (loopback, or the service range made local at start) and port 53 needs
 * root: when the bind fails the reason is logged and the operator runs on without DNS, as the rest does not need it.
 */
export class ClusterDns {
  private readonly model = controllerReadModel([...SERVED]);
  private server?: DnsServer;

  /** Reads the log through `feed`, which the caller starts (replaying the log) before `start`. */
  constructor(private readonly deps: { feed: SharedFollower; logger: Logger; address: string; port?: number }) {
    deps.feed.add(this.model.follows, (events) => {
      for (const e of events) this.model.apply(e);
    });
  }

  async start(): Promise<void> {
    const server = new DnsServer({
      address: this.deps.address,
      port: this.deps.port ?? 53,
      ttl: CLUSTER_DNS_TTL,
      answer: (q) => answerQuestion(this.model, q),
      logger: this.deps.logger,
    });
    try {
      await server.start();
      this.server = server;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'EACCES' ? 'binding port 53 needs root'
        : code === 'EADDRNOTAVAIL' ? 'the address is not local on this machine (see the service range route)'
        : code === 'EADDRINUSE' ? 'another DNS server holds the address' : (err as Error).message;
      this.deps.logger.warn('cluster DNS not started: pods cannot resolve service names', { address: this.deps.address, port: this.deps.port ?? 53, code, reason: why });
    }
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }
}
