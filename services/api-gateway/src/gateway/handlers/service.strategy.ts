import { randomInt } from 'node:crypto';
import { fieldRequired, StatusCause } from '@openpacific/kube-api';
import { allocateClusterIP, allocatedClusterIPs, clusterIPCauses, isKubernetesService, kubernetesClusterIP } from './cluster-ip';
import type { KindStrategy, StrategyContext } from './kind-strategies';

/**
 * core v1 Service as kube-apiserver admits it: defaults (type ClusterIP, protocol TCP, targetPort = port), a
 * cluster IP allocated at create from the service range (SERVICE_CIDR, see cluster-ip.ts), node ports for NodePort and
 * LoadBalancer services, and the validation the schema cannot express. The cluster IP and node ports are kept on
 * update; changing the cluster IP is refused as kube-apiserver does.
 */

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const quote = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));
const supported = (values: string[]) => values.map((v) => `"${v}"`).join(', ');

const wantsNodePorts = (svc: any) => svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';

const AFFINITIES = ['ClientIP', 'None'];
const DEFAULT_AFFINITY_SECONDS = 10800;
const MAX_AFFINITY_SECONDS = 86400;

/** kube-apiserver's checks of `sessionAffinity` and its config. */
function affinityCauses(spec: any): StatusCause[] {
  const affinity = spec.sessionAffinity;
  if (affinity === undefined || spec.type === 'ExternalName') return [];
  if (!AFFINITIES.includes(affinity)) {
    return [{ field: 'spec.sessionAffinity', reason: 'FieldValueNotSupported', message: `Unsupported value: ${quote(affinity)}: supported values: ${supported(AFFINITIES)}` }];
  }
  const config = spec.sessionAffinityConfig;
  if (affinity === 'None') {
    return config === undefined || config === null ? [] : [{ field: 'spec.sessionAffinityConfig', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(config)}: must not be set when session affinity is None` }];
  }
  const seconds = config?.clientIP?.timeoutSeconds;
  if (!Number.isInteger(seconds) || seconds <= 0 || seconds > MAX_AFFINITY_SECONDS) {
    return [{ field: 'spec.sessionAffinityConfig.clientIP.timeoutSeconds', reason: 'FieldValueInvalid', message: `Invalid value: ${quote(seconds ?? null)}: must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}` }];
  }
  return [];
}

function defaultSpec(svc: any): any {
  svc.spec ??= {};
  const spec = svc.spec;
  spec.type ??= 'ClusterIP';
  if (spec.type !== 'ExternalName') {
    spec.sessionAffinity ??= 'None';
    // kube-apiserver's default: three hours of stickiness.
    if (spec.sessionAffinity === 'ClientIP') {
      spec.sessionAffinityConfig ??= {};
      if (spec.sessionAffinityConfig && typeof spec.sessionAffinityConfig === 'object') {
        spec.sessionAffinityConfig.clientIP ??= {};
        if (spec.sessionAffinityConfig.clientIP && typeof spec.sessionAffinityConfig.clientIP === 'object') spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= DEFAULT_AFFINITY_SECONDS;
      }
    }
    spec.internalTrafficPolicy ??= 'Cluster';
    if (wantsNodePorts(svc)) spec.externalTrafficPolicy ??= 'Cluster';
  }
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    if (!p || typeof p !== 'object') continue;
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
  }
  return svc;
}

function setClusterIP(spec: any, ip: string): void {
  spec.clusterIP = ip;
  spec.clusterIPs = [ip];
  if (ip !== 'None') {
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
}

/**
 * Create: defaults, a free cluster IP of the range unless the client chose one (or `None`), node ports where the
 * type needs them. A full range leaves the cluster IP unset for `validateServiceCreate` to report.
 */
export function defaultService(svc: any, ctx: StrategyContext): any {
  defaultSpec(svc);
  const spec = svc.spec;
  if (spec.type !== 'ExternalName') {
    const chosen = spec.clusterIP || spec.clusterIPs?.[0];
    const held = allocatedClusterIPs(ctx.readModel);
    // `default/kubernetes` made by a client (after deleting it) takes its own address when it names none, as the gateway would give it.
    const own = isKubernetesService(svc.metadata) && !held.has(kubernetesClusterIP(ctx.serviceCIDR)) ? kubernetesClusterIP(ctx.serviceCIDR) : undefined;
    const ip = chosen || own || allocateClusterIP(ctx.serviceCIDR, held);
    if (ip) setClusterIP(spec, ip);
  }
  if (wantsNodePorts(svc)) {
    const used = new Set((spec.ports ?? []).map((p: any) => p?.nodePort).filter(Boolean));
    for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
      if (!p || typeof p !== 'object' || p.nodePort) continue;
      let port: number;
      do port = randomInt(NODE_PORT_MIN, NODE_PORT_MAX + 1);
      while (used.has(port));
      used.add(port);
      p.nodePort = port;
    }
  }
  return svc;
}

/** Update: the allocated cluster IP and node ports stay when the new object leaves them out (as `kubectl apply` does). */
export function prepareServiceUpdate(old: any, next: any): any {
  defaultSpec(next);
  const spec = next.spec;
  if (spec.type !== 'ExternalName' && old.spec?.clusterIP && !spec.clusterIP && !spec.clusterIPs?.length) {
    setClusterIP(spec, old.spec.clusterIP);
    if (old.spec.ipFamilies) spec.ipFamilies = old.spec.ipFamilies;
    if (old.spec.ipFamilyPolicy) spec.ipFamilyPolicy = old.spec.ipFamilyPolicy;
  }
  if (wantsNodePorts(next)) {
    for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
      if (!p || p.nodePort) continue;
      const before = (old.spec?.ports ?? []).find((o: any) => o?.port === p.port && (o?.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (before?.nodePort) p.nodePort = before.nodePort;
    }
  }
  return next;
}

function portCauses(svc: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = svc.spec ?? {};
  const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
  if (spec.type !== 'ExternalName' && spec.clusterIP !== 'None' && ports.length === 0) {
    causes.push(fieldRequired('spec.ports'));
  }
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    if (ports.length > 1 && !p?.name) causes.push({ field: `${at}.name`, reason: 'FieldValueRequired', message: 'Required value' });
    if (p?.name) {
      if (!DNS1123_LABEL.test(p.name)) {
        causes.push({ field: `${at}.name`, reason: 'FieldValueInvalid', message: `Invalid value: ${quote(p.name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')` });
      }
      if (names.has(p.name)) causes.push({ field: `${at}.name`, reason: 'FieldValueDuplicate', message: `Duplicate value: ${quote(p.name)}` });
      names.add(p.name);
    }
    if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535) {
      causes.push({ field: `${at}.port`, reason: 'FieldValueInvalid', message: `Invalid value: ${quote(p?.port)}: must be between 1 and 65535, inclusive` });
    }
    if (!PROTOCOLS.includes(p?.protocol)) {
      causes.push({ field: `${at}.protocol`, reason: 'FieldValueNotSupported', message: `Unsupported value: ${quote(p?.protocol)}: supported values: ${supported(PROTOCOLS)}` });
    }
    const key = `${p?.port}/${p?.protocol}`;
    if (seen.has(key)) causes.push({ field: at, reason: 'FieldValueDuplicate', message: `Duplicate value: {"protocol":${quote(p?.protocol)},"port":${quote(p?.port)}}` });
    seen.add(key);
    const target = p?.targetPort;
    if (typeof target === 'number') {
      if (!Number.isInteger(target) || target < 1 || target > 65535) {
        causes.push({ field: `${at}.targetPort`, reason: 'FieldValueInvalid', message: `Invalid value: ${target}: must be between 1 and 65535, inclusive` });
      }
    } else if (typeof target === 'string') {
      if (target.length > 15 || !IANA_SVC_NAME.test(target) || !/[a-z]/.test(target) || target.includes('--')) {
        causes.push({ field: `${at}.targetPort`, reason: 'FieldValueInvalid', message: `Invalid value: ${quote(target)}: must be no more than 15 characters, contain only lowercase letters, digits and '-', contain at least one letter (a-z), not contain '--', and not begin or end with '-'` });
      }
    } else if (target !== undefined) {
      causes.push({ field: `${at}.targetPort`, reason: 'FieldValueInvalid', message: `Invalid value: ${quote(target)}: must be an integer or a string` });
    }
    if (p?.nodePort !== undefined) {
      if (!wantsNodePorts(svc)) {
        causes.push({ field: `${at}.nodePort`, reason: 'FieldValueForbidden', message: 'Forbidden: may not be used when `type` is \'ClusterIP\'' });
      } else if (!Number.isInteger(p.nodePort) || p.nodePort < NODE_PORT_MIN || p.nodePort > NODE_PORT_MAX) {
        causes.push({ field: `${at}.nodePort`, reason: 'FieldValueInvalid', message: `Invalid value: ${quote(p.nodePort)}: provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}` });
      }
    }
  });
  return causes;
}

export function validateService(svc: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = svc.spec ?? {};
  if (!TYPES.includes(spec.type)) {
    causes.push({ field: 'spec.type', reason: 'FieldValueNotSupported', message: `Unsupported value: ${quote(spec.type)}: supported values: ${supported(TYPES)}` });
  }
  if (spec.type === 'ExternalName' && !spec.externalName) {
    causes.push(fieldRequired('spec.externalName'));
  }
  const ip = spec.clusterIP;
  if (ip !== undefined && ip !== '' && ip !== 'None' && !IPV4.test(String(ip))) {
    causes.push({ field: 'spec.clusterIPs[0]', reason: 'FieldValueInvalid', message: `Invalid value: ${quote(ip)}: must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)` });
  }
  if (spec.clusterIPs?.length && ip && spec.clusterIPs[0] !== ip) {
    causes.push({ field: 'spec.clusterIPs[0]', reason: 'FieldValueInvalid', message: `Invalid value: ${quote(spec.clusterIPs[0])}: must match \`clusterIP\` ${quote(ip)}` });
  }
  if (ip === 'None' && wantsNodePorts(svc)) {
    causes.push({ field: 'spec.clusterIPs[0]', reason: 'FieldValueInvalid', message: `Invalid value: "None": may not be set to 'None' for ${spec.type} services` });
  }
  if (spec.selector !== undefined && (typeof spec.selector !== 'object' || spec.selector === null || Array.isArray(spec.selector))) {
    causes.push({ field: 'spec.selector', reason: 'FieldValueInvalid', message: 'Invalid value: must be a map of strings' });
  }
  return [...causes, ...affinityCauses(spec), ...portCauses(svc)];
}

/** Create only: the cluster IP (chosen or allocated) must lie in the range and be free. */
export function validateServiceCreate(svc: any, ctx: StrategyContext): StatusCause[] {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName' || spec.clusterIP === 'None') return [];
  if (!spec.clusterIP) {
    return [{ field: 'spec.clusterIP', reason: 'FieldValueInvalid', message: `Invalid value: "": failed to allocate a serviceIP: range is full. The range of valid IPs is ${ctx.serviceCIDR}` }];
  }
  if (!IPV4.test(String(spec.clusterIP))) return []; // worded by validateService
  const held = allocatedClusterIPs(ctx.readModel, { namespace: svc.metadata?.namespace, name: svc.metadata?.name });
  return clusterIPCauses(spec.clusterIP, ctx.serviceCIDR, held, svc.metadata);
}

export function validateServiceUpdate(old: any, next: any): StatusCause[] {
  const before = old.spec?.clusterIP;
  const after = next.spec?.clusterIP;
  if (before && after !== before && old.spec?.type !== 'ExternalName' && next.spec?.type !== 'ExternalName') {
    return [{ field: 'spec.clusterIPs[0]', reason: 'FieldValueInvalid', message: `Invalid value: []string{${quote(after ?? '')}}: may not change once set` }];
  }
  return [];
}

export const serviceKindStrategies: Record<string, KindStrategy> = {
  '/Service': {
    defaults: defaultService,
    validateCreate: validateServiceCreate,
    validate: validateService,
    prepareUpdate: prepareServiceUpdate,
    validateUpdate: validateServiceUpdate,
  },
};
