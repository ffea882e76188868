import { ZONE_LABEL_FIELD, zoneUseRefusal } from '@openpacific/contracts';
import { fieldInvalid, goQuote } from '@openpacific/kube-api';

/**
 * Failure domains as Cluster API and CAPV's Supervisor (`vmware`) flavour use them on a vSphere 8 Supervisor with
 * vSphere Zones: a namespace's Zones (`topology.tanzu.vmware.com` Zone objects, one per zone the namespace may use,
 * named as the zone) are its VSphereCluster's `status.failureDomains` (each `controlPlane: true`), which Cluster API's
 * cluster controller copies into the Cluster's. A KubeadmControlPlane spreads its Machines over those marked for the
 * control plane; a MachineDeployment pins its Machines to the one its template names. A Machine's `spec.failureDomain`
 * becomes its VSphereMachine's, and that the VirtualMachine's `topology.kubernetes.io/zone` label, which VM Operator
 * places it by.
 */

/** clusterv1.FailureDomains: by name, whether the control plane may use it and its attributes. */
export type FailureDomains = Record<string, { controlPlane?: boolean; attributes?: Record<string, string> }>;

/** What failure-domain placement reads of a Machine. */
export interface PlacedMachine {
  metadata: { name: string; creationTimestamp: string };
  spec: { failureDomain?: string };
}

/**
 * A VSphereCluster's `status.failureDomains` from its namespace's Zones (CAPV's getFailureDomains): one per zone, all
 * for the control plane; undefined (no field) when the namespace has none. Zones being deleted are not offered.
 */
export function failureDomainsOfZones(zones: any[]): FailureDomains | undefined {
  const names = zones.filter((z) => !z.metadata.deletionTimestamp).map((z) => z.metadata.name as string).sort();
  return names.length ? Object.fromEntries(names.map((n) => [n, { controlPlane: true }])) : undefined;
}

/** The names of the failure domains a control plane may use (FailureDomains.FilterControlPlane), sorted. */
export function controlPlaneDomains(domains: FailureDomains | undefined): string[] {
  return Object.entries(domains ?? {}).filter(([, d]) => d?.controlPlane).map(([n]) => n).sort();
}

interface Count {
  id: string;
  priority: number;
  all: number;
}

/** Machines per known failure domain: all of them, and of `priority` (machines in unknown domains are not counted). */
function countByDomain(domains: string[], all: PlacedMachine[], priority: PlacedMachine[]): Count[] {
  const counts = new Map(domains.map((id) => [id, { id, priority: 0, all: 0 }]));
  for (const m of all) {
    const c = counts.get(m.spec.failureDomain ?? '');
    if (c && m.spec.failureDomain !== undefined) c.all++;
  }
  for (const m of priority) {
    const c = counts.get(m.spec.failureDomain ?? '');
    if (c && m.spec.failureDomain !== undefined) c.priority++;
  }
  return [...counts.values()];
}

/** Fewest of the priority machines first, then fewest overall, then by name. */
function fewestFirst(a: Count, b: Count): number {
  return a.priority - b.priority || a.all - b.all || a.id.localeCompare(b.id);
}

/**
 * The failure domain for a new control-plane Machine (failuredomains.PickFewest): the one with the fewest up-to-date
 * machines, on a tie the one with the fewest machines overall, then the first by name; undefined without domains.
 */
export function pickFewest(domains: string[], all: PlacedMachine[], upToDate: PlacedMachine[]): string | undefined {
  return countByDomain(domains, all, upToDate).sort(fewestFirst)[0]?.id;
}

/**
 * Of the machines eligible for a control plane's scale-down, those of the failure domain to take one from
 * (ControlPlane.FailureDomainWithMostMachines): first any outside the known domains — the oldest such machine's
 * domain, or no domain —; else the domain with the most eligible machines (on a tie the most machines overall, then
 * the first by name) that has one. The caller takes the oldest of them. Without domains and without machines placed in
 * one, that is every eligible machine.
 */
export function machinesOfDomainWithMost<M extends PlacedMachine>(domains: string[], all: PlacedMachine[], eligible: M[]): M[] {
  const known = new Set(domains);
  const outside = eligible.filter((m) => m.spec.failureDomain === undefined || !known.has(m.spec.failureDomain));
  let domain: string | undefined;
  if (outside.length) {
    domain = [...outside].sort(oldestFirst)[0].spec.failureDomain;
  } else {
    const most = countByDomain(domains, all, eligible).sort((a, b) => b.priority - a.priority || b.all - a.all || a.id.localeCompare(b.id))[0];
    if (!most || most.priority === 0) return eligible;
    domain = most.id;
  }
  return eligible.filter((m) => m.spec.failureDomain === domain);
}

function oldestFirst(a: PlacedMachine, b: PlacedMachine): number {
  return Date.parse(a.metadata.creationTimestamp) - Date.parse(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name);
}

/**
 * A Machine's `status.failureDomain` (Cluster API v1beta2, surfaced from its infrastructure machine): the failure domain
 * it landed in, here the zone VM Operator placed its VM in (the VM's `status.zone`): the Machine's `spec.failureDomain`,
 * or for a machine that named none, the zone its VM was put in. Until the VM is placed
 * it is the one reported before (`previous`: a VM made again keeps the machine's), else none; a namespace without Zones
 * places no VM in a zone, so its machines report none.
 */
export function landedFailureDomain(vm: any | undefined, previous: string | undefined): string | undefined {
  const zone = vm?.status?.zone;
  return typeof zone === 'string' && zone ? zone : previous || undefined;
}

/** The name VM Operator registers its validating webhook for VirtualMachines under: kube-apiserver names it in a refusal. */
const VM_VALIDATING_WEBHOOK = 'default.validating.virtualmachine.v1alpha5.vmoperator.vmware.com';

/**
 * Why CAPV could not create the VirtualMachine of a machine in `zone`, given its namespace's Zones (those being deleted
 * too): VM Operator's validating webhook refuses a zone label naming a Zone it cannot get, or one being deleted, and
 * CAPV reports the refusal as it got it (`failed to create or update VirtualMachine: …`). Undefined for a usable zone.
 */
export function vmZoneRefusal(zone: string, zones: any[]): string | undefined {
  const refused = zoneUseRefusal(zone, zones.find((z) => z.metadata.name === zone));
  if (!refused) return undefined;
  const cause = fieldInvalid(ZONE_LABEL_FIELD, zone, refused);
  return `failed to create or update VirtualMachine: admission webhook ${goQuote(VM_VALIDATING_WEBHOOK)} denied the request: ${cause.field}: ${cause.message}`;
}
