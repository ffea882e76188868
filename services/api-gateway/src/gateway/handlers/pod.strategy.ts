import { applySchedulingGatedCondition, POD_IP_ANNOTATION } from '@openpacific/contracts';
import { HOST_EPOCH_ANNOTATION } from '@openpacific/objects';
import { fieldDuplicate, fieldForbidden, fieldInvalid, fieldRequired, isQuantity, milliValue, parseQuantity, StatusCause, validateDns1123Label, validateDns1123Subdomain, validateQualifiedName } from '@openpacific/kube-api';
import { deepEqual } from './object-rules';
import { validateEphemeralContainers, validateEphemeralContainersUpdate } from './ephemeral-containers.validation';
import { defaultHostNetworkPorts, validateHostNamespaces } from './host-namespaces.validation';
import { defaultPodConfig, validatePodConfig } from './pod-config.validation';
import { validateHostAliases, validatePodDns } from './pod-dns.validation';
import { validateSecurityContexts } from './security-context.validation';
import { validateTopologySpreadConstraints } from './topology-spread.validation';
import { initContainerForbidden, validateLifecycle, validateProbes } from './lifecycle.validation';

/**
 * What the scheduler writes on a pod it places: a new pod carries none of it, whatever it was copied from (kubectl
 * debug --copy-to copies a pod's annotations; the copy must get an address and an epoch of its own).
 */
const PLACEMENT_ANNOTATIONS = [POD_IP_ANNOTATION, HOST_EPOCH_ANNOTATION];

/**
 * A pod's placement annotations as an update through the API leaves them: the stored pod's, whatever the writer sent.
 * Only the scheduler (which writes to the log itself) sets them; a namespace's editor gave a gated pod another
 * namespace's pod IP through them, and two pods then ran on one address.
 */
export function keepPlacementAnnotations(old: any, next: any): any {
  const kept = PLACEMENT_ANNOTATIONS.filter((a) => old?.metadata?.annotations?.[a] !== undefined);
  const sent = next?.metadata?.annotations;
  const differs = PLACEMENT_ANNOTATIONS.some((a) => sent?.[a] !== old?.metadata?.annotations?.[a]);
  if (!differs || !next?.metadata || typeof next.metadata !== 'object') return next;
  const annotations: Record<string, unknown> = { ...(sent && typeof sent === 'object' ? sent : {}) };
  for (const a of PLACEMENT_ANNOTATIONS) delete annotations[a];
  for (const a of kept) annotations[a] = old.metadata.annotations[a];
  next.metadata.annotations = annotations;
  return next;
}

/** The server's defaults for a new Pod, as kube-apiserver fills them in. */
export function defaultPod(pod: any): any {
  const spec = pod.spec;
  const annotations = pod.metadata?.annotations;
  if (annotations) for (const a of PLACEMENT_ANNOTATIONS) delete annotations[a];
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  defaultPodConfig(spec);
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    defaultContainerCommon(c);
    c.resources ??= {};
    // Limits without requests request the limit.
    if (c.resources.limits) c.resources.requests = { ...c.resources.limits, ...(c.resources.requests ?? {}) };
    for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  }
  defaultHostNetworkPorts(spec);
  pod.status = { phase: 'Pending', qosClass: qosClass(spec) };
  applySchedulingGatedCondition(pod);
  return pod;
}

/** kube-apiserver's validateSchedulingGates: each gate a qualified name, none twice. */
function schedulingGateCauses(spec: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  ((spec.schedulingGates ?? []) as any[]).forEach((gate, i) => {
    const field = `spec.schedulingGates[${i}]`;
    for (const m of validateQualifiedName(gate?.name ?? '')) causes.push(fieldInvalid(field, gate?.name ?? '', m));
    if (seen.has(gate?.name)) causes.push(fieldDuplicate(field, gate?.name));
    seen.add(gate?.name);
  });
  return causes;
}

/** On create: a pod with scheduling gates is not bound yet (ValidatePodCreate). */
export function schedulingGatedCreateCauses(pod: any): StatusCause[] {
  return pod.spec?.schedulingGates?.length && pod.spec.nodeName ? [fieldForbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared')] : [];
}

/** On update: gates may only be removed (ValidatePodUpdate's scheduling-gates rule). */
function schedulingGateUpdateCauses(old: any, next: any): StatusCause[] {
  const before = new Set(((old.spec?.schedulingGates ?? []) as any[]).map((g) => g?.name));
  const added = ((next.spec?.schedulingGates ?? []) as any[]).find((g) => !before.has(g?.name));
  return added ? [fieldForbidden('spec.schedulingGates', `only deletion is allowed, but found new scheduling gate '${added.name}'`)] : [];
}

/** The defaults every kind of container gets (ephemeral ones too): pull policy by tag, termination message. */
export function defaultContainerCommon(c: any): void {
  c.imagePullPolicy ??= !c.image || c.image.endsWith(':latest') || !c.image.includes(':') ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
}

/** The server's defaults for ephemeral containers (on the subresource's writes, as kube-apiserver defaults what it decodes). */
export function defaultEphemeralContainers(pod: any): any {
  const spec = pod?.spec;
  if (!spec?.ephemeralContainers) return pod;
  for (const c of spec.ephemeralContainers) defaultContainerCommon(c);
  defaultPodConfig(spec);
  return pod;
}

export function qosClass(spec: any): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers: any[] = spec.containers ?? [];
  const any = containers.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = containers.every((c) =>
    ['cpu', 'memory'].every((r) => c.resources?.limits?.[r] !== undefined && parseQuantity(c.resources.requests?.[r] ?? c.resources.limits[r]) === parseQuantity(c.resources.limits[r])),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const MAX_CPU_MILLIS = 100_000 * 1000; // 100,000 cores: beyond any host
const MAX_MEMORY_BYTES = 2 ** 50; // 1 PiB

/**
 * What the schema cannot say: unique container names, sane quantities, requests within limits; and env, envFrom,
 * volume mounts (of known volumes), volumes and security contexts as kube-apiserver validates them.
 */
export function validatePod(pod: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = pod.spec ?? {};
  const containers: any[] = spec.containers ?? [];
  if (containers.length === 0) causes.push(fieldRequired('spec.containers'));
  if (spec.schedulingGates) causes.push(...schedulingGateCauses(spec));
  if (spec.topologySpreadConstraints) causes.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints));
  if (typeof spec.runtimeClassName === 'string') {
    for (const m of validateDns1123Subdomain(spec.runtimeClassName)) causes.push(fieldInvalid('spec.runtimeClassName', spec.runtimeClassName, m));
  }
  const seen = new Set<string>();
  // Init containers first, as kube-apiserver checks them: a name is unique among init and app containers together.
  const all: [container: any, at: string, init: boolean][] = [
    ...((spec.initContainers ?? []) as any[]).map((c, i): [any, string, boolean] => [c, `spec.initContainers[${i}]`, true]),
    ...containers.map((c, i): [any, string, boolean] => [c, `spec.containers[${i}]`, false]),
  ];
  all.forEach(([c, at, init]) => {
    if (c.restartPolicy !== undefined && !init) causes.push({ field: `${at}.restartPolicy`, reason: 'FieldValueForbidden', message: 'Forbidden: may not be set for non-init containers' });
    if (c.restartPolicy !== undefined && init && c.restartPolicy !== 'Always') causes.push({ field: `${at}.restartPolicy`, reason: 'FieldValueNotSupported', message: `Unsupported value: "${c.restartPolicy}": supported values: "Always"` });
    for (const m of validateDns1123Label(c.name)) causes.push({ field: `${at}.name`, reason: 'FieldValueInvalid', message: `Invalid value: "${c.name}": ${m}` });
    if (seen.has(c.name)) causes.push({ field: `${at}.name`, reason: 'FieldValueDuplicate', message: `Duplicate value: "${c.name}"` });
    seen.add(c.name);
    if (!c.image) causes.push({ field: `${at}.image`, reason: 'FieldValueRequired', message: 'Required value' });
    if (init && c.restartPolicy !== 'Always') causes.push(...initContainerForbidden(c, at));
    else {
      if (c.lifecycle) causes.push(...validateLifecycle(c, at, spec.terminationGracePeriodSeconds));
      causes.push(...validateProbes(c, at));
    }
    for (const kind of ['requests', 'limits'] as const) {
      for (const [name, q] of Object.entries((c.resources?.[kind] ?? {}) as Record<string, string>)) {
        const field = `${at}.resources.${kind}.${name}`;
        if (!isQuantity(q)) {
          causes.push({ field, reason: 'FieldValueInvalid', message: `Invalid value: "${q}": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'` });
          continue;
        }
        const v = parseQuantity(q)!;
        if (v < 0) causes.push({ field, reason: 'FieldValueInvalid', message: `Invalid value: "${q}": must be greater than or equal to 0` });
        else if ((name === 'cpu' && milliValue(q)! > MAX_CPU_MILLIS) || (name === 'memory' && v > MAX_MEMORY_BYTES)) {
          causes.push({ field, reason: 'FieldValueInvalid', message: `Invalid value: "${q}": more than any host can offer` });
        }
      }
    }
    for (const [name, limit] of Object.entries((c.resources?.limits ?? {}) as Record<string, string>)) {
      const request = c.resources?.requests?.[name];
      if (request !== undefined && isQuantity(request) && isQuantity(limit) && parseQuantity(request)! > parseQuantity(limit)!) {
        causes.push({ field: `${at}.resources.requests`, reason: 'FieldValueInvalid', message: `Invalid value: "${request}": must be less than or equal to ${name} limit of ${limit}` });
      }
    }
  });
  const policy = spec.preemptionPolicy;
  if (policy !== undefined && policy !== 'PreemptLowerPriority' && policy !== 'Never') {
    causes.push({ field: 'spec.preemptionPolicy', reason: 'FieldValueNotSupported', message: `Unsupported value: "${policy}": supported values: "Never", "PreemptLowerPriority"` });
  }
  causes.push(...validateEphemeralContainers(spec));
  causes.push(...validatePodConfig(spec));
  causes.push(...validateSecurityContexts(spec));
  causes.push(...validateHostNamespaces(spec));
  causes.push(...validatePodDns(spec));
  if (spec.hostAliases) causes.push(...validateHostAliases(spec));
  return causes;
}

/**
 * Pod specs are immutable but for images, tolerations added and activeDeadlineSeconds (and nodeName, set once by
 * binding); ephemeral containers are added through their own subresource (`subresource` ephemeralcontainers), which
 * may change nothing else.
 */
export function validatePodUpdate(old: any, next: any, subresource?: string): StatusCause[] {
  if (subresource === 'ephemeralcontainers') return validateEphemeralContainersUpdate(old, next);
  const strip = (spec: any) => ({
    ...spec,
    containers: (spec.containers ?? []).map((c: any) => ({ ...c, image: undefined })),
    initContainers: (spec.initContainers ?? []).map((c: any) => ({ ...c, image: undefined })),
    tolerations: undefined,
    activeDeadlineSeconds: undefined,
    nodeName: undefined,
    ephemeralContainers: undefined,
    schedulingGates: undefined,
  });
  const causes: StatusCause[] = schedulingGateUpdateCauses(old, next);
  if (!deepEqual(old.spec?.ephemeralContainers ?? [], next.spec?.ephemeralContainers ?? [])) {
    causes.push(fieldForbidden('spec.ephemeralContainers', 'pod updates may not change spec.ephemeralContainers: they are added through the ephemeralcontainers subresource'));
  }
  if (!deepEqual(strip(old.spec ?? {}), strip(next.spec ?? {}))) {
    causes.push(fieldForbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)'));
  }
  if (old.spec?.nodeName && next.spec?.nodeName !== old.spec.nodeName) {
    causes.push(fieldForbidden('spec.nodeName', 'a pod cannot move: delete it and create it again'));
  }
  return causes;
}
