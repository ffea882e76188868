import { objectSchema } from './object-meta.schema';
import { podSpecSchema, podStatusSchema } from './pod.schema';
import { ResourceDefinition } from './resource-definition';

/** Init containers with restartPolicy Always (sidecars): kubectl counts them with the app containers. */
function sidecarStatuses(pod: any): any[] {
  const specs: any[] = pod.spec?.initContainers ?? [];
  return (pod.status?.initContainerStatuses ?? []).filter((s: any) => specs.find((c) => c.name === s.name)?.restartPolicy === 'Always');
}

/** READY column: ready containers / all containers (sidecars included, as kubectl counts them). */
function podReady(pod: any): string {
  const statuses: any[] = [...sidecarStatuses(pod), ...(pod.status?.containerStatuses ?? [])];
  const total = (pod.spec?.containers ?? []).length + (pod.spec?.initContainers ?? []).filter((c: any) => c.restartPolicy === 'Always').length;
  return `${statuses.filter((s) => s.ready).length}/${total}`;
}

/** While init containers run, the STATUS column as kubectl words it (`Init:1/2`, `Init:Error`, `Init:CrashLoopBackOff`); undefined once they are done. */
function initStatusText(pod: any): string | undefined {
  const specs: any[] = pod.spec?.initContainers ?? [];
  const statuses: any[] = pod.status?.initContainerStatuses ?? [];
  for (let i = 0; i < statuses.length; i++) {
    const s = statuses[i];
    const t = s.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (specs.find((c) => c.name === s.name)?.restartPolicy === 'Always' && s.started) continue;
    if (t) return t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    if (s.state?.waiting?.reason && s.state.waiting.reason !== 'PodInitializing') return `Init:${s.state.waiting.reason}`;
    return `Init:${i}/${specs.length}`;
  }
  return undefined;
}

/** PodScheduled's reason while a pod has scheduling gates. */
export const SCHEDULING_GATED = 'SchedulingGated';

/**
 * What kube-apiserver gives a new pod that has `spec.schedulingGates` (and no PodScheduled condition yet):
 * PodScheduled=False, SchedulingGated. The scheduler leaves the pod alone until its gates are all removed.
 */
export function applySchedulingGatedCondition(pod: any): void {
  if (!pod.spec?.schedulingGates?.length) return;
  const conditions: any[] = pod.status?.conditions ?? [];
  if (conditions.some((c) => c.type === 'PodScheduled')) return;
  pod.status = { ...pod.status, conditions: [...conditions, { type: 'PodScheduled', status: 'False', reason: SCHEDULING_GATED, message: 'Scheduling is blocked due to non-empty scheduling gates' }] };
}

/** STATUS column as kubectl shows it: init containers' progress first, then a waiting or terminated reason beats the phase. */
export function podStatusText(pod: any): string {
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  const initializing = (pod.status?.conditions ?? []).some((c: any) => c.type === 'Initialized' && c.status === 'True') ? undefined : initStatusText(pod);
  if (initializing) return initializing;
  let text = pod.status?.reason ?? pod.status?.phase ?? 'Pending';
  if ((pod.status?.conditions ?? []).some((c: any) => c.type === 'PodScheduled' && c.reason === SCHEDULING_GATED)) text = SCHEDULING_GATED;
  for (const s of pod.status?.containerStatuses ?? []) {
    if (s.state?.waiting?.reason && s.state.waiting.reason !== 'ContainerCreating') text = s.state.waiting.reason;
    else if (s.state?.waiting?.reason === 'ContainerCreating' && text === 'Pending') text = 'ContainerCreating';
    else if (s.state?.terminated?.reason && pod.status?.phase !== 'Running') text = s.state.terminated.reason;
  }
  return text;
}

function podRestarts(pod: any): number {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].reduce((n: number, s: any) => n + (s.restartCount ?? 0), 0);
}

/** `-o wide`'s READINESS GATES: how many of the pod's gates have their condition True, of how many. */
function readinessGatesText(pod: any): string {
  const gates: any[] = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const open = gates.filter((g) => (pod.status?.conditions ?? []).some((c: any) => c.type === g.conditionType && c.status === 'True')).length;
  return `${open}/${gates.length}`;
}

export const podResource: ResourceDefinition = {
  group: '',
  kind: 'Pod',
  listKind: 'PodList',
  plural: 'pods',
  singular: 'pod',
  shortNames: ['po'],
  categories: ['all'],
  scope: 'Namespaced',
  strategicMergePatch: true,
  returnsDeletedObject: true,
  nameFormat: 'dns1123-subdomain',
  subresources: {
    status: true,
    specFields: { ephemeralcontainers: 'ephemeralContainers' },
    served: [{ name: 'binding', group: '', version: 'v1', kind: 'Binding', verbs: ['create'] }, { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] }],
  },
  mergeKeys: {
    'spec.containers': 'name',
    'spec.initContainers': 'name',
    'spec.ephemeralContainers': 'name',
    'spec.ephemeralContainers[].env': 'name',
    'spec.ephemeralContainers[].volumeMounts': 'mountPath',
    'spec.containers[].env': 'name',
    'spec.initContainers[].env': 'name',
    'spec.containers[].ports': 'containerPort',
    'spec.containers[].volumeMounts': 'mountPath',
    'spec.volumes': 'name',
    'status.containerStatuses': 'name',
    'status.initContainerStatuses': 'name',
    'status.ephemeralContainerStatuses': 'name',
  },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({ spec: podSpecSchema, status: podStatusSchema }, ['spec']),
      printerColumns: [
        { name: 'Ready', type: 'string', jsonPath: '.status.containerStatuses', value: podReady },
        { name: 'Status', type: 'string', jsonPath: '.status.phase', value: podStatusText },
        { name: 'Restarts', type: 'integer', jsonPath: '.status.containerStatuses', value: podRestarts },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        { name: 'IP', type: 'string', jsonPath: '.status.podIP', priority: 1, value: (p) => p.status?.podIP ?? '<none>' },
        { name: 'Node', type: 'string', jsonPath: '.spec.nodeName', priority: 1, value: (p) => p.spec?.nodeName ?? '<none>' },
        { name: 'Nominated Node', type: 'string', jsonPath: '.status.nominatedNodeName', priority: 1, value: (p) => p.status?.nominatedNodeName ?? '<none>' },
        { name: 'Readiness Gates', type: 'string', jsonPath: '.spec.readinessGates', priority: 1, value: readinessGatesText },
      ],
    },
  ],
};
