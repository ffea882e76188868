import { ENDPOINTS_RESOURCE, ObjectEventTypes, VMOPERATOR_GROUP, WEB_CONSOLE_REQUESTS_RESOURCE, webConsoleVmName } from '@openpacific/contracts';
import { VersionConflictError } from '@openpacific/event-store';
import { controllerReadModel, objectEvent, StoredObject } from '@openpacific/objects';
import { RequestControllerDeps, RequestPass } from '../publish/request-pass';
import { R, VM_API_VERSION } from '../vms/vm-resources';
import { API_ENDPOINTS, proxyAddress } from './proxy-address';
import { expiresAt, withTicket } from './web-console-ticket';

const ACTOR = { actor: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager', source: 'vm-operator' };
const COMPONENT = 'vmware-system-vmop';
/** A request that cannot get its ticket yet is tried again after this, doubling up to the most. */
const RETRY = { firstMs: 500, mostMs: 30_000 };

export interface WebConsoleDeps extends RequestControllerDeps {
  /** How long a ticket lasts before its request is deleted: VM Operator's DefaultExpiryTime, 120 s. */
  ttlMs: number;
}

/**
 * VirtualMachineWebConsoleRequests, or v1alpha1's WebConsoleRequests (one controller per kind, as VM Operator runs
 * two), in the elected vm-operator: a request naming a VM of its namespace gets a one-time console ticket
 * (web-console-ticket.ts) and an `Acquired TicketSuccess` Event; a request whose ticket expired is deleted. A
 * request for a VM that does not exist gets a `VirtualMachine Not Found` Warning and is tried again with backoff, as
 * VM Operator's reconcile returns the error and is requeued. Nothing else is ever done to a request that has its
 * response: a ticket is acquired once.
 */
export class WebConsoleRequestController extends RequestPass {
  private readonly retries = new Map<string, { attempt: number; at: number }>();

  private readonly ttlMs: number;

  constructor(
    deps: WebConsoleDeps,
    private readonly kindResource: string,
  ) {
    super(deps, controllerReadModel([kindResource, R.vms, ENDPOINTS_RESOURCE]), kindResource, 'web console request');
    this.ttlMs = deps.ttlMs;
  }

  protected async handle(stored: StoredObject): Promise<number | undefined> {
    const req = stored.object;
    if (req.metadata.deletionTimestamp) return undefined;
    const at = expiresAt(req);
    if (at !== undefined && at <= Date.now()) {
      this.retries.delete(req.metadata.uid);
      await this.remove(stored);
      return undefined;
    }
    if (req.status?.response && req.status?.proxyAddr) return at;
    const retry = this.retries.get(req.metadata.uid);
    if (retry && retry.at > Date.now()) return retry.at;
    return this.acquire(stored);
  }

  private async acquire(stored: StoredObject): Promise<number | undefined> {
    const req = stored.object;
    const { namespace } = req.metadata;
    const vmName = webConsoleVmName(req);
    const vm = this.model.get(R.vms, namespace, vmName)?.object;
    if (!vm) {
      await this.warnOnce(req, 'VirtualMachine Not Found', '');
      return this.retryLater(req, `failed to get subject vm ${vmName}: ${R.vms} "${vmName}" not found`);
    }
    const proxyAddr = proxyAddress(this.model.get(ENDPOINTS_RESOURCE, API_ENDPOINTS.namespace, API_ENDPOINTS.name)?.object);
    if (!proxyAddr) return this.retryLater(req, `no endpoints found for the API server service ${API_ENDPOINTS.namespace}/${API_ENDPOINTS.name}`);
    // v1alpha1's controller reads the VM at v1alpha1, so its owner reference names that version.
    const apiVersion = this.kindResource === WEB_CONSOLE_REQUESTS_RESOURCE ? `${VMOPERATOR_GROUP}/v1alpha1` : (vm.apiVersion ?? VM_API_VERSION);
    let next: any;
    try {
      next = withTicket(req, { vm: { apiVersion, name: vm.metadata.name, uid: vm.metadata.uid }, proxyAddr, now: Date.now(), ttlMs: this.ttlMs });
    } catch (err) {
      return this.retryLater(req, `failed to get webmksticket: ${(err as Error).message}`);
    }
    const acquired = this.note(req, 'Normal', 'Acquired TicketSuccess', 'Acquired Ticket success');
    await this.deps.store.appendBatch([{ streamId: stored.streamId, events: [{ type: ObjectEventTypes.updated, data: { resource: this.kindResource, object: next }, metadata: ACTOR }], expectedVersion: stored.streamVersion }, acquired]);
    this.retries.delete(req.metadata.uid);
    return expiresAt(next);
  }

  /** Logs why the request has no ticket yet and returns when to try again (backoff per request). */
  private retryLater(req: any, why: string): number {
    const attempt = (this.retries.get(req.metadata.uid)?.attempt ?? 0) + 1;
    const at = Date.now() + Math.min(RETRY.firstMs * 2 ** (attempt - 1), RETRY.mostMs);
    this.retries.set(req.metadata.uid, { attempt, at });
    if (attempt === 1) this.deps.logger.warn('web console request not answered yet', { namespace: req.metadata.namespace, name: req.metadata.name, error: why });
    return at;
  }

  private note(req: any, type: 'Normal' | 'Warning', reason: string, message: string, onceKey?: string) {
    const { name, namespace, uid } = req.metadata;
    return objectEvent({ apiVersion: req.apiVersion, kind: req.kind, name, namespace, uid }, { type, reason, message, component: COMPONENT, actor: ACTOR, onceKey });
  }

  /** The Warning once per request (the recorder would count repeats up; one says it). */
  private async warnOnce(req: any, reason: string, message: string): Promise<void> {
    try {
      await this.deps.store.appendBatch([this.note(req, 'Warning', reason, message, reason)]);
    } catch (err) {
      // Written already (the once key's stream exists): nothing more to say.
      if (!(err instanceof VersionConflictError)) throw err;
    }
  }

  private async remove(stored: StoredObject): Promise<void> {
    const next = structuredClone(stored.object);
    delete next.metadata.resourceVersion;
    await this.deps.store.append(stored.streamId, [{ type: ObjectEventTypes.deleted, data: { resource: this.kindResource, object: next }, metadata: ACTOR }], { expectedVersion: stored.streamVersion });
  }
}
