import { CAPV_VMWARE_GROUP } from '@openpacific/contracts';
import { newObject, templateHash } from './objects';

export const CAPV = `${CAPV_VMWARE_GROUP}/v1beta1`;
export const VSPHERE_MACHINE_TEMPLATE = 'VSphereMachineTemplate';
/** On what Cluster API clones from a template: the template's name and its `Kind.group`. */
export const CLONED_FROM_NAME = 'cluster.x-k8s.io/cloned-from-name';
export const CLONED_FROM_GROUPKIND = 'cluster.x-k8s.io/cloned-from-groupkind';
const TEMPLATE_GROUPKIND = `${VSPHERE_MACHINE_TEMPLATE}.${CAPV_VMWARE_GROUP}`;

/** What a part of a cluster (its control plane or a pool) runs on: the VSphereMachine spec its template carries. */
export interface MachineMakeUp {
  className?: string;
  imageName?: string;
  storageClass?: string;
}

/**
 * The VSphereMachineTemplate of a part of a cluster, as Cluster API's topology controller makes one: named
 * `<base>-<5 chars>` (here a hash of its spec, so an unchanged part keeps its template and a changed one gets a new
 * name: templates are immutable), labelled and owned like the part's other objects, cloned from the class's template.
 */
export function vsphereMachineTemplate(
  namespace: string, base: string, owner: any, makeUp: MachineMakeUp, meta: { labels: Record<string, string>; clonedFrom: string },
) {
  const spec = { template: { spec: { ...defined(makeUp), powerOffMode: 'trySoft' } } };
  return newObject(CAPV, VSPHERE_MACHINE_TEMPLATE, namespace, `${base}-${templateHash(spec).slice(0, 5)}`, owner, {
    labels: meta.labels,
    annotations: { [CLONED_FROM_NAME]: meta.clonedFrom, [CLONED_FROM_GROUPKIND]: TEMPLATE_GROUPKIND },
    spec,
  });
}

/** A reference to an object, as Cluster API writes one in `infrastructureRef`. */
export function objectRef(o: any) {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace };
}

export function isTemplateRef(ref: any): boolean {
  return ref?.kind === VSPHERE_MACHINE_TEMPLATE;
}

/**
 * A new Machine's `infrastructureRef`: the VSphereMachine of its own name that its owner's template is cloned into; a
 * reference to anything but a template is taken as it is.
 */
export function machineInfrastructureRef(templateRef: any, namespace: string, machineName: string) {
  return isTemplateRef(templateRef) ? { apiVersion: CAPV, kind: 'VSphereMachine', name: machineName, namespace } : templateRef;
}

/**
 * A Machine's VSphereMachine cloned from a VSphereMachineTemplate, as Cluster API clones one: the template's
 * `spec.template` (spec, labels and annotations) with the Machine's labels, annotated with where it came from, owned by
 * the Machine. A Machine placed in a failure domain gives it its `failureDomain`, as CAPV's Supervisor flavour does.
 */
export function clonedVSphereMachine(template: any, machine: any) {
  const from = template.spec?.template ?? {};
  const failureDomain = machine.spec?.failureDomain;
  return newObject(CAPV, 'VSphereMachine', machine.metadata.namespace, machine.metadata.name, machine, {
    labels: { ...from.metadata?.labels, ...machine.metadata.labels },
    annotations: { ...from.metadata?.annotations, [CLONED_FROM_NAME]: template.metadata.name, [CLONED_FROM_GROUPKIND]: TEMPLATE_GROUPKIND },
    spec: { powerOffMode: 'trySoft', ...from.spec, ...(failureDomain ? { failureDomain } : {}) },
  });
}

/**
 * Whether a VSphereMachine was cloned from the template `templateRef` names, as KubeadmControlPlane tells an outdated
 * machine: by its cloned-from annotations. One not there (yet), or without them (adopted), counts as cloned from it.
 */
export function clonedFrom(vsphereMachine: any | undefined, templateRef: any): boolean {
  const a = vsphereMachine?.metadata?.annotations ?? {};
  if (a[CLONED_FROM_NAME] === undefined || a[CLONED_FROM_GROUPKIND] === undefined) return true;
  return isTemplateRef(templateRef) && a[CLONED_FROM_NAME] === templateRef.name && a[CLONED_FROM_GROUPKIND] === TEMPLATE_GROUPKIND;
}

/** The names of the VSphereMachineTemplates these control planes, MachineDeployments, MachineSets and Machines refer to. */
export function referencedTemplates(objects: { kcps: any[]; mds: any[]; mss: any[]; machines: any[] }): Set<string> {
  const refs = [
    ...objects.kcps.map((o) => o.spec?.machineTemplate?.infrastructureRef),
    ...[...objects.mds, ...objects.mss].map((o) => o.spec?.template?.spec?.infrastructureRef),
    ...objects.machines.map((o) => o.spec?.infrastructureRef),
  ];
  return new Set(refs.filter(isTemplateRef).map((r) => r.name));
}

function defined(o: MachineMakeUp): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string>;
}
