import { fieldForbidden, fieldInvalid, fieldRequired, goQuote, StatusCause } from '@openpacific/kube-api';
import type { StrategyContext } from './kind-strategies';
import { variableCauses, VariableDefinition } from './cluster-variables.validation';
import { controlPlaneBlock, Semver, versionChangeCauses, versionSyntaxCauses } from './topology-version.validation';

const CLUSTER_CLASSES = 'clusterclasses.cluster.x-k8s.io';

/**
 * Cluster API's Cluster webhook (internal/webhooks/cluster.go) on a managed topology, checked against the ClusterClass
 * `spec.topology.class` names in the Cluster's namespace (or `classNamespace`), in its words:
 * - a class that does not exist is taken on create with the webhook's warning (the class may come later: the Cluster
 *   waits, `TopologyReconciled` False), and refused on update (`spec.topology.class: Internal error:
 *   clusterclasses.cluster.x-k8s.io "x" not found`); the checks against the class need the class;
 * - `spec.topology.version` is a semantic version (topology-version.validation.ts), which on update does not go down,
 *   nor up by two minor versions, nor up a minor version while the control plane is not settled on the current one;
 * - every variable the class marks required must be set (`spec.topology.variables: Required value: required variable
 *   with name "vmClass" must be defined`), and every value, the Cluster's and each machineDeployment's overrides, is
 *   one the class defines, set once, matching its schema (cluster-variables.validation.ts);
 * - each machineDeployment names a worker class of the class (`MachineDeploymentClass with name "x" does not exist in
 *   ClusterClass "y"`) and a name no other one has (`name must be unique. MachineDeployment with name "x" is defined
 *   more than once`);
 * - on update, the topology cannot be removed and a class cannot be set on a Cluster that had none.
 */
export function validateClusterTopology(cluster: any, ctx: StrategyContext | undefined, old?: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const topology = cluster.spec?.topology;
  if (old?.spec?.topology && !topology) return [fieldForbidden('spec.topology', 'cannot be removed from an existing Cluster')];
  if (!topology) return causes;
  if (!topology.class) return [fieldRequired('spec.topology.class', 'class cannot be empty')];
  if (old && !old.spec?.topology?.class) return [fieldForbidden('spec.topology.class', 'class cannot be set on an existing Cluster')];
  // On update only a changed version is judged: one the system wrote for a TKC (a VM image's name when the TKC names no
  // TanzuKubernetesRelease) must not make every later edit of the Cluster fail.
  const versionChanged = !old || topology.version !== old.spec?.topology?.version;
  if (versionChanged) causes.push(...versionSyntaxCauses(topology.version));
  if (!ctx) return causes;
  const classNamespace = topology.classNamespace || cluster.metadata?.namespace;
  const clusterClass = ctx.readModel.get(CLUSTER_CLASSES, classNamespace, topology.class)?.object;
  if (!clusterClass) {
    if (old) return [...causes, { field: 'spec.topology.class', reason: 'InternalError', message: `Internal error: ${CLUSTER_CLASSES} "${topology.class}" not found` }];
    ctx.warn?.(
      `Cluster refers to ClusterClass ${classNamespace}/${topology.class}, but this ClusterClass does not exist. Cluster topology has not been fully validated. `
        + 'The ClusterClass must be created to reconcile the Cluster',
    );
    return causes;
  }
  if (old && versionChanged && causes.length === 0) causes.push(...versionChangeCauses(topology.version, old.spec.topology.version, (current) => controlPlaneBlockOf(old, current, ctx)));
  const definitions: VariableDefinition[] = clusterClass.spec?.variables ?? [];
  causes.push(...variableCauses(topology.variables, definitions, 'spec.topology.variables', { required: true }));
  const cpOverrides = topology.controlPlane?.variables?.overrides;
  if (cpOverrides?.length) causes.push(...variableCauses(cpOverrides, definitions, 'spec.topology.controlPlane.variables.overrides', { required: false }));
  for (const md of topology.workers?.machineDeployments ?? []) {
    const overrides = md?.variables?.overrides;
    if (overrides?.length) causes.push(...variableCauses(overrides, definitions, `spec.topology.workers.machineDeployments[${md.name ?? ''}].variables.overrides`, { required: false }));
  }
  const workerClasses = new Set((clusterClass.spec?.workers?.machineDeployments ?? []).map((c: any) => c.class));
  const names = new Set<string>();
  (topology.workers?.machineDeployments ?? []).forEach((md: any, i: number) => {
    const at = `spec.topology.workers.machineDeployments[${i}]`;
    if (!workerClasses.has(md.class)) causes.push(fieldInvalid(`${at}.class`, md.class, `MachineDeploymentClass with name "${md.class}" does not exist in ClusterClass "${clusterClass.metadata.name}"`));
    if (!md.name) {
      causes.push(fieldRequired(`${at}.name`, 'name must not be empty'));
      return;
    }
    if (names.has(md.name)) causes.push(fieldInvalid(`${at}.name`, md.name, `name must be unique. MachineDeployment with name "${md.name}" is defined more than once`));
    names.add(md.name);
  });
  return causes;
}

/**
 * What the old Cluster's control plane says against a minor upgrade (none when it has none yet: nothing is built to
 * upgrade). Its object is the one `spec.controlPlaneRef` names, in the Cluster's namespace.
 */
function controlPlaneBlockOf(old: any, current: Semver, ctx: StrategyContext): string | undefined {
  const ref = old.spec?.controlPlaneRef;
  if (!ref?.name || !ref.kind || !ref.apiVersion) return undefined;
  const resource = `${String(ref.kind).toLowerCase()}s.${String(ref.apiVersion).split('/')[0]}`;
  const controlPlane = ctx.readModel.get(resource, ref.namespace || old.metadata?.namespace, ref.name)?.object;
  if (!controlPlane) return `failed to get ControlPlane object: ${resource} ${goQuote(String(ref.name))} not found`;
  return controlPlaneBlock(controlPlane, current);
}

/**
 * Cluster API's Cluster defaulting webhook: a topology's version gets its leading `v` (`1.29.4+vmware.3` is stored as
 * `v1.29.4+vmware.3`, the spelling TanzuKubernetesRelease names are made from).
 */
export function defaultClusterTopology(cluster: any): any {
  const version = cluster?.spec?.topology?.version;
  if (typeof version !== 'string' || version === '' || version.startsWith('v')) return cluster;
  return { ...cluster, spec: { ...cluster.spec, topology: { ...cluster.spec.topology, version: `v${version}` } } };
}
