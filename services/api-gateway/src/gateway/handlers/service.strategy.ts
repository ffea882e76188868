import { fieldRequired, invalid, KubeApiError, StatusCause } from '@openpacific/kube-api';
import { allocatedClusterIPs, allocateFor, claimChosen, goStringSlice, isKubernetesService, kubernetesClusterIP } from './cluster-ip';
import type { KindStrategy, StrategyContext } from './kind-strategies';
import { allocatedNodePorts, allocateHealthCheckNodePort, initNodePorts, nodePortsOf, updateNodePorts } from './node-ports';
import type { Allocation } from './allocations';

/**
 * core v1 Service as kube-apiserver admits it: defaults (type ClusterIP, protocol TCP, targetPort = port, IP
 * families), a cluster IP allocated at create from the service range (SERVICE_CIDR, see cluster-ip.ts), node ports
 * for NodePort and LoadBalancer services (node-ports.ts; a LoadBalancer with `allocateLoadBalancerNodePorts: false`
 * only those it names) and a health check node port for a LoadBalancer with `externalTrafficPolicy: Local`, all free
 * of other Services', and the validation the schema cannot express. On update the
 * allocated values are kept when left out, cleared when the new type no longer uses them (kube's
 * dropTypeDependentFields), and the cluster IP may not change. The name is a DNS-1035 label (service.resource.ts'
 * nameFormat).
 */

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const quote = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));
const supported = (values: string[]) => values.map((v) => `"${v}"`).join(', ');

const wantsNodePorts = (svc: any) => svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';
const needsClusterIP = (svc: any) => svc.spec?.type !== 'ExternalName';
/** kube's shouldAllocateNodePorts: whether a port that names no node port is given one. */
const allocatesNodePorts = (svc: any) => svc.spec?.type === 'NodePort' || (svc.spec?.type === 'LoadBalancer' && svc.spec.allocateLoadBalancerNodePorts !== false);
/** kube's ExternallyAccessible: NodePort, LoadBalancer, or ClusterIP with external IPs. */
const externallyAccessible = (svc: any) => wantsNodePorts(svc) || (svc.spec?.type === 'ClusterIP' && (svc.spec?.externalIPs?.length ?? 0) > 0);
/** kube's NeedsHealthCheck: a LoadBalancer with `externalTrafficPolicy: Local` has a health check node port. */
const needsHealthCheck = (svc: any) => svc.spec?.type === 'LoadBalancer' && svc.spec?.externalTrafficPolicy === 'Local';
const TRAFFIC_POLICIES = ['Cluster', 'Local'];

const AFFINITIES = ['ClientIP', 'None'];
const DEFAULT_AFFINITY_SECONDS = 10800;
const MAX_AFFINITY_SECONDS = 86400;

/** kube-apiserver's checks of `sessionAffinity` and its config. */
function affinityCauses(spec: any): StatusCause[] {
  const affinity = spec.sessionAffinity;
  if (affinity === undefined) return [];
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

/** kube's SetDefaults_Service (sessionAffinity `None` for every type, ExternalName included). */
function defaultSpec(svc: any): any {
  svc.spec ??= {};
  const spec = svc.spec;
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  // kube-apiserver's default: three hours of stickiness.
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    if (spec.sessionAffinityConfig && typeof spec.sessionAffinityConfig === 'object') {
      spec.sessionAffinityConfig.clientIP ??= {};
      if (spec.sessionAffinityConfig.clientIP && typeof spec.sessionAffinityConfig.clientIP === 'object') spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= DEFAULT_AFFINITY_SECONDS;
    }
  }
  if (['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type)) spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (externallyAccessible(svc)) spec.externalTrafficPolicy ??= 'Cluster';
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    if (!p || typeof p !== 'object') continue;
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
  }
  return svc;
}

const isHeadless = (svc: any) => svc.spec?.clusterIP === 'None' || svc.spec?.clusterIPs?.[0] === 'None';
const selectorless = (svc: any) => Object.keys(svc.spec?.selector ?? {}).length === 0;
const sameStrings = (a: unknown, b: unknown) => {
  const x = Array.isArray(a) ? a : [];
  const y = Array.isArray(b) ? b : [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

/**
 * kube's initIPFamilyFields on this single-stack IPv4 cluster: no policy given → the old object's on an update, else
 * `RequireDualStack` for a headless Service without a selector, else `SingleStack`; the families default to
 * `[IPv4]`, and a headless selectorless Service that is not SingleStack gets both families. ExternalName has none.
 */
function defaultIPFamilies(svc: any, old?: any): void {
  const spec = svc.spec;
  if (!needsClusterIP(svc)) return;
  if (spec.ipFamilyPolicy === undefined || spec.ipFamilyPolicy === null) {
    if (old?.spec?.ipFamilyPolicy) spec.ipFamilyPolicy = old.spec.ipFamilyPolicy;
    else spec.ipFamilyPolicy = isHeadless(svc) && selectorless(svc) ? 'RequireDualStack' : 'SingleStack';
  }
  if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
  if (isHeadless(svc) && selectorless(svc) && spec.ipFamilies.length < 2 && spec.ipFamilyPolicy !== 'SingleStack') {
    spec.ipFamilies = [...spec.ipFamilies, spec.ipFamilies[0] === 'IPv6' ? 'IPv4' : 'IPv6'];
  }
}

/** kube's NormalizeClusterIPs: keeps `clusterIPs` in step with `clusterIP` as old and new clients send them. */
function normalizeClusterIPs(old: any, svc: any): void {
  const spec = svc.spec;
  if (!old) {
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  const before = old.spec ?? {};
  if (before.clusterIPs?.length && !spec.clusterIPs?.length && (before.clusterIP ?? '') === (spec.clusterIP ?? '')) spec.clusterIPs = before.clusterIPs;
  if ((before.clusterIP ?? '') !== (spec.clusterIP ?? '')) {
    if (before.clusterIP && !spec.clusterIP) {
      if (sameStrings(before.clusterIPs, spec.clusterIPs)) delete spec.clusterIPs;
    } else if (sameStrings(before.clusterIPs, spec.clusterIPs)) {
      spec.clusterIPs = [spec.clusterIP];
    }
  }
}

/**
 * kube's patchAllocatedValues: what the server allocated stays when the client leaves it out (`kubectl apply` of
 * the same manifest): the cluster IPs while both types need one, node ports (matched by port name) while both
 * types need them, the health check node port while both need one.
 */
function patchAllocatedValues(svc: any, old: any): void {
  const spec = svc.spec;
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!spec.clusterIP && old.spec?.clusterIP) spec.clusterIP = old.spec.clusterIP;
    if (!spec.clusterIPs?.length && old.spec?.clusterIPs?.length) spec.clusterIPs = old.spec.clusterIPs;
  }
  if (wantsNodePorts(old) && wantsNodePorts(svc)) {
    const byName = new Map<string, number>();
    for (const p of Array.isArray(old.spec?.ports) ? old.spec.ports : []) byName.set(p?.name ?? '', p?.nodePort);
    for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
      if (p && typeof p === 'object' && !p.nodePort && byName.get(p.name ?? '')) p.nodePort = byName.get(p.name ?? '');
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(svc) && !spec.healthCheckNodePort && old.spec?.healthCheckNodePort) spec.healthCheckNodePort = old.spec.healthCheckNodePort;
}

/**
 * kube's dropTypeDependentFields: on a change to a type that no longer uses them, the fields the server filled in
 * are cleared — the cluster IPs, IP families and policy going to ExternalName (the address is then free), the node
 * ports going to ClusterIP or ExternalName, the health check node port when the Service no longer needs one (kube's
 * needsHCNodePort: it is then free), `allocateLoadBalancerNodePorts` leaving LoadBalancer — but only those the
 * update left as they were (a changed one is the client's, and validation judges it).
 */
function dropTypeDependentFields(svc: any, old: any): void {
  const spec = svc.spec;
  const before = old.spec ?? {};
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if ((before.clusterIP ?? '') === (spec.clusterIP ?? '') && sameStrings(before.clusterIPs, spec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameStrings(before.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
    if ((before.ipFamilyPolicy ?? '') === (spec.ipFamilyPolicy ?? '')) delete spec.ipFamilyPolicy;
  }
  const nodePorts = (s: any) => new Set<number>((Array.isArray(s.spec?.ports) ? s.spec.ports : []).map((p: any) => p?.nodePort).filter(Boolean));
  if (wantsNodePorts(old) && !wantsNodePorts(svc)) {
    const was = nodePorts(old);
    if ([...nodePorts(svc)].every((n) => was.has(n))) for (const p of Array.isArray(spec.ports) ? spec.ports : []) if (p && typeof p === 'object') delete p.nodePort;
  }
  if (needsHealthCheck(old) && !needsHealthCheck(svc) && before.healthCheckNodePort === spec.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (old.spec?.type === 'LoadBalancer' && spec.type !== 'LoadBalancer' && before.allocateLoadBalancerNodePorts === spec.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
  if (externallyAccessible(old) && !externallyAccessible(svc) && before.externalTrafficPolicy === spec.externalTrafficPolicy) delete spec.externalTrafficPolicy;
}

const self = (svc: any) => ({ namespace: svc.metadata?.namespace, name: svc.metadata?.name });

/** The cluster IP and node ports a Service holds (a headless one has no address). */
export function serviceAllocations(svc: any): Allocation[] {
  const spec = svc.spec ?? {};
  const addresses = new Set([spec.clusterIP, ...(Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [])].filter((ip) => typeof ip === 'string' && IPV4.test(ip)));
  return [...[...addresses].map((address) => ({ address })), ...nodePortsOf(svc).map((port) => ({ port }))];
}

/** The Service's node ports were just judged free (or are its own): their versions go with the write (allocations.ts). */
const nodePortsJudged = (svc: any, ctx: StrategyContext) => ctx.allocations?.free(...nodePortsOf(svc).map((port) => ({ port })));
/**
 * A full range. kube-apiserver answers it with a 500 (`Internal error occurred: failed to allocate a serviceIP: range
 * is full`); here it is a 422 naming the field with kube's words, as the project answers nothing it can foresee with a
 * 5xx (and nothing is written either way).
 */
const rangeFull = (svc: any, what: 'serviceIP' | 'nodePort') =>
  invalid('Service', svc.metadata?.name ?? '', '', [{
    field: what === 'serviceIP' ? 'spec.clusterIPs' : 'spec.ports',
    reason: 'FieldValueInvalid',
    message: `Invalid value: "": failed to allocate a ${what}: range is full`,
  }]);

/**
 * kube's allocateCreate (the Service REST's BeginCreate, before any validation): a chosen cluster IP must be free
 * and in the range (and is then claimed while the create is in flight, as an allocated one), else one is allocated (`default/kubernetes` takes the range's first); then the node ports
 * (initNodePorts), and the health check node port (allocHealthCheckNodePort). Fills `svc` in place; the refusal, if any: a 422 naming the field (a full range too, see rangeFull).
 */
function allocateCreate(svc: any, ctx: StrategyContext): KubeApiError | undefined {
  const spec = svc.spec;
  if (needsClusterIP(svc) && !isHeadless(svc)) {
    const chosen = spec.clusterIPs?.[0] || spec.clusterIP;
    if (chosen) {
      if (IPV4.test(String(chosen))) {
        const causes = claimChosen(ctx, chosen, self(svc), spec.clusterIPs);
        if (causes.length > 0) return invalid('Service', svc.metadata?.name ?? '', '', causes);
      } // else worded by validateService
    } else {
      // `default/kubernetes` made by a client (after deleting it) takes its own address when it names none, as the gateway would give it.
      const own = isKubernetesService(svc.metadata) && !allocatedClusterIPs(ctx.readModel, self(svc)).has(kubernetesClusterIP(ctx.serviceCIDR)) ? kubernetesClusterIP(ctx.serviceCIDR) : undefined;
      const ip = own ?? allocateFor(ctx, self(svc));
      if (!ip) return rangeFull(svc, 'serviceIP');
      if (own) ctx.allocations?.free({ address: own });
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
    }
  }
  if (wantsNodePorts(svc) && Array.isArray(spec.ports)) {
    const outcome = initNodePorts(spec.ports, allocatedNodePorts(ctx.readModel, self(svc)), allocatesNodePorts(svc));
    if (outcome.full) return rangeFull(svc, 'nodePort');
    if (outcome.causes.length > 0) return invalid('Service', svc.metadata?.name ?? '', '', outcome.causes);
  }
  if (needsHealthCheck(svc)) {
    const causes = allocateHealthCheckNodePort(spec, allocatedNodePorts(ctx.readModel, self(svc)));
    if (causes.length > 0) return invalid('Service', svc.metadata?.name ?? '', '', causes);
  }
  nodePortsJudged(svc, ctx);
  return undefined;
}

/**
 * Create: defaults, then the cluster IP and node ports as kube-apiserver allocates them before validating; a refusal
 * there is the whole answer, as kube's (`spec.clusterIPs: Invalid value: []string{"10.96.0.5"}: failed to allocate IP
 * 10.96.0.5: provided IP is already allocated`, `spec.ports[0].nodePort: Invalid value: 31219: provided port is
 * already allocated`).
 */
export function defaultService(svc: any, ctx: StrategyContext): any {
  defaultSpec(svc);
  normalizeClusterIPs(undefined, svc);
  defaultIPFamilies(svc);
  const refusal = allocateCreate(svc, ctx);
  if (refusal) throw refusal;
  return svc;
}

/**
 * Update, as kube's PrepareForUpdate: defaults, the allocated values kept when the client leaves them out, the
 * fields of a type no longer used cleared (dropTypeDependentFields), IP families; then what kube's BeginUpdate
 * allocates: a cluster IP for a Service leaving ExternalName, a node port for each port without one (none for a
 * LoadBalancer with `allocateLoadBalancerNodePorts: false`, which keeps those it has), a health check node port for a
 * Service that comes to need one and names none (kube's updateHealthCheckNodePort). Refusals of chosen ones are
 * validateServiceUpdate's, after validation, as kube orders them.
 */
export function prepareServiceUpdate(old: any, next: any, _subresource?: string, ctx?: StrategyContext): any {
  defaultSpec(next);
  patchAllocatedValues(next, old);
  normalizeClusterIPs(old, next);
  dropTypeDependentFields(next, old);
  defaultIPFamilies(next, old);
  const spec = next.spec;
  if (ctx && !needsClusterIP(old) && needsClusterIP(next) && !isHeadless(next) && !spec.clusterIP && !spec.clusterIPs?.length) {
    const ip = allocateFor(ctx, self(next));
    if (!ip) throw rangeFull(next, 'serviceIP');
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }
  if (wantsNodePorts(next) && Array.isArray(spec.ports)) {
    const held = ctx ? allocatedNodePorts(ctx.readModel, self(next)) : new Set<number>();
    if (updateNodePorts(spec.ports, old.spec?.ports, held, allocatesNodePorts(next)).full) throw rangeFull(next, 'nodePort');
  }
  if (ctx && needsHealthCheck(next) && !needsHealthCheck(old) && !spec.healthCheckNodePort) {
    const causes = allocateHealthCheckNodePort(spec, allocatedNodePorts(ctx.readModel, self(next)));
    if (causes.length > 0) throw invalid('Service', next.metadata?.name ?? '', '', causes);
  }
  if (ctx) nodePortsJudged(next, ctx);
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
    // Node ports in range and free are the allocator's (node-ports.ts); validation only forbids them on ClusterIP.
    if (p?.nodePort && spec.type === 'ClusterIP') {
      causes.push({ field: `${at}.nodePort`, reason: 'FieldValueForbidden', message: 'Forbidden: may not be used when `type` is \'ClusterIP\'' });
    }
  });
  // kube: the same node port twice for one protocol (80/TCP and 80/UDP may share one).
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p?.nodePort) return;
    const key = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(key)) causes.push({ field: `spec.ports[${i}].nodePort`, reason: 'FieldValueDuplicate', message: `Duplicate value: ${quote(p.nodePort)}` });
    nodePorts.add(key);
  });
  return causes;
}

export function validateService(svc: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = svc.spec ?? {};
  if (!TYPES.includes(spec.type)) {
    causes.push({ field: 'spec.type', reason: 'FieldValueNotSupported', message: `Unsupported value: ${quote(spec.type)}: supported values: ${supported(TYPES)}` });
  }
  if (spec.type === 'ExternalName') {
    for (const field of ['clusterIPs', 'ipFamilies'] as const) {
      if (Array.isArray(spec[field]) && spec[field].length > 0) causes.push({ field: `spec.${field}`, reason: 'FieldValueForbidden', message: 'Forbidden: may not be set for ExternalName services' });
    }
    if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) causes.push({ field: 'spec.ipFamilyPolicy', reason: 'FieldValueForbidden', message: 'Forbidden: may not be set for ExternalName services' });
    if (!spec.externalName) causes.push(fieldRequired('spec.externalName'));
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
  const allocateCauses: StatusCause[] = spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts !== null && spec.type !== 'LoadBalancer'
    ? [{ field: 'spec.allocateLoadBalancerNodePorts', reason: 'FieldValueForbidden', message: 'Forbidden: may only be used when `type` is \'LoadBalancer\'' }]
    : [];
  return [...causes, ...affinityCauses(spec), ...portCauses(svc), ...allocateCauses, ...trafficPolicyCauses(svc)];
}

/** kube's validateServiceExternalTrafficPolicy and validateServiceInternalTrafficFieldsValue. */
function trafficPolicyCauses(svc: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = svc.spec ?? {};
  const external = spec.externalTrafficPolicy;
  if (!externallyAccessible(svc)) {
    if (external !== undefined && external !== null && external !== '') causes.push({ field: 'spec.externalTrafficPolicy', reason: 'FieldValueInvalid', message: `Invalid value: ${quote(external)}: may only be set for externally-accessible services` });
  } else if (!TRAFFIC_POLICIES.includes(external)) {
    causes.push({ field: 'spec.externalTrafficPolicy', reason: 'FieldValueNotSupported', message: `Unsupported value: ${quote(external)}: supported values: ${supported(TRAFFIC_POLICIES)}` });
  }
  const port = spec.healthCheckNodePort;
  if (needsHealthCheck(svc)) {
    if (!port || port <= 0) causes.push({ field: 'spec.healthCheckNodePort', reason: 'FieldValueRequired', message: 'Required value: must be set when externalTrafficPolicy is \'Local\'' });
    else if (!Number.isInteger(port) || port > 65535) causes.push({ field: 'spec.healthCheckNodePort', reason: 'FieldValueInvalid', message: `Invalid value: ${quote(port)}: must be between 1 and 65535, inclusive` });
  } else if (port !== undefined && port !== null && port !== 0) {
    causes.push({ field: 'spec.healthCheckNodePort', reason: 'FieldValueInvalid', message: `Invalid value: ${quote(port)}: may only be set when \`type\` is 'LoadBalancer' and \`externalTrafficPolicy\` is 'Local'` });
  }
  const internal = spec.internalTrafficPolicy;
  if (internal !== undefined && internal !== null && !TRAFFIC_POLICIES.includes(internal)) {
    causes.push({ field: 'spec.internalTrafficPolicy', reason: 'FieldValueNotSupported', message: `Unsupported value: ${quote(internal)}: supported values: ${supported(TRAFFIC_POLICIES)}` });
  }
  return causes;
}

/**
 * Create only, besides `validateService`: the cluster IP and node ports must be free and in range. `defaultService`
 * already refused them so; this is for the object as admission webhooks leave it.
 */
export function validateServiceCreate(svc: any, ctx: StrategyContext): StatusCause[] {
  const refusal = allocateCreate(structuredClone(svc), ctx);
  if (!refusal) return [];
  return refusal.status.details?.causes ?? [{ message: refusal.message }];
}

/**
 * kube's validateUpgradeDowngradeClusterIPs (single-stack): the cluster IPs may not change unless the Service goes
 * to, from or stays ExternalName, or stays headless.
 */
function clusterIPChangeCauses(old: any, next: any): StatusCause[] {
  if (!needsClusterIP(old) || !needsClusterIP(next) || (isHeadless(old) && isHeadless(next))) return [];
  const before: string[] = old.spec?.clusterIPs?.length ? old.spec.clusterIPs : old.spec?.clusterIP ? [old.spec.clusterIP] : [];
  const after: string[] = Array.isArray(next.spec?.clusterIPs) ? next.spec.clusterIPs : [];
  const value = goStringSlice(next.spec?.clusterIPs);
  const cause = (i: number, why: string): StatusCause => ({ field: `spec.clusterIPs[${i}]`, reason: 'FieldValueInvalid', message: `Invalid value: ${value}: ${why}` });
  if (before.length === after.length) return before.flatMap((ip, i) => (ip === after[i] ? [] : [cause(i, 'may not change once set')]));
  if (after.length === 0) return [cause(0, 'primary clusterIP can not be unset')];
  return before.length > 0 && after[0] !== before[0] ? [cause(0, 'may not change once set')] : [];
}

/**
 * Update: the cluster IPs may not change; then, once the rest is valid (kube allocates after validating an update),
 * a cluster IP chosen on leaving ExternalName (claimed while the update is in flight), node ports new to the Service
 * and a health check node port new to it must be free and in range; the health check node port may not change while the Service needs one.
 */
export function validateServiceUpdate(old: any, next: any, _subresource?: string, ctx?: StrategyContext): StatusCause[] {
  const causes = clusterIPChangeCauses(old, next);
  // kube's validateServiceExternalTrafficFieldsUpdate.
  if (needsHealthCheck(old) && needsHealthCheck(next) && old.spec?.healthCheckNodePort !== next.spec?.healthCheckNodePort) {
    causes.push({ field: 'spec.healthCheckNodePort', reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable' });
  }
  if (causes.length > 0 || !ctx || validateService(next).length > 0) return causes;
  const spec = next.spec ?? {};
  if (!needsClusterIP(old) && needsClusterIP(next) && !isHeadless(next) && spec.clusterIP && IPV4.test(String(spec.clusterIP))) {
    const refused = claimChosen(ctx, spec.clusterIP, self(next), spec.clusterIPs);
    if (refused.length > 0) return refused;
  }
  if (wantsNodePorts(next) && Array.isArray(spec.ports)) {
    const refused = updateNodePorts(structuredClone(spec.ports), old.spec?.ports, allocatedNodePorts(ctx.readModel, self(next)), allocatesNodePorts(next)).causes;
    if (refused.length > 0) return refused;
  }
  // A health check node port new to the Service (it did not need one before) is checked as kube's updateHealthCheckNodePort allocates it.
  if (needsHealthCheck(next) && !needsHealthCheck(old)) {
    const refused = allocateHealthCheckNodePort(structuredClone(spec), allocatedNodePorts(ctx.readModel, self(next)));
    if (refused.length > 0) return refused;
  }
  nodePortsJudged(next, ctx);
  return [];
}

export const serviceKindStrategies: Record<string, KindStrategy> = {
  '/Service': {
    defaults: defaultService,
    validateCreate: validateServiceCreate,
    validate: validateService,
    prepareUpdate: prepareServiceUpdate,
    validateUpdate: validateServiceUpdate,
    allocated: serviceAllocations,
  },
};
