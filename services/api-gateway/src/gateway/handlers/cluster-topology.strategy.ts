import { fieldForbidden, fieldInvalid, fieldRequired, StatusCause } from '@openpacific/kube-api';
import type { StrategyContext } from './kind-strategies';

const CLUSTER_CLASSES = 'clusterclasses.cluster.x-k8s.io';

/**
 * Cluster API's Cluster webhook (internal/webhooks/cluster.go) on a managed topology, checked against the ClusterClass
 * `spec.topology.class` names in the Cluster's namespace (or `classNamespace`), in its words:
 * - a class that does not exist is taken on create with the webhook's warning (the class may come later: the Cluster
 *   waits, `TopologyReconciled` False), and refused on update (`spec.topology.class: Internal error:
 *   clusterclasses.cluster.x-k8s.io "x" not found`); the checks against the class need the class;
 * - every variable the class marks required must be set (`spec.topology.variables: Required value: required variable
 *   with name "vmClass" must be defined`);
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
  if (!ctx) return causes;
  const classNamespace = topology.classNamespace || cluster.metadata?.namespace;
  const clusterClass = ctx.readModel.get(CLUSTER_CLASSES, classNamespace, topology.class)?.object;
  if (!clusterClass) {
    if (old) return [{ field: 'spec.topology.class', reason: 'InternalError', message: `Internal error: ${CLUSTER_CLASSES} "${topology.class}" not found` }];
    ctx.warn?.(
      `Cluster refers to ClusterClass ${classNamespace}/${topology.class}, but this ClusterClass does not exist. Cluster topology has not been fully validated. `
        + 'The ClusterClass must be created to reconcile the Cluster',
    );
    return causes;
  }
  const values = new Set((topology.variables ?? []).map((v: any) => v?.name));
  for (const definition of clusterClass.spec?.variables ?? []) {
    if (definition.required && !values.has(definition.name)) causes.push(fieldRequired('spec.topology.variables', `required variable with name "${definition.name}" must be defined`));
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
