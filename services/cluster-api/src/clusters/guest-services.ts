import { sameJson } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { guestRequest } from './guest-client';
import type { GuestAccess } from './guest-nodes';
import { GuestPoller } from './guest-poller';

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

  constructor(private readonly opts: { intervalMs: number; timeoutMs: number; staleMs: number; logger: Logger; onChange: () => void }) {
    this.poller = new GuestPoller<any[]>({ ...opts, path: '/api/v1/services', read: (list) => list?.items ?? [], same: sameJson });
  }

  /** Watch exactly these clusters (by uid), with their access; others are forgotten. */
  track(wanted: Map<string, GuestAccess>): void {
    this.poller.track(wanted);
    for (const uid of this.written.keys()) if (!wanted.has(uid)) this.written.delete(uid);
  }

  /** The guest's Services when its API answered within `staleMs`; undefined otherwise (nothing is deleted on a guess). */
  services(uid: string, now = Date.now()): any[] | undefined {
    return this.poller.latest(uid, now);
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
      .then(() => this.opts.logger.info('guest service load balancer status written', { service: key, ingress: (loadBalancer.ingress ?? []).map((i: any) => i.ip) }))
      .catch((err) => {
        if (written.get(key) === version) written.delete(key);
        this.opts.logger.debug('guest service status not written', { service: key, error: (err as Error).message });
      });
  }

  stop(): void {
    this.poller.stop();
    this.written.clear();
  }
}
