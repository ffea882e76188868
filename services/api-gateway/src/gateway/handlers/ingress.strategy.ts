import { DEFAULT_INGRESS_CLASS_ANNOTATION, INGRESS_CLASS_ANNOTATION, INGRESS_CLASSES_RESOURCE } from '@openpacific/contracts';
import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, fieldTooLong, StatusCause, validateDns1123Subdomain } from '@openpacific/kube-api';
import type { KindStrategy, StrategyContext } from './kind-strategies';
import { portNameProblems } from './networkpolicy.strategy';

/**
 * networking.k8s.io/v1 Ingress and IngressClass as kube-apiserver admits them: the DefaultIngressClass admission
 * plugin (an Ingress naming no class gets the default one at create), ValidateIngressSpec and
 * ValidateIngressClass with their field paths and messages.
 */

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const SCOPES = ['Cluster', 'Namespace'];
const WILDCARD = /^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const WILDCARD_MESSAGE = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_MESSAGE = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** What kube-apiserver refuses in an Exact or Prefix path. */
const BAD_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const BAD_SUFFIXES = ['/..', '/.'];

/** IsWildcardDNS1123Subdomain or IsDNS1123Subdomain, as the host holds a `*` or not. */
function hostProblems(host: string): string[] {
  if (host.includes('*')) return (host.length > 253 ? ['must be no more than 253 characters'] : []).concat(WILDCARD.test(host) ? [] : [WILDCARD_MESSAGE]);
  return validateDns1123Subdomain(host);
}

export function validateIngressBackend(backend: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const service = backend?.service;
  const resource = backend?.resource;
  if (service && resource) return [fieldInvalid(at, '', 'cannot set both resource and service backends')];
  if (resource) {
    if (!resource.kind) causes.push(fieldRequired(`${at}.resource.kind`));
    if (!resource.name) causes.push(fieldRequired(`${at}.resource.name`));
    return causes;
  }
  if (!service) return [fieldInvalid(at, '', 'resource or service backend is required')];
  if (!service.name) causes.push(fieldRequired(`${at}.service.name`));
  else if (service.name.length > 63 || !DNS1035.test(service.name)) causes.push(fieldInvalid(`${at}.service.name`, service.name, DNS1035_MESSAGE));
  const name = service.port?.name;
  const number = service.port?.number;
  if (name && number) causes.push(fieldInvalid(`${at}.service.port`, '', 'cannot set both port name & port number'));
  else if (name) for (const p of portNameProblems(name)) causes.push(fieldInvalid(`${at}.service.port.name`, name, p));
  else if (number !== undefined && number !== 0) {
    if (!Number.isInteger(number) || number < 1 || number > 65535) causes.push(fieldInvalid(`${at}.service.port.number`, number, 'must be between 1 and 65535, inclusive'));
  } else causes.push(fieldRequired(`${at}.service.port`, 'port name or number is required'));
  return causes;
}

function validatePath(p: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const path: string = p?.path ?? '';
  if (p?.pathType === undefined || p?.pathType === null) causes.push(fieldRequired(`${at}.pathType`, 'pathType must be specified'));
  else if (!PATH_TYPES.includes(p.pathType)) {
    causes.push(fieldNotSupported(`${at}.pathType`, p.pathType, PATH_TYPES));
  } else if (p.pathType === 'ImplementationSpecific') {
    if (path.length > 0 && !path.startsWith('/')) causes.push(fieldInvalid(`${at}.path`, path, 'must be an absolute path'));
  } else if (!path.startsWith('/')) {
    causes.push(fieldInvalid(`${at}.path`, path, 'must be an absolute path'));
  } else {
    for (const s of BAD_SEQUENCES) if (path.includes(s)) causes.push(fieldInvalid(`${at}.path`, path, `must not contain '${s}'`));
    for (const s of BAD_SUFFIXES) if (path.endsWith(s)) causes.push(fieldInvalid(`${at}.path`, path, `cannot end with '${s}'`));
  }
  causes.push(...validateIngressBackend(p?.backend, `${at}.backend`));
  return causes;
}

function validateRule(rule: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const host = rule?.host;
  if (host) {
    if (IPV4.test(host) || host.includes(':')) causes.push(fieldInvalid(`${at}.host`, host, 'must be a DNS name, not an IP address'));
    for (const p of hostProblems(host)) causes.push(fieldInvalid(`${at}.host`, host, p));
  }
  if (rule?.http) {
    const paths = rule.http.paths ?? [];
    if (paths.length === 0) causes.push(fieldRequired(`${at}.http.paths`));
    paths.forEach((p: any, i: number) => causes.push(...validatePath(p, `${at}.http.paths[${i}]`)));
  }
  return causes;
}

export function validateIngress(ing: any): StatusCause[] {
  const spec = ing.spec ?? {};
  const causes: StatusCause[] = [];
  const rules: any[] = spec.rules ?? [];
  if (spec.defaultBackend) causes.push(...validateIngressBackend(spec.defaultBackend, 'spec.defaultBackend'));
  else if (rules.length === 0) causes.push(fieldInvalid('spec', rules, 'either `defaultBackend` or `rules` must be specified'));
  rules.forEach((r, i) => causes.push(...validateRule(r, `spec.rules[${i}]`)));
  (spec.tls ?? []).forEach((t: any, i: number) => {
    (t?.hosts ?? []).forEach((h: string, j: number) => hostProblems(String(h)).forEach((p) => causes.push(fieldInvalid(`spec.tls[${i}].hosts[${j}]`, h, p))));
    if (t?.secretName) for (const p of validateDns1123Subdomain(t.secretName)) causes.push(fieldInvalid(`spec.tls[${i}].secretName`, t.secretName, p));
  });
  if (spec.ingressClassName !== undefined) {
    for (const p of validateDns1123Subdomain(String(spec.ingressClassName))) causes.push(fieldInvalid('spec.ingressClassName', spec.ingressClassName, p));
  }
  return causes;
}

/** On create only: the deprecated annotation and the field may not both say the class. */
function validateIngressCreate(ing: any): StatusCause[] {
  const annotation = ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (annotation !== undefined && ing.spec?.ingressClassName !== undefined) {
    return [fieldInvalid(`annotations.${INGRESS_CLASS_ANNOTATION}`, annotation, 'can not be set when the class field is also set')];
  }
  return [];
}

/** The DefaultIngressClass admission plugin: no class named → the default one (the newest when several claim it). */
export function admitIngressClass(ing: any, classes: any[]): any {
  ing.spec ??= {};
  if (ing.spec.ingressClassName !== undefined || ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION] !== undefined) return ing;
  const defaults = classes.filter((c) => c?.metadata?.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION] === 'true');
  defaults.sort((a, b) => String(b.metadata.creationTimestamp ?? '').localeCompare(String(a.metadata.creationTimestamp ?? '')) || String(a.metadata.name).localeCompare(String(b.metadata.name)));
  if (defaults.length > 0) ing.spec.ingressClassName = defaults[0].metadata.name;
  return ing;
}

function defaultIngress(ing: any, ctx: StrategyContext): any {
  return admitIngressClass(ing, ctx.readModel.list(INGRESS_CLASSES_RESOURCE).map((e: any) => e.object));
}

/** IsDomainPrefixedPath: `acme.io/foo`. */
function controllerProblems(controller: unknown): StatusCause[] {
  const at = 'spec.controller';
  if (typeof controller !== 'string' || controller === '') return [fieldRequired(at)];
  if (controller.length > 250) return [fieldTooLong(at, 250)];
  const slash = controller.indexOf('/');
  if (slash < 0) return [fieldInvalid(at, controller, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const host = controller.slice(0, slash);
  const path = controller.slice(slash + 1);
  const causes = validateDns1123Subdomain(host).map((p) => fieldInvalid(at, host, p));
  if (!/^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(path)) causes.push(fieldInvalid(at, path, 'must be a valid path'));
  return causes;
}

export function validateIngressClass(ic: any): StatusCause[] {
  const causes = controllerProblems(ic.spec?.controller);
  const params = ic.spec?.parameters;
  if (params) {
    const at = 'spec.parameters';
    if (!params.kind) causes.push(fieldRequired(`${at}.kind`));
    if (!params.name) causes.push(fieldRequired(`${at}.name`));
    if (!SCOPES.includes(params.scope)) {
      causes.push(fieldNotSupported(`${at}.scope`, params.scope, ['Cluster', 'Namespace']));
    } else if (params.scope === 'Namespace' && !params.namespace) causes.push(fieldRequired(`${at}.namespace`, "`parameters.scope` is set to 'Namespace'"));
    else if (params.scope === 'Cluster' && params.namespace) causes.push(fieldForbidden(`${at}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  }
  return causes;
}

function defaultIngressClassFields(ic: any): any {
  if (ic.spec?.parameters && ic.spec.parameters.scope === undefined) ic.spec.parameters.scope = 'Cluster';
  return ic;
}

function validateIngressClassUpdate(old: any, next: any): StatusCause[] {
  if (old.spec?.controller === next.spec?.controller) return [];
  return [fieldInvalid('spec.controller', next.spec?.controller, 'field is immutable')];
}

export const ingressKindStrategies: Record<string, KindStrategy> = {
  'networking.k8s.io/Ingress': { defaults: defaultIngress, validate: validateIngress, validateCreate: validateIngressCreate },
  'networking.k8s.io/IngressClass': {
    defaults: defaultIngressClassFields,
    prepareUpdate: (_old, next) => defaultIngressClassFields(next),
    validate: validateIngressClass,
    validateUpdate: validateIngressClassUpdate,
  },
};
