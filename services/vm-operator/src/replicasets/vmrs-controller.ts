import { type NatsNames, ObjectEventTypes, objectStreamId, VIRTUAL_MACHINE_REPLICASETS_RESOURCE, rfc3339, ZONE_LABEL, ZONE_LABEL_FIELD, ZONES_RESOURCE, zoneUseRefusal } from '@openpacific/contracts';
import { EventStore, NewEvent, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { fieldInvalid, generateName, invalid } from '@openpacific/kube-api';
import { controllerReadModel, objectEvent, feedPassLoop, PassLoop, sameJson, type SharedFollower, StoredObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import type { NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import { R, VM_API_VERSION } from '../vms/vm-resources';
import { admitVm, type VmAdmission } from './vm-admission';
import { Expectation, expectationsMet, ownerReference, planReplicas, vmFromTemplate, vmrsStatus, vmsOf } from './vmrs-logic';

const ACTOR = { actor: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager', source: 'vm-operator' };
const COMPONENT = 'vmware-system-vmop';
const RS = VIRTUAL_MACHINE_REPLICASETS_RESOURCE;
const EXPECTATIONS_TIMEOUT_MS = 30_000;

function change(resource: string, stored: StoredObject, object: any, type: string): StreamAppend {
  const next = { ...object, metadata: { ...object.metadata } };
  delete next.metadata.resourceVersion;
  return { streamId: stored.streamId, events: [{ type, data: { resource, object: next }, metadata: ACTOR } as NewEvent], expectedVersion: stored.streamVersion };
}

/**
 * VirtualMachineReplicaSets (in the elected vm-operator): each keeps `spec.replicas` VirtualMachines made from its
 * template, named `<set>-<5 random characters>` and owned by it (a controller owner reference, so the garbage
 * collector deletes them with the set and `--cascade=orphan` leaves them), adopts matching VMs without a
 * controller, deletes extras by its delete policy, and reports counts and conditions in its status, with a
 * SuccessfulCreate or SuccessfulDelete Event per VM. Each VM is admitted by the policy service first, as a
 * user's: a refusal (a quota) is a FailedCreate Warning and the VirtualMachinesCreated condition's reason.
 * Level-triggered: every pass reads the sets and their VMs.
 */
export class VmReplicaSetController {
  private readonly model = controllerReadModel([RS, R.vms, ZONES_RESOURCE]);
  private readonly loop: PassLoop;
  /**
   * The last create that failed, per set uid, until one succeeds (the VirtualMachinesCreated condition). The same
   * refusal of another new name (`key`: the message without the name and its numbers, a quota's counts moving as
   * VMs come and go) keeps the first message: no Event and no status write each pass while the quota stays full.
   */
  private readonly createFailures = new Map<string, { message: string; key: string }>();
  /** Per set uid: its last writes, until the model shows them (a pass before then would create twice). */
  private readonly expectations = new Map<string, Expectation>();

  /** Reads the log through `feed`, which the caller starts (replaying the log) before `start`. */
  constructor(private readonly deps: { store: EventStore; feed: SharedFollower; logger: Logger; nats: NatsConnection; names: NatsNames }) {
    this.loop = feedPassLoop(deps.feed, this.model, () => this.pass(), { what: 'VM replica set', logger: deps.logger });
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  private async pass(): Promise<void> {
    for (const uid of this.expectations.keys()) if (!this.model.findByUid(uid)) this.expectations.delete(uid);
    for (const uid of this.createFailures.keys()) if (!this.model.findByUid(uid)) this.createFailures.delete(uid);
    for (const stored of this.model.list(RS)) {
      try {
        await this.reconcile(stored);
      } catch (err) {
        if (!(err instanceof VersionConflictError)) this.deps.logger.warn('VM replica set failed', { namespace: stored.object.metadata.namespace, name: stored.object.metadata.name, error: (err as Error).message });
        this.loop.schedule();
      }
    }
  }

  private async reconcile(stored: StoredObject): Promise<void> {
    const rs = { ...stored.object, apiVersion: stored.object.apiVersion ?? VM_API_VERSION };
    const { namespace, uid } = rs.metadata;
    const vms = this.model.list(R.vms, namespace);
    if (!expectationsMet(rs, this.expectations.get(uid), vms.map((s) => s.object), Date.now(), EXPECTATIONS_TIMEOUT_MS)) return;
    this.expectations.delete(uid);
    const plan = planReplicas(rs, vms.map((s) => s.object));
    const writes: StreamAppend[] = [];
    const involved = { apiVersion: rs.apiVersion, kind: 'VirtualMachineReplicaSet', name: rs.metadata.name, namespace, uid };
    const note = (reason: string, message: string) => objectEvent(involved, { type: 'Normal', reason, message, component: COMPONENT, actor: ACTOR });
    for (const vm of plan.adopt) {
      const at = this.model.get(R.vms, namespace, vm.metadata.name)!;
      writes.push(change(R.vms, at, { ...vm, metadata: { ...vm.metadata, ownerReferences: [...(vm.metadata.ownerReferences ?? []), ownerReference(rs)] } }, ObjectEventTypes.updated));
    }
    const now = rfc3339();
    const expectation: Expectation = { creates: [], deletes: plan.delete.map((vm) => vm.metadata.name), adopts: plan.adopt.map((vm) => vm.metadata.name), since: Date.now() };
    let refused: { message: string; key: string } | undefined;
    for (let i = 0; i < plan.create; i++) {
      const name = generateName(`${rs.metadata.name}-`);
      const admitted = await this.admit(vmFromTemplate(rs, name, randomUUID(), now));
      if (!admitted.allowed) {
        const key = admitted.message.split(`"${name}"`).join('').replace(/\d+/g, '#');
        const last = this.createFailures.get(uid);
        refused = last?.key === key ? last : { message: admitted.message, key };
        if (refused !== last) writes.push(objectEvent(involved, { type: 'Warning', reason: 'FailedCreate', message: `Error creating: ${refused.message}`, component: COMPONENT, actor: ACTOR }));
        break;
      }
      expectation.creates.push(name);
      const at = this.model.streamVersion(R.vms, namespace, name);
      writes.push({ streamId: objectStreamId(R.vms, namespace, name), events: [{ type: ObjectEventTypes.created, data: { resource: R.vms, object: admitted.vm }, metadata: ACTOR } as NewEvent], expectedVersion: at });
      writes.push(note('SuccessfulCreate', `Created VirtualMachine "${name}"`));
    }
    for (const vm of plan.delete) {
      const at = this.model.get(R.vms, namespace, vm.metadata.name)!;
      const held = (vm.metadata.finalizers ?? []).length > 0;
      writes.push(change(R.vms, at, held ? { ...vm, metadata: { ...vm.metadata, deletionTimestamp: now, deletionGracePeriodSeconds: 0 } } : vm, held ? ObjectEventTypes.deletionStarted : ObjectEventTypes.deleted));
      writes.push(note('SuccessfulDelete', `Deleted VirtualMachine "${vm.metadata.name}"`));
    }
    if (writes.length > 0) {
      await this.deps.store.appendBatch(writes);
      this.expectations.set(uid, expectation);
    }
    if (refused) this.createFailures.set(uid, refused);
    else if (plan.create > 0) this.createFailures.delete(uid);
    // After writing VMs, the status counts what the model shows once it has caught up with them: the next pass.
    if (writes.length > 0 && !refused) return;
    await this.writeStatus(stored, rs, vms.map((s) => s.object), now);
  }

  /**
   * A VM of the set is judged as the API server judges one a user creates: VM Operator's webhook first (here its zone
   * rule: a `topology.kubernetes.io/zone` label in the template must name a Zone of the namespace not being deleted,
   * the gateway's `validateVmZone`), then the policy service's admission.
   */
  private async admit(vm: any): Promise<VmAdmission> {
    const zone = vm.metadata.labels?.[ZONE_LABEL];
    if (typeof zone === 'string' && zone) {
      const refused = zoneUseRefusal(zone, this.model.get(ZONES_RESOURCE, vm.metadata.namespace, zone)?.object);
      if (refused) return { allowed: false, message: invalid('VirtualMachine', vm.metadata.name, 'vmoperator.vmware.com', [fieldInvalid(ZONE_LABEL_FIELD, zone, refused)]).message };
    }
    return admitVm(this.deps.nats, this.deps.names, vm);
  }

  private async writeStatus(stored: StoredObject, rs: any, vms: any[], now: string): Promise<void> {
    if (rs.metadata.deletionTimestamp) return;
    const status = vmrsStatus(rs, vmsOf(rs, vms).owned, this.createFailures.get(rs.metadata.uid)?.message, now);
    if (sameJson(status, rs.status ?? {})) return;
    await this.deps.store.appendBatch([change(RS, stored, { ...stored.object, status }, ObjectEventTypes.statusUpdated)]);
  }
}
