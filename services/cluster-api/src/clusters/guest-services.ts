import { type ReadModel, sameJson } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { GuestApiError, guestRequest } from './guest-client';
import { desiredVmService, vmServiceName } from './guest-load-balancers';
import type { GuestAccess } from './guest-nodes';
import { GuestPoller } from './guest-poller';
import { GuestServiceEvents } from './guest-service-events';
import { CR } from './objects';

/**
 * The guest side of the guest clusters' cloud provider: lists each guest's Services through its own API (as
 * GuestNodeMonitor lists its Nodes), calling `onChange` when they change, and writes a Service's
 * `status.loadBalancer` through its `/status` subresource.
 */
export class GuestServiceMonitor {
  private readonly poller: GuestPoller<any[]>;
  /**
   * Status writes in flight or done, by cluster uid, for the access the cluster is polled with (a cluster re-tracked
   * with another server or token starts afresh): by `<namespace>/<name>`, the Service's resourceVersion written from.
   */
  private readonly written = new Map<string, { access: GuestAccess; byService: Map<string, string> }>();
  /** The service-controller Events said to each guest, by cluster uid. */
  private readonly events = new Map<string, GuestServiceEvents>();

  constructor(private readonly opts: { intervalMs: number; timeoutMs: number; staleMs: number; logger: Logger; onChange: () => void }) {
    this.poller = new GuestPoller<any[]>({ ...opts, path: '/api/v1/services', read: (list) => list?.items ?? [], same: sameJson });
  }

  /** Watch exactly these clusters (by uid), with their access; others are forgotten. */
  track(wanted: Map<string, GuestAccess>): void {
    this.poller.track(wanted);
    for (const uid of this.written.keys()) if (!wanted.has(uid)) this.written.delete(uid);
    for (const uid of this.events.keys()) if (!wanted.has(uid)) this.events.delete(uid);
  }

  /** The guest's Services when its API answered within `staleMs`; undefined otherwise (nothing is deleted on a guess). */
  services(uid: string, now = Date.now()): any[] | undefined {
    return this.poller.latest(uid, now);
  }

  /**
   * Says on each guest Service what its load balancer is doing, as Kubernetes' service controller does: Ensuring when
   * its VirtualMachineService is about to be made, Deleting while a Service no longer a LoadBalancer still has one,
   * Deleted once that is gone. Nothing while the Cluster itself is going.
   */
  noteLoadBalancers(uid: string, model: ReadModel, cluster: any, services: readonly any[]): void {
    const access = this.poller.access(uid);
    if (!access || cluster.metadata.deletionTimestamp) return;
    const events = this.eventsOf(uid);
    events.keepOnly(services);
    for (const svc of services) {
      if (svc.metadata?.deletionTimestamp) continue;
      const has = !!model.get(CR.vmServices, cluster.metadata.namespace, vmServiceName(cluster.metadata.name, svc.metadata.namespace, svc.metadata.name));
      if (svc.spec?.type === 'LoadBalancer') {
        if (!has && desiredVmService(cluster, svc)) events.ensuring(access, svc);
      } else if (has) events.deleting(access, svc);
      else events.deleted(access, svc);
    }
  }

  /** Writes the Service's `status.loadBalancer` in the background, once per version of it; a failure is retried on a later pass. */
  writeStatus(uid: string, service: any, loadBalancer: any): void {
    const access = this.poller.access(uid);
    if (!access) return;
    let mine = this.written.get(uid);
    if (mine?.access !== access) this.written.set(uid, (mine = { access, byService: new Map() }));
    const written = mine.byService;
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    const version = String(service.metadata.resourceVersion ?? '');
    if (written.get(key) === version) return;
    written.set(key, version);
    const path = `/api/v1/namespaces/${encodeURIComponent(service.metadata.namespace)}/services/${encodeURIComponent(service.metadata.name)}/status`;
    guestRequest(access, 'PUT', path, { body: { ...service, apiVersion: 'v1', kind: 'Service', status: { ...service.status, loadBalancer } }, timeoutMs: this.opts.timeoutMs })
      .then(() => {
        this.opts.logger.info('guest service load balancer status written', { service: key, ingress: (loadBalancer.ingress ?? []).map((i: any) => i.ip) });
        if ((loadBalancer.ingress ?? []).length) this.eventsOf(uid).ensured(access, service, loadBalancer);
      })
      .catch((err) => {
        if (written.get(key) === version) written.delete(key);
        this.opts.logger.debug('guest service status not written', { service: key, error: (err as Error).message });
        // A refusal a retry will not cure (not a stale version, a Service gone or a busy server) is said on the Service.
        if (err instanceof GuestApiError && err.code >= 400 && err.code < 500 && ![404, 409, 429].includes(err.code)) {
          this.eventsOf(uid).failed(access, service, `failed to update load balancer status: ${err.message}`);
        }
      });
  }

  stop(): void {
    this.poller.stop();
    this.written.clear();
    this.events.clear();
  }

  private eventsOf(uid: string): GuestServiceEvents {
    let events = this.events.get(uid);
    if (!events) this.events.set(uid, (events = new GuestServiceEvents({ timeoutMs: this.opts.timeoutMs, logger: this.opts.logger })));
    return events;
  }
}
