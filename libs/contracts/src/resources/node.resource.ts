import { conditionSchema, objectSchema, taintSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';
import { runtimeHandlersSchema } from './host.resource';

const quantityMap = { type: 'object', additionalProperties: { type: ['string', 'integer'] } };
export const HOSTS_RESOURCE = 'hosts.infrastructure.openpacific.io';
export const HOST_API_VERSION = 'infrastructure.openpacific.io/v1alpha1';

/** Where the Node view finds when a host last heartbeat (the gateway's node Leases, set at its start); nowhere by default. */
let lastHeartbeatOf: (host: string) => string | undefined = () => undefined;

/**
 * Sets where hostToNode reads a host's last heartbeat (RFC 3339), which it gives every condition as
 * `lastHeartbeatTime`, as kubelet stamps its conditions on each status report: heartbeats are not events, so the
 * stored Host has none.
 */
export function setNodeHeartbeatSource(source: (host: string) => string | undefined): void {
  lastHeartbeatOf = source;
}

/** A Host as core v1 Node: what `kubectl get nodes` and anything written for Kubernetes expects. */
export function hostToNode(host: any): any {
  const { apiVersion: _a, kind: _k, status, spec, ...rest } = host;
  // A Node has no generation (kube-apiserver sets none); its Host, a custom kind, has one.
  if (rest.metadata?.generation !== undefined) {
    const { generation: _g, ...metadata } = rest.metadata;
    rest.metadata = metadata;
  }
  const beat = host.metadata?.name ? lastHeartbeatOf(host.metadata.name) : undefined;
  const conditions: any[] = status?.conditions ?? [];
  return {
    apiVersion: 'v1',
    kind: 'Node',
    ...rest,
    spec: {
      ...(spec?.unschedulable ? { unschedulable: true } : {}),
      ...(spec?.taints?.length ? { taints: spec.taints } : {}),
      ...(spec?.providerID ? { providerID: spec.providerID } : { providerID: `openpacific://${host.metadata.name}` }),
    },
    status: {
      capacity: status?.capacity ?? {},
      allocatable: status?.allocatable ?? {},
      conditions: beat ? conditions.map((c) => ({ ...c, lastHeartbeatTime: beat })) : conditions,
      addresses: status?.addresses ?? [],
      nodeInfo: status?.nodeInfo ?? {},
      ...(status?.runtimeHandlers ? { runtimeHandlers: status.runtimeHandlers } : {}),
    },
  };
}

/**
 * Changes made to the Node view (labels, annotations, cordon, taints; through `status`, its conditions, as
 * node-problem-detector reports them) carried back onto the Host. The heartbeat times the view stamps stay behind.
 */
export function nodeToHost(node: any, host: any): any {
  const conditions = node.status?.conditions?.map(({ lastHeartbeatTime: _beat, ...c }: any) => c);
  return {
    ...host,
    metadata: { ...host.metadata, labels: node.metadata?.labels, annotations: node.metadata?.annotations, finalizers: node.metadata?.finalizers },
    spec: {
      ...(host.spec ?? {}),
      unschedulable: node.spec?.unschedulable || undefined,
      taints: node.spec?.taints?.length ? node.spec.taints : undefined,
    },
    ...(conditions ? { status: { ...host.status, conditions } } : {}),
  };
}

function nodeStatus(node: any): string {
  const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  const state = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
  return node.spec?.unschedulable ? `${state},SchedulingDisabled` : state;
}

function nodeRoles(node: any): string {
  const roles = Object.keys(node.metadata?.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  return roles.length ? roles.sort().join(',') : '<none>';
}

/** kubectl's `-o wide` address cells: the node's first address of the type, `<none>` without one. */
function nodeAddress(node: any, type: string): string {
  return (node.status?.addresses ?? []).find((a: any) => a?.type === type)?.address ?? '<none>';
}

export const nodeResource: ResourceDefinition = {
  group: '',
  kind: 'Node',
  listKind: 'NodeList',
  plural: 'nodes',
  singular: 'node',
  shortNames: ['no'],
  categories: [],
  scope: 'Cluster',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  // `nodes/<name>/proxy` is the host's kubelet API, answered by its agent (the gateway's handlers/node-proxy.ts).
  subresources: { status: true, served: [{ name: 'proxy', group: '', version: 'v1', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }] },
  viewOf: { resource: HOSTS_RESOURCE, toView: hostToNode, fromView: nodeToHost },
  mergeKeys: { 'spec.taints': 'key', 'status.addresses': 'type' },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({
        spec: {
          type: 'object',
          additionalProperties: false,
          properties: {
            unschedulable: { type: 'boolean' },
            providerID: { type: 'string' },
            podCIDR: { type: 'string' },
            taints: { type: 'array', items: taintSchema },
          },
        },
        status: {
          type: 'object',
          additionalProperties: false,
          properties: {
            capacity: quantityMap,
            allocatable: quantityMap,
            conditions: { type: 'array', items: conditionSchema },
            addresses: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { type: { type: 'string' }, address: { type: 'string' } } } },
            nodeInfo: { type: 'object', additionalProperties: { type: 'string' } },
            runtimeHandlers: runtimeHandlersSchema,
          },
        },
      }),
      printerColumns: [
        { name: 'Status', type: 'string', jsonPath: '.status.conditions', value: nodeStatus },
        { name: 'Roles', type: 'string', jsonPath: '.metadata.labels', value: nodeRoles },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        { name: 'Version', type: 'string', jsonPath: '.status.nodeInfo.kubeletVersion' },
        { name: 'Internal-IP', type: 'string', jsonPath: '.status.addresses[?(@.type=="InternalIP")].address', priority: 1, value: (n) => nodeAddress(n, 'InternalIP') },
        { name: 'External-IP', type: 'string', jsonPath: '.status.addresses[?(@.type=="ExternalIP")].address', priority: 1, value: (n) => nodeAddress(n, 'ExternalIP') },
        { name: 'OS-Image', type: 'string', jsonPath: '.status.nodeInfo.osImage', priority: 1, value: (n) => n.status?.nodeInfo?.osImage || '<unknown>' },
        { name: 'Kernel-Version', type: 'string', jsonPath: '.status.nodeInfo.kernelVersion', priority: 1, value: (n) => n.status?.nodeInfo?.kernelVersion || '<unknown>' },
        { name: 'Container-Runtime', type: 'string', jsonPath: '.status.nodeInfo.containerRuntimeVersion', priority: 1, value: (n) => n.status?.nodeInfo?.containerRuntimeVersion || '<unknown>' },
      ],
    },
  ],
};
