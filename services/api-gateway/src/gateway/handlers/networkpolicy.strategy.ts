import { isIPv4, parseCIDR } from '@openpacific/contracts';
import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, StatusCause, validateQualifiedName } from '@openpacific/kube-api';
import type { KindStrategy } from './kind-strategies';

/**
 * networking.k8s.io/v1 NetworkPolicy as kube-apiserver admits it: its defaults (policyTypes, protocol TCP) and
 * ValidateNetworkPolicySpec's checks, with its field paths and messages. Only IPv4 blocks: the pod network is IPv4.
 */

const POLICY_TYPES = ['Ingress', 'Egress'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_VALUE_MESSAGE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const CIDR_MESSAGE = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

export function defaultNetworkPolicy(policy: any): any {
  const spec = (policy.spec ??= {});
  spec.podSelector ??= {};
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
    for (const port of rule?.ports ?? []) if (port && typeof port === 'object') port.protocol ??= 'TCP';
  }
  return policy;
}

function labelValueProblems(value: unknown): string[] {
  if (typeof value !== 'string') return [`must be of type string: ${JSON.stringify(value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value)}`];
  const out: string[] = [];
  if (value.length > 63) out.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value)) out.push(LABEL_VALUE_MESSAGE);
  return out;
}

/** metav1.LabelSelector: operators and their values, label keys and values. */
export function validateLabelSelector(sel: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  // Where a kind's schema leaves the selector loose, its shape is checked here (a null or a number answered 500).
  if (sel?.matchExpressions != null && !Array.isArray(sel.matchExpressions)) causes.push(fieldInvalid(`${at}.matchExpressions`, sel.matchExpressions, 'must be of type array'));
  if (sel?.matchLabels != null && (typeof sel.matchLabels !== 'object' || Array.isArray(sel.matchLabels))) {
    causes.push(fieldInvalid(`${at}.matchLabels`, sel.matchLabels, 'must be of type object'));
    return causes;
  }
  (Array.isArray(sel?.matchExpressions) ? sel.matchExpressions : []).forEach((e: any, i: number) => {
    const path = `${at}.matchExpressions[${i}]`;
    const values: unknown[] = Array.isArray(e?.values) ? e.values : [];
    if (e?.operator === 'In' || e?.operator === 'NotIn') {
      if (values.length === 0) causes.push(fieldRequired(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (e?.operator === 'Exists' || e?.operator === 'DoesNotExist') {
      if (values.length > 0) causes.push(fieldForbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      causes.push(fieldInvalid(`${path}.operator`, e?.operator, 'not a valid selector operator'));
    }
    for (const p of validateQualifiedName(String(e?.key ?? ''))) causes.push(fieldInvalid(`${path}.key`, e?.key, p));
    values.forEach((v, j) => labelValueProblems(v).forEach((p) => causes.push(fieldInvalid(`${path}.values[${j}]`, v, p))));
  });
  for (const [k, v] of Object.entries<unknown>(sel?.matchLabels ?? {})) {
    for (const p of validateQualifiedName(k)) causes.push(fieldInvalid(`${at}.matchLabels`, k, p));
    for (const p of labelValueProblems(v)) causes.push(fieldInvalid(`${at}.matchLabels`, v, p));
  }
  return causes;
}

/** IsValidPortName: an IANA service name. */
export function portNameProblems(name: string): string[] {
  const out: string[] = [];
  if (name.length > 15) out.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) out.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (name.includes('--')) out.push('must not contain consecutive hyphens');
  if (!/[a-z]/.test(name)) out.push('must contain at least one letter (a-z)');
  if (name.startsWith('-') || name.endsWith('-')) out.push('must not begin or end with a hyphen');
  return out;
}

const validPortNumber = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;

function validatePort(port: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (port?.protocol !== undefined && !PROTOCOLS.includes(port.protocol)) causes.push(fieldNotSupported(`${at}.protocol`, port.protocol, PROTOCOLS));
  const end = port?.endPort;
  if (port?.port === undefined) {
    if (end !== undefined) causes.push(fieldInvalid(`${at}.endPort`, end, 'may not be specified when `port` is not specified'));
  } else if (typeof port.port === 'number') {
    if (!validPortNumber(port.port)) causes.push(fieldInvalid(`${at}.port`, port.port, 'must be between 1 and 65535, inclusive'));
    if (end !== undefined) {
      if (end < port.port) causes.push(fieldInvalid(`${at}.endPort`, port.port, 'must be greater than or equal to `port`'));
      if (!validPortNumber(end)) causes.push(fieldInvalid(`${at}.endPort`, end, 'must be between 1 and 65535, inclusive'));
    }
  } else {
    if (end !== undefined) causes.push(fieldInvalid(`${at}.endPort`, end, 'may not be specified when `port` is non-numeric'));
    for (const p of portNameProblems(String(port.port))) causes.push(fieldInvalid(`${at}.port`, port.port, p));
  }
  return causes;
}

/** An IPv4 CIDR, or undefined (with a cause) when it is not one. */
function cidrOf(value: unknown, at: string, causes: StatusCause[]): { base: number; prefix: number } | undefined {
  if (typeof value === 'string' && value.includes(':')) {
    causes.push(fieldInvalid(at, value, 'IPv6 is not supported: the pod network of this cluster is IPv4 only'));
    return undefined;
  }
  try {
    if (typeof value !== 'string' || !isIPv4(value.split('/')[0])) throw new Error('not IPv4');
    return parseCIDR(value);
  } catch {
    causes.push(fieldInvalid(at, value, CIDR_MESSAGE));
    return undefined;
  }
}

function validateIPBlock(block: any, at: string): StatusCause[] {
  if (!block?.cidr) return [fieldRequired(`${at}.cidr`)];
  const causes: StatusCause[] = [];
  const cidr = cidrOf(block.cidr, `${at}.cidr`, causes);
  if (!cidr) return causes;
  const mask = (prefix: number) => (prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0);
  (block.except ?? []).forEach((value: unknown, i: number) => {
    const except = cidrOf(value, `${at}.except[${i}]`, causes);
    if (except && (((except.base & mask(cidr.prefix)) >>> 0) !== cidr.base || except.prefix <= cidr.prefix)) {
      causes.push(fieldInvalid(`${at}.except[${i}]`, value, 'must be a strict subset of `cidr`'));
    }
  });
  return causes;
}

function validatePeer(peer: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (peer?.podSelector) causes.push(...validateLabelSelector(peer.podSelector, `${at}.podSelector`));
  if (peer?.namespaceSelector) causes.push(...validateLabelSelector(peer.namespaceSelector, `${at}.namespaceSelector`));
  if (peer?.ipBlock) causes.push(...validateIPBlock(peer.ipBlock, `${at}.ipBlock`));
  const peers = [peer?.podSelector, peer?.namespaceSelector, peer?.ipBlock].filter(Boolean).length;
  if (peers === 0) causes.push(fieldRequired(at, 'must specify a peer'));
  else if (peers > 1 && peer.ipBlock) causes.push(fieldForbidden(at, 'may not specify both ipBlock and another peer'));
  return causes;
}

export function validateNetworkPolicy(policy: any): StatusCause[] {
  const spec = policy.spec ?? {};
  const causes = validateLabelSelector(spec.podSelector, 'spec.podSelector');
  for (const [direction, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    (spec[direction] ?? []).forEach((rule: any, i: number) => {
      const at = `spec.${direction}[${i}]`;
      (rule?.ports ?? []).forEach((port: any, j: number) => causes.push(...validatePort(port, `${at}.ports[${j}]`)));
      (rule?.[peers] ?? []).forEach((peer: any, j: number) => causes.push(...validatePeer(peer, `${at}.${peers}[${j}]`)));
    });
  }
  const types: unknown[] = spec.policyTypes ?? [];
  if (types.length > POLICY_TYPES.length) {
    causes.push(fieldInvalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
  } else {
    types.forEach((t, i) => {
      if (!POLICY_TYPES.includes(t as string)) causes.push(fieldNotSupported(`spec.policyTypes[${i}]`, t, POLICY_TYPES));
    });
  }
  return causes;
}

export const networkPolicyKindStrategies: Record<string, KindStrategy> = {
  'networking.k8s.io/NetworkPolicy': { defaults: defaultNetworkPolicy, validate: validateNetworkPolicy, prepareUpdate: (_old, next) => defaultNetworkPolicy(next) },
};
