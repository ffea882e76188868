import { sameJson } from '@openpacific/objects';
import { createHash, randomUUID } from 'node:crypto';
import { EventMetadata, markDeletion, ObjectEventTypes, objectStreamId, STORAGE_CLASSES_RESOURCE, VIRTUAL_MACHINES_RESOURCE, rfc3339, ZONES_RESOURCE } from '@openpacific/contracts';
import type { StreamAppend } from '@openpacific/event-store';

/** Where the objects of the three layers live (qualified resource names). */
export const CR = {
  tkcs: 'tanzukubernetesclusters.run.tanzu.vmware.com',
  tkrs: 'tanzukubernetesreleases.run.tanzu.vmware.com',
  clusters: 'clusters.cluster.x-k8s.io',
  clusterClasses: 'clusterclasses.cluster.x-k8s.io',
  namespaces: 'namespaces',
  mds: 'machinedeployments.cluster.x-k8s.io',
  mss: 'machinesets.cluster.x-k8s.io',
  machines: 'machines.cluster.x-k8s.io',
  mhcs: 'machinehealthchecks.cluster.x-k8s.io',
  kcps: 'kubeadmcontrolplanes.controlplane.cluster.x-k8s.io',
  vsphereClusters: 'vsphereclusters.vmware.infrastructure.cluster.x-k8s.io',
  vsphereMachines: 'vspheremachines.vmware.infrastructure.cluster.x-k8s.io',
  vsphereMachineTemplates: 'vspheremachinetemplates.vmware.infrastructure.cluster.x-k8s.io',
  vms: VIRTUAL_MACHINES_RESOURCE,
  vmClasses: 'virtualmachineclasses.vmoperator.vmware.com',
  vmImages: 'virtualmachineimages.vmoperator.vmware.com',
  clusterVmImages: 'clustervirtualmachineimages.vmoperator.vmware.com',
  storageClasses: STORAGE_CLASSES_RESOURCE,
  vmServices: 'virtualmachineservices.vmoperator.vmware.com',
  policies: 'virtualmachinesetresourcepolicies.vmoperator.vmware.com',
  /** A namespace's vSphere Zones: its failure domains. */
  zones: ZONES_RESOURCE,
} as const;

export const LABELS = {
  cluster: 'cluster.x-k8s.io/cluster-name',
  controlPlane: 'cluster.x-k8s.io/control-plane',
  controlPlaneName: 'cluster.x-k8s.io/control-plane-name',
  deployment: 'cluster.x-k8s.io/deployment-name',
  set: 'cluster.x-k8s.io/set-name',
  /** On VMs, as CAPV's vmware flavour labels them (the control-plane service selects by these). */
  vmCluster: 'capv.vmware.com/cluster.name',
  vmRole: 'capv.vmware.com/cluster.role',
} as const;

/** On what a Cluster's topology made, as Cluster API's topology controller labels it. */
export const TOPOLOGY_OWNED = 'topology.cluster.x-k8s.io/owned';
export const TOPOLOGY_DEPLOYMENT = 'topology.cluster.x-k8s.io/deployment-name';

export const ACTOR: EventMetadata = { actor: 'system:serviceaccount:vmware-system-capw:capi-controller-manager', source: 'cluster-api' };

export function ownerRef(owner: any, controller = true) {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller, blockOwnerDeletion: true };
}

/** A new object as a controller creates it: uid, creation time, its owner. */
export function newObject(apiVersion: string, kind: string, namespace: string, name: string, owner: any | undefined, body: { labels?: Record<string, string>; annotations?: Record<string, string>; spec?: any }) {
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      namespace,
      uid: randomUUID(),
      creationTimestamp: rfc3339(),
      generation: 1,
      ...(body.labels ? { labels: body.labels } : {}),
      ...(body.annotations ? { annotations: body.annotations } : {}),
      ...(owner ? { ownerReferences: [ownerRef(owner)] } : {}),
    },
    spec: body.spec ?? {},
  };
}

/** A creation; `streamVersion` (a read model's) when an object of that name existed before and was deleted. */
export function created(resource: string, object: any, streamVersion = 0): StreamAppend {
  return { streamId: objectStreamId(resource, object.metadata.namespace, object.metadata.name), events: [{ type: ObjectEventTypes.created, data: { resource, object }, metadata: ACTOR }], expectedVersion: streamVersion || 'no_stream' };
}

function clean(object: any): any {
  const next = structuredClone(object);
  delete next.metadata.resourceVersion;
  return next;
}

/** A spec change (generation bumps) at the object's stream version. */
export function updated(resource: string, stored: { object: any; streamVersion: number }, mutate: (o: any) => void): StreamAppend | undefined {
  const next = clean(stored.object);
  mutate(next);
  if (sameJson(next.spec, stored.object.spec) && sameJson(next.metadata, clean(stored.object).metadata)) return undefined;
  if (!sameJson(next.spec, stored.object.spec)) next.metadata.generation = (next.metadata.generation ?? 1) + 1;
  return { streamId: objectStreamId(resource, next.metadata.namespace, next.metadata.name), events: [{ type: ObjectEventTypes.updated, data: { resource, object: next }, metadata: ACTOR }], expectedVersion: stored.streamVersion };
}

/** The status, written only when it changed. */
export function statusOf(resource: string, stored: { object: any; streamVersion: number }, status: any): StreamAppend | undefined {
  if (sameJson(status, stored.object.status ?? {})) return undefined;
  const next = clean(stored.object);
  next.status = status;
  return { streamId: objectStreamId(resource, next.metadata.namespace, next.metadata.name), events: [{ type: ObjectEventTypes.statusUpdated, data: { resource, object: next }, metadata: ACTOR }], expectedVersion: stored.streamVersion };
}

/** Deleted now: what it owns goes after it (the garbage collector follows owner references). */
export function deleted(resource: string, stored: { object: any; streamVersion: number }): StreamAppend {
  const next = clean(stored.object);
  return { streamId: objectStreamId(resource, next.metadata.namespace, next.metadata.name), events: [{ type: ObjectEventTypes.deleted, data: { resource, object: next }, metadata: ACTOR }], expectedVersion: stored.streamVersion };
}

/**
 * Deleted as a DELETE would: held by finalizers, it gets its deletionTimestamp (now, no grace) and goes once they are
 * removed; otherwise it goes now. Undefined for an object already being deleted.
 */
export function startDeletion(resource: string, stored: { object: any; streamVersion: number }): StreamAppend | undefined {
  if (stored.object.metadata.deletionTimestamp) return undefined;
  if (!(stored.object.metadata.finalizers ?? []).length) return deleted(resource, stored);
  const next = clean(stored.object);
  markDeletion(next.metadata, 0);
  return { streamId: objectStreamId(resource, next.metadata.namespace, next.metadata.name), events: [{ type: ObjectEventTypes.deletionStarted, data: { resource, object: next }, metadata: ACTOR }], expectedVersion: stored.streamVersion };
}

/** Five lower-case characters, as Cluster API suffixes machine names. */
export function suffix(): string {
  return randomUUID().replace(/-/g, '').slice(0, 5);
}

/** A stable short hash of a template, as MachineDeployments name their MachineSets. */
export function templateHash(template: unknown): string {
  return createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 10);
}

export function condition(type: string, ok: boolean, reason = ok ? '' : 'NotReady', message = ''): any {
  return { type, status: ok ? 'True' : 'False', lastTransitionTime: rfc3339(), ...(ok ? {} : { reason, message }) };
}

/** A v1beta1 condition as Cluster API marks it: True, or False with a reason, a severity and a message. */
export function capiCondition(type: string, ok: true): any;
export function capiCondition(type: string, ok: false, reason: string, severity: 'Info' | 'Warning' | 'Error', message?: string): any;
export function capiCondition(type: string, ok: boolean, reason?: string, severity?: string, message = ''): any {
  return ok ? { type, status: 'True', lastTransitionTime: rfc3339() } : { type, status: 'False', severity, lastTransitionTime: rfc3339(), reason, message };
}

/** `c` replacing `old` (of its type): `old`'s transition time kept when the status did not change. */
function carried(old: any | undefined, c: any): any {
  return old && old.status === c.status ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
}

/** Conditions replaced by type, keeping a transition time when the status did not change. */
export function mergeConditions(existing: any[] = [], next: any[]): any[] {
  return next.map((c) => carried(existing.find((e) => e.type === c.type), c));
}

/** Conditions set by type over the existing ones (the others kept, new types after them), as `mergeConditions` carries them. */
export function setConditions(existing: any[] = [], changes: any[]): any[] {
  const out = existing.map((e) => {
    const c = changes.find((x) => x.type === e.type);
    return c ? carried(e, c) : e;
  });
  for (const c of changes) if (!existing.some((e) => e.type === c.type)) out.push(c);
  return out;
}

/** `90s`, `5m`, `2h`, `1h30m`, `0` (Go durations as Kubernetes writes them) in ms; undefined when unparsable. */
export function durationMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (value === '0') return 0;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let matched = '';
  for (let m = re.exec(value); m; m = re.exec(value)) {
    total += Number(m[1]) * units[m[2]];
    matched += m[0];
  }
  return matched === value ? total : undefined;
}
