import { objectSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';

/** Where Services live in the log and the read model. */
export const SERVICES_RESOURCE = 'services';

const intOrString = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };

const servicePortSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    protocol: { type: 'string' },
    appProtocol: { type: 'string' },
    port: { type: 'integer' },
    targetPort: intOrString,
    nodePort: { type: 'integer' },
  },
};

/** `80/TCP`, `80:30080/TCP` with a node port: kubectl's PORT(S) column. */
export function servicePortsCell(svc: any): string {
  const ports = svc?.spec?.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports.map((p: any) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

/**
 * A LoadBalancer's ingress addresses (ip, then hostname, of each) joined as kube's printer joins them. kube-apiserver
 * prints its tables wide, so they are never cut short.
 */
function loadBalancerIngressCell(svc: any): string {
  return (svc?.status?.loadBalancer?.ingress ?? []).flatMap((i: any) => [i?.ip, i?.hostname].filter(Boolean)).join(',');
}

/**
 * EXTERNAL-IP as kube's printer (getServiceExternalIP) fills it: for ClusterIP and NodePort the `externalIPs` or
 * `<none>`; for LoadBalancer its ingress then its `externalIPs`, or `<pending>`; for ExternalName the
 * `externalName`; `<unknown>` for any other type.
 */
export function serviceExternalIpCell(svc: any): string {
  const externalIPs: string[] = svc?.spec?.externalIPs ?? [];
  switch (svc?.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngressCell(svc);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

export const serviceResource: ResourceDefinition = {
  group: '',
  kind: 'Service',
  listKind: 'ServiceList',
  plural: 'services',
  singular: 'service',
  shortNames: ['svc'],
  categories: ['all'],
  scope: 'Namespaced',
  strategicMergePatch: true,
  returnsDeletedObject: true,
  // kube's ValidateServiceName: a Service's name is a DNS label that may not start with a digit.
  nameFormat: 'dns1035-label',
  mergeKeys: { 'spec.ports': 'port' },
  subresources: { status: true },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({
        // Every field of core v1 ServiceSpec (1.32), and no other: an unknown one (a typo such as `sessionAfinity`) is
        // refused under kubectl's default fieldValidation=Strict, as kube-apiserver refuses it.
        spec: {
          type: 'object',
          additionalProperties: false,
          properties: {
            type: { type: 'string' },
            externalName: { type: 'string' },
            sessionAffinityConfig: {
              type: ['object', 'null'],
              additionalProperties: false,
              properties: { clientIP: { type: ['object', 'null'], additionalProperties: false, properties: { timeoutSeconds: { type: ['integer', 'null'] } } } },
            },
            loadBalancerIP: { type: 'string' },
            loadBalancerSourceRanges: { type: 'array', items: { type: 'string' } },
            loadBalancerClass: { type: 'string' },
            healthCheckNodePort: { type: 'integer' },
            allocateLoadBalancerNodePorts: { type: 'boolean' },
            trafficDistribution: { type: 'string' },
            ports: { type: 'array', items: servicePortSchema },
            selector: { type: 'object', additionalProperties: { type: 'string' } },
            clusterIP: { type: 'string' },
            clusterIPs: { type: 'array', items: { type: 'string' } },
            externalIPs: { type: 'array', items: { type: 'string' } },
            sessionAffinity: { type: 'string' },
            ipFamilies: { type: 'array', items: { type: 'string' } },
            ipFamilyPolicy: { type: 'string' },
            internalTrafficPolicy: { type: 'string' },
            externalTrafficPolicy: { type: 'string' },
            publishNotReadyAddresses: { type: 'boolean' },
          },
        },
        status: {
          type: 'object',
          additionalProperties: true,
          properties: {
            loadBalancer: { type: 'object', additionalProperties: true, properties: { ingress: { type: 'array', items: { type: 'object', additionalProperties: true } } } },
            conditions: { type: 'array', items: { type: 'object', additionalProperties: true } },
          },
        },
      }),
      printerColumns: [
        { name: 'Type', type: 'string', jsonPath: '.spec.type' },
        { name: 'Cluster-IP', type: 'string', jsonPath: '.spec.clusterIP', value: (s) => s?.spec?.clusterIP || '<none>' },
        { name: 'External-IP', type: 'string', jsonPath: '.status.loadBalancer.ingress', value: serviceExternalIpCell },
        { name: 'Port(s)', type: 'string', jsonPath: '.spec.ports', value: servicePortsCell },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        { name: 'Selector', type: 'string', jsonPath: '.spec.selector', priority: 1, value: (s) => Object.entries(s?.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>' },
      ],
    },
  ],
};
