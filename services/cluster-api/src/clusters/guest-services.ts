import { sameJson } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { guestRequest } from './guest-client';
import type { GuestAccess } from './guest-nodes';

interface Watched {
  access: GuestAccess;
  services?: any[];
  answeredAt?: number;
  timer?: NodeJS.Timeout;
  inFlight: boolean;
  /** Status writes in flight or done, by `<namespace>/<name>`: the Service's resourceVersion written from. */
  written: Map<string, string>;
}

/**
 * The guest side of the guest clusters' cloud provider: lists each guest's Services through its own API (as
 * GuestNodeMonitor lists its Nodes), calling `onChange` when they change, and writes a Service's
 * `status.loadBalancer` through its `/status` subresource.
 */
export class GuestServiceMonitor {
  private readonly clusters = new Map<string, Watched>();

  constructor(private readonly opts: { intervalMs: number; timeoutMs: number; staleMs: number; logger: Logger; onChange: () => void }) {}

  /** Watch exactly these clusters (by uid), with their access; others are forgotten. */
  track(wanted: Map<string, GuestAccess>): void {
    for (const [uid, w] of this.clusters) {
      if (!wanted.has(uid)) {
        clearTimeout(w.timer);
        this.clusters.delete(uid);
      }
    }
    for (const [uid, access] of wanted) {
      const existing = this.clusters.get(uid);
      if (existing && existing.access.server === access.server && existing.access.token === access.token) continue;
      if (existing) clearTimeout(existing.timer);
      const w: Watched = { access, inFlight: false, written: new Map() };
      this.clusters.set(uid, w);
      this.poll(uid, w);
    }
  }

  /** The guest's Services when its API answered within `staleMs`; undefined otherwise (nothing is deleted on a guess). */
  services(uid: string, now = Date.now()): any[] | undefined {
    const w = this.clusters.get(uid);
    return w?.answeredAt !== undefined && now - w.answeredAt <= this.opts.staleMs ? w.services : undefined;
  }

  /** Writes the Service's `status.loadBalancer` in the background, once per version of it; a failure is retried on a later pass. */
  writeStatus(uid: string, service: any, loadBalancer: any): void {
    const w = this.clusters.get(uid);
    if (!w) return;
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    const version = String(service.metadata.resourceVersion ?? '');
    if (w.written.get(key) === version) return;
    w.written.set(key, version);
    const path = `/api/v1/namespaces/${encodeURIComponent(service.metadata.namespace)}/services/${encodeURIComponent(service.metadata.name)}/status`;
    guestRequest(w.access, 'PUT', path, { body: { ...service, apiVersion: 'v1', kind: 'Service', status: { ...service.status, loadBalancer } }, timeoutMs: this.opts.timeoutMs })
      .then(() => this.opts.logger.info('guest service load balancer status written', { service: key, ingress: (loadBalancer.ingress ?? []).map((i: any) => i.ip) }))
      .catch((err) => {
        if (w.written.get(key) === version) w.written.delete(key);
        this.opts.logger.debug('guest service status not written', { service: key, error: (err as Error).message });
      });
  }

  stop(): void {
    for (const w of this.clusters.values()) clearTimeout(w.timer);
    this.clusters.clear();
  }

  private poll(uid: string, w: Watched): void {
    if (this.clusters.get(uid) !== w || w.inFlight) return;
    w.inFlight = true;
    guestRequest(w.access, 'GET', '/api/v1/services', { timeoutMs: this.opts.timeoutMs })
      .then((list) => {
        const services: any[] = list?.items ?? [];
        const changed = !w.services || !sameJson(w.services, services);
        w.services = services;
        w.answeredAt = Date.now();
        if (changed) this.opts.onChange();
      })
      .catch((err) => this.opts.logger.debug('guest cluster API did not answer', { server: w.access.server, error: (err as Error).message }))
      .finally(() => {
        w.inFlight = false;
        if (this.clusters.get(uid) === w) w.timer = setTimeout(() => this.poll(uid, w), this.opts.intervalMs).unref();
      });
  }
}
