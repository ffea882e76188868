import { objectSchema } from './object-meta.schema';
import { JsonSchema, ResourceDefinition } from './resource-definition';

/** Where Ingresses and IngressClasses live in the log and the read model. */
export const INGRESSES_RESOURCE = 'ingresses.networking.k8s.io';
export const INGRESS_CLASSES_RESOURCE = 'ingressclasses.networking.k8s.io';
/** The class the cluster starts with, served by the vm-operator's ingress controller (services/vm-operator/src/ingress). */
export const DEFAULT_INGRESS_CLASS = 'openpacific';
export const INGRESS_CONTROLLER_NAME = 'openpacific.io/ingress';
export const DEFAULT_INGRESS_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
/** The deprecated class annotation, still honoured by kube-apiserver's admission and by controllers. */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export function isDefaultIngressClass(ic: any): boolean {
  return ic?.metadata?.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION] === 'true';
}

/** The class every cluster starts with, default for Ingresses that name none. */
export function defaultIngressClass(): any {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: DEFAULT_INGRESS_CLASS, annotations: { [DEFAULT_INGRESS_CLASS_ANNOTATION]: 'true' } },
    spec: { controller: INGRESS_CONTROLLER_NAME },
  };
}

/** The class an Ingress asks for: `spec.ingressClassName`, else the deprecated annotation. */
export function ingressClassOf(ing: any): string | undefined {
  return ing?.spec?.ingressClassName ?? ing?.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
}

const str: JsonSchema = { type: 'string' };
const open: JsonSchema = { type: 'object', additionalProperties: true };
const backend: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    service: {
      type: 'object',
      additionalProperties: false,
      properties: { name: str, port: { type: 'object', additionalProperties: false, properties: { name: str, number: { type: 'integer' } } } },
    },
    resource: { type: 'object', additionalProperties: false, properties: { apiGroup: str, kind: str, name: str } },
  },
};
const path: JsonSchema = { type: 'object', additionalProperties: false, properties: { path: str, pathType: str, backend } };
const rule: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { host: str, http: { type: 'object', additionalProperties: false, properties: { paths: { type: 'array', items: path } } } },
};
const tls: JsonSchema = { type: 'object', additionalProperties: false, properties: { hosts: { type: 'array', items: str }, secretName: str } };

/** HOSTS as kubectl prints it: up to three rule hosts, `+ N more...`, `*` when no rule names one. */
export function ingressHostsCell(ing: any): string {
  const hosts = (ing?.spec?.rules ?? []).map((r: any) => r?.host).filter(Boolean);
  if (hosts.length === 0) return '*';
  const shown = hosts.slice(0, 3).join(',');
  return hosts.length > 3 ? `${shown} + ${hosts.length - 3} more...` : shown;
}

/** ADDRESS: the ingress IPs (or host names) the controller reported. */
export function ingressAddressCell(ing: any): string {
  return (ing?.status?.loadBalancer?.ingress ?? []).map((i: any) => i?.ip || i?.hostname).filter(Boolean).join(',');
}

/** networking.k8s.io/v1 Ingress, routed by the vm-operator's ingress controller. */
export const ingressResource: ResourceDefinition = {
  group: 'networking.k8s.io',
  kind: 'Ingress',
  listKind: 'IngressList',
  plural: 'ingresses',
  singular: 'ingress',
  shortNames: ['ing'],
  categories: [],
  scope: 'Namespaced',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: { status: true },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({
        spec: {
          type: 'object',
          additionalProperties: false,
          properties: { ingressClassName: str, defaultBackend: backend, rules: { type: 'array', items: rule }, tls: { type: 'array', items: tls } },
        },
        status: { type: 'object', additionalProperties: true, properties: { loadBalancer: { type: 'object', additionalProperties: true, properties: { ingress: { type: 'array', items: open } } } } },
      }),
      printerColumns: [
        { name: 'Class', type: 'string', jsonPath: '.spec.ingressClassName', value: (i) => ingressClassOf(i) ?? '<none>' },
        { name: 'Hosts', type: 'string', jsonPath: '.spec.rules[*].host', value: ingressHostsCell },
        { name: 'Address', type: 'string', jsonPath: '.status.loadBalancer.ingress', value: ingressAddressCell },
        { name: 'Ports', type: 'string', jsonPath: '.spec.tls', value: (i) => ((i?.spec?.tls ?? []).length > 0 ? '80, 443' : '80') },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};

/** networking.k8s.io/v1 IngressClass: which controller serves Ingresses of the class. */
export const ingressClassResource: ResourceDefinition = {
  group: 'networking.k8s.io',
  kind: 'IngressClass',
  listKind: 'IngressClassList',
  plural: 'ingressclasses',
  singular: 'ingressclass',
  shortNames: [],
  categories: [],
  scope: 'Cluster',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: {},
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
            controller: str,
            parameters: { type: 'object', additionalProperties: false, properties: { apiGroup: str, kind: str, name: str, scope: str, namespace: str } },
          },
        },
      }),
      printerColumns: [
        { name: 'Controller', type: 'string', jsonPath: '.spec.controller', value: (c) => c?.spec?.controller ?? '' },
        {
          name: 'Parameters', type: 'string', jsonPath: '.spec.parameters',
          value: (c) => {
            const p = c?.spec?.parameters;
            return p ? `${p.apiGroup ? `${p.kind}.${p.apiGroup}` : p.kind}/${p.name}` : '<none>';
          },
        },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};
