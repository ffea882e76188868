import { bytesOf, cpuQuantity, memoryQuantity, nanoCoresOf } from './metrics-quantity';
import { ResourceDefinition } from './resource-definition';

/**
 * metrics.k8s.io, the resource metrics API that metrics-server serves behind kube-apiserver's aggregator and that
 * `kubectl top` and autoscalers read. Nothing of it is stored: the gateway computes each answer from the hosts'
 * latest samples (`HostMetrics`, metrics.ts), so the kinds are declared for discovery and OpenAPI only, read-only.
 */
export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';

const str = { type: 'string' };
// `[string, number]` is how the schemas spell a resource quantity (OpenAPI: `Quantity`).
const usage = { type: 'object', description: 'CPU (cores) and memory (bytes) in use, as quantities.', additionalProperties: { type: ['string', 'number'] } };
const metadata = { type: 'object', additionalProperties: true };
const common = {
  apiVersion: str,
  kind: str,
  metadata,
  timestamp: { type: 'string', format: 'date-time', description: 'The end of the window the usage was measured over.' },
  window: { type: 'string', description: 'The length of the window the CPU usage is averaged over (a duration such as 10s).' },
};

/** A metrics object's usage of one resource, for its table: a PodMetrics's is the sum of its containers', as metrics-server shows it. */
function total(obj: any, resource: 'cpu' | 'memory'): string {
  if (obj.usage) return obj.usage[resource] ?? '';
  const [parse, format] = resource === 'cpu' ? [nanoCoresOf, cpuQuantity] : [bytesOf, memoryQuantity];
  return format((obj.containers ?? []).reduce((sum: number, c: any) => sum + parse(String(c.usage?.[resource])), 0));
}

function metricsKind(kind: 'NodeMetrics' | 'PodMetrics', plural: string, scope: 'Cluster' | 'Namespaced', properties: Record<string, unknown>): ResourceDefinition {
  return {
    group: METRICS_GROUP, kind, listKind: `${kind}List`, plural, singular: '', shortNames: [], categories: [], scope,
    strategicMergePatch: false, nameFormat: 'dns1123-subdomain', subresources: {}, verbs: ['get', 'list'],
    versions: [{
      name: METRICS_VERSION, served: true, storage: true,
      schema: { type: 'object', properties: { ...common, ...properties } },
      printerColumns: [
        { name: 'CPU', type: 'string', jsonPath: '.usage.cpu', value: (o) => total(o, 'cpu') },
        { name: 'Memory', type: 'string', jsonPath: '.usage.memory', value: (o) => total(o, 'memory') },
        { name: 'Window', type: 'string', jsonPath: '.window' },
      ],
    }],
  };
}

export const nodeMetricsResource = metricsKind('NodeMetrics', 'nodes', 'Cluster', { usage });
export const podMetricsResource = metricsKind('PodMetrics', 'pods', 'Namespaced', {
  containers: { type: 'array', items: { type: 'object', properties: { name: str, usage } } },
});
export const metricsResources = [nodeMetricsResource, podMetricsResource];
