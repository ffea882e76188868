import { eventObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { guestRequest } from './guest-client';
import type { GuestAccess } from './guest-nodes';

/** The component Kubernetes' service controller (a cloud-controller-manager's) records its Events as. */
export const SERVICE_CONTROLLER = 'service-controller';

/** The service controller's reasons and messages, as `kubectl describe svc` shows them. */
export const LB_EVENTS = {
  ensuring: { type: 'Normal', reason: 'EnsuringLoadBalancer', message: 'Ensuring load balancer' },
  ensured: { type: 'Normal', reason: 'EnsuredLoadBalancer', message: 'Ensured load balancer' },
  deleting: { type: 'Normal', reason: 'DeletingLoadBalancer', message: 'Deleting load balancer' },
  deleted: { type: 'Normal', reason: 'DeletedLoadBalancer', message: 'Deleted load balancer' },
} as const;

export interface LbEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** `Warning SyncLoadBalancerFailed`, with what went wrong. */
export function syncFailed(error: string): LbEvent {
  return { type: 'Warning', reason: 'SyncLoadBalancerFailed', message: `Error syncing load balancer: ${error}` };
}

/**
 * The core v1 Event a guest Service's cloud provider posts to the guest about it (libs/objects' `eventObject`, with
 * no server-set fields): in the Service's namespace, about the Service (uid and resourceVersion as read).
 */
export function serviceEventBody(service: any, event: LbEvent, now = new Date()): any {
  const { name, namespace, uid, resourceVersion } = service.metadata;
  const involved = { apiVersion: 'v1', kind: 'Service', name, namespace, uid, ...(resourceVersion ? { resourceVersion: String(resourceVersion) } : {}) };
  return eventObject(involved, { ...event, component: SERVICE_CONTROLLER }, now);
}

/** What was said about one guest Service (by its uid): a new Service of that name starts afresh. */
interface Said {
  uid: string;
  /** Ensuring said, and no Deleting since. */
  ensuring?: boolean;
  /** Deleting said, Deleted not yet. */
  deleting?: boolean;
  /** The ingress (as JSON) Ensured was said for. */
  ensured?: string;
  /** The last failure said. */
  failed?: string;
}

/**
 * The guest's service-controller Events, as the paravirtual cloud provider records them on the guest Service: each
 * said once per change (a record per `<namespace>/<name>`), posted in the background; a post that fails is logged at
 * debug and said again at most on the next change. A Service deleted gets nothing: its Events would have no object
 * left to be shown with.
 */
export class GuestServiceEvents {
  private readonly said = new Map<string, Said>();

  constructor(private readonly opts: { timeoutMs: number; logger: Logger }) {}

  /** Forgets the Services no longer in the guest's list. */
  keepOnly(services: readonly any[]): void {
    const present = new Set(services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`));
    for (const key of this.said.keys()) if (!present.has(key)) this.said.delete(key);
  }

  /** Its VirtualMachineService is being made: `EnsuringLoadBalancer`, once until the Service stops being a LoadBalancer. */
  ensuring(access: GuestAccess, service: any): void {
    const said = this.record(service);
    if (said.ensuring) return;
    Object.assign(said, { ensuring: true, deleting: false, ensured: undefined, failed: undefined });
    this.post(access, service, LB_EVENTS.ensuring);
  }

  /** Its ingress was written to the guest Service's status: `EnsuredLoadBalancer`, once per ingress. */
  ensured(access: GuestAccess, service: any, loadBalancer: any): void {
    const said = this.record(service);
    const ingress = JSON.stringify(loadBalancer?.ingress ?? []);
    if (said.ensured === ingress) return;
    Object.assign(said, { ensured: ingress, failed: undefined });
    this.post(access, service, LB_EVENTS.ensured);
  }

  /** No longer a LoadBalancer while its VirtualMachineService is still there: `DeletingLoadBalancer`, once. */
  deleting(access: GuestAccess, service: any): void {
    const said = this.record(service);
    if (said.deleting) return;
    Object.assign(said, { deleting: true, ensuring: false, ensured: undefined });
    this.post(access, service, LB_EVENTS.deleting);
  }

  /** Its VirtualMachineService is gone after a Deleting: `DeletedLoadBalancer`. */
  deleted(access: GuestAccess, service: any): void {
    const said = this.record(service);
    if (!said.deleting) return;
    said.deleting = false;
    this.post(access, service, LB_EVENTS.deleted);
  }

  /** A sync step failed for a reason a retry will not cure by itself: `SyncLoadBalancerFailed`, once per message. */
  failed(access: GuestAccess, service: any, error: string): void {
    const said = this.record(service);
    if (said.failed === error) return;
    said.failed = error;
    this.post(access, service, syncFailed(error));
  }

  clear(): void {
    this.said.clear();
  }

  private record(service: any): Said {
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    const had = this.said.get(key);
    if (had && had.uid === service.metadata.uid) return had;
    const said: Said = { uid: service.metadata.uid };
    this.said.set(key, said);
    return said;
  }

  private post(access: GuestAccess, service: any, event: LbEvent): void {
    const path = `/api/v1/namespaces/${encodeURIComponent(service.metadata.namespace)}/events`;
    guestRequest(access, 'POST', path, { body: serviceEventBody(service, event), timeoutMs: this.opts.timeoutMs }).catch((err) =>
      this.opts.logger.debug('guest service event not posted', { service: `${service.metadata.namespace}/${service.metadata.name}`, reason: event.reason, error: (err as Error).message }),
    );
  }
}
