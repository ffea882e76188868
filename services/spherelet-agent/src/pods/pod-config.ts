/**
 * What kubelet computes from a pod's references to configuration, as pure functions (no I/O):
 *
 * - a container's environment from `envFrom` and `env` (kubelet's `makeEnvironmentVariables`, pkg/kubelet/kubelet_pods.go),
 * - the files of its configMap, secret, downwardAPI and projected volumes (pkg/volume/{configmap,secret,downwardapi,projected}
 *   `MakePayload`/`CollectData`/`collectData`, then the atomic writer's path cleaning and `SetVolumeOwnership`'s modes).
 *
 * Error messages are kubelet's (Kubernetes 1.32), so what a user sees in Events and container states reads the same.
 */
import { goQuote, parseQuantity } from '@openpacific/kube-api';

/** Where the agent looks up what a pod refers to (its read model of the log; Secrets already decrypted). */
export interface ConfigSources {
  configMap(namespace: string, name: string): any | undefined; // a core v1 ConfigMap object (data: string values, binaryData: base64 values)
  secret(namespace: string, name: string): any | undefined; // a core v1 Secret object (data: base64 values, stringData possibly present too: treated as data, stringData winning)
}
/** What the pod's host offers, for resourceFieldRef limits a container does not set (kubelet uses the node's allocatable). */
export interface HostAllocatable {
  cpuMillis: number;
  memoryBytes: number;
  ephemeralStorageBytes?: number;
}
export type Resolved<T> = { ok: true; value: T } | { ok: false; message: string };

export interface VolumeFile {
  path: string;
  data: string /* base64 */;
  mode: number;
}

/**
 * containerEnv's result: a {@link Resolved} list whose ok form may also name `skipped`, the envFrom keys (after
 * prefixing) left out because no process environment can hold them as names (see {@link isEnvVarName}).
 */
export type ResolvedEnv = { ok: true; value: { name: string; value: string }[]; skipped?: string[] } | { ok: false; message: string };

const DEFAULT_MODE = 0o644;
const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });
const done = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

/**
 * The container's environment variables in kubelet's order (envFrom entries in order, then env in order; a later
 * variable of the same name replaces an earlier one in place or is appended), with $(VAR) references in env values
 * expanded as kubelet does (from variables defined before it in this list and from `extra`, e.g. service link
 * variables; `$$(VAR)` escapes to a literal `$(VAR)`; an unknown reference stays as written). `podIP`/`hostIP` are
 * the sandbox's and the host's addresses (status may not have them yet).
 *
 * `extra` is only looked up, never returned: the caller adds those variables itself (`withServiceEnv`), as kubelet
 * appends the service variables the container does not define. An env variable whose optional ConfigMap/Secret or
 * key is missing is not set at all (an earlier variable of its name keeps its value). envFrom reads a ConfigMap's
 * `data` only (not `binaryData`), as kubelet does; keys of one object come in the object's key order.
 */
export function containerEnv(
  pod: any,
  container: any,
  sources: ConfigSources,
  ctx: { podIP?: string; hostIP?: string; allocatable: HostAllocatable; extra?: { name: string; value: string }[] },
): ResolvedEnv {
  const namespace: string = pod?.metadata?.namespace ?? '';
  const env = new Map<string, string>();
  const skipped: string[] = [];
  const objects = new ObjectCache(sources, namespace);

  for (const from of container?.envFrom ?? []) {
    const prefix: string = from?.prefix ?? '';
    let data: Record<string, string>;
    if (from?.configMapRef) {
      const cm = objects.configMap(from.configMapRef.name);
      if (!cm) {
        if (from.configMapRef.optional === true) continue;
        return fail(configMapNotFound(from.configMapRef.name));
      }
      data = stringMap(cm.data);
    } else if (from?.secretRef) {
      const secret = objects.secret(from.secretRef.name);
      if (!secret) {
        if (from.secretRef.optional === true) continue;
        return fail(secretNotFound(from.secretRef.name));
      }
      data = mapValues(secretData(secret), decodeBase64);
    } else {
      continue;
    }
    for (const [key, value] of Object.entries(data)) {
      const name = prefix + key;
      if (!isEnvVarName(name)) {
        skipped.push(name);
        continue;
      }
      env.set(name, value);
    }
  }

  const extra = new Map<string, string>();
  for (const e of ctx.extra ?? []) extra.set(e.name, e.value);
  const lookup = (name: string): string | undefined => (env.has(name) ? env.get(name) : extra.get(name));

  for (const v of container?.env ?? []) {
    const name: string = v?.name;
    if (typeof name !== 'string') continue;
    let value: string;
    if (typeof v.value === 'string' && v.value !== '') {
      value = expandVars(v.value, lookup);
    } else if (v.valueFrom) {
      const from = v.valueFrom;
      if (from.fieldRef) {
        const r = envFieldValue(from.fieldRef, pod, ctx);
        if (!r.ok) return r;
        value = r.value;
      } else if (from.resourceFieldRef) {
        const ref = from.resourceFieldRef;
        const target = ref.containerName ? findContainer(pod, ref.containerName) : container;
        if (!target) return fail(`container ${ref.containerName} not found`);
        const r = resourceFieldValue(ref, target, ctx.allocatable);
        if (!r.ok) return r;
        value = r.value;
      } else if (from.configMapKeyRef) {
        const { name: cmName, key, optional } = from.configMapKeyRef;
        const cm = objects.configMap(cmName);
        if (!cm) {
          if (optional === true) continue;
          return fail(configMapNotFound(cmName));
        }
        const data = stringMap(cm.data);
        if (!Object.prototype.hasOwnProperty.call(data, key)) {
          if (optional === true) continue;
          return fail(`couldn't find key ${key} in ConfigMap ${namespace}/${cmName}`);
        }
        value = data[key];
      } else if (from.secretKeyRef) {
        const { name: secretName, key, optional } = from.secretKeyRef;
        const secret = objects.secret(secretName);
        if (!secret) {
          if (optional === true) continue;
          return fail(secretNotFound(secretName));
        }
        const data = secretData(secret);
        if (!Object.prototype.hasOwnProperty.call(data, key)) {
          if (optional === true) continue;
          return fail(`couldn't find key ${key} in Secret ${namespace}/${secretName}`);
        }
        value = decodeBase64(data[key]);
      } else {
        value = '';
      }
    } else {
      value = '';
    }
    env.set(name, value);
  }

  const value = [...env].map(([n, val]) => ({ name: n, value: val }));
  return skipped.length > 0 ? { ok: true, value, skipped } : { ok: true, value };
}

/**
 * The files of one volume of the pod, or undefined for a volume whose content is not computed here (emptyDir,
 * persistentVolumeClaim, hostPath, anything else).
 *
 * Paths are cleaned as kubelet's atomic writer does (`a//b/./c/` is `a/b/c`; a path with a `..` element is left as
 * given, for the writer to refuse); when two entries land on one path the later one replaces the earlier in place.
 * When the pod has `securityContext.fsGroup`, modes are those kubelet leaves after `SetVolumeOwnership` (each file
 * gains group and owner read, `| 0o440`, and a service account token starts at 0o600, so 0o640): the writer should
 * also make the files group-owned by that fsGroup. A projected volume's serviceAccountToken source for which
 * `ctx.serviceAccountToken` is missing or returns undefined fails the volume with
 * `failed to fetch token: no token available for service account <namespace>/<name>`; errors of several sources of
 * one projected or downwardAPI volume are joined as kubelet's aggregate error does (`[a, b]`).
 */
export function volumeFiles(
  pod: any,
  volume: any,
  sources: ConfigSources,
  ctx: { allocatable: HostAllocatable; serviceAccountToken?: (source: { audience?: string; expirationSeconds: number; path: string }) => string | undefined },
): Resolved<VolumeFile[]> | undefined {
  const namespace: string = pod?.metadata?.namespace ?? '';
  let files: Resolved<Map<string, VolumeFile>>;
  if (volume?.configMap) {
    const src = volume.configMap;
    files = configMapFiles(src, sources.configMap(namespace, src.name), modeOr(src.defaultMode, DEFAULT_MODE));
  } else if (volume?.secret) {
    const src = volume.secret;
    files = secretFiles(src, sources.secret(namespace, src.secretName), modeOr(src.defaultMode, DEFAULT_MODE));
  } else if (volume?.downwardAPI) {
    const src = volume.downwardAPI;
    files = downwardAPIFiles(src.items ?? [], pod, ctx.allocatable, modeOr(src.defaultMode, DEFAULT_MODE));
  } else if (volume?.projected) {
    files = projectedFiles(pod, volume.projected, sources, ctx);
  } else {
    return undefined;
  }
  if (!files.ok) return files;
  const fsGroup = pod?.spec?.securityContext?.fsGroup;
  const owned = typeof fsGroup === 'number';
  return done([...files.value.values()].map((f) => (owned ? { ...f, mode: f.mode | 0o440 } : f)));
}

// ---------------------------------------------------------------------------------------------------------------
// Volumes

function configMapFiles(src: any, cm: any, defaultMode: number): Resolved<Map<string, VolumeFile>> {
  const optional = src?.optional === true;
  if (!cm) {
    if (!optional) return fail(configMapNotFound(src?.name));
    cm = {};
  }
  const data = stringMap(cm.data);
  const binary = stringMap(cm.binaryData);
  const out = new Map<string, VolumeFile>();
  const items: any[] = src?.items ?? [];
  if (items.length === 0) {
    for (const [key, value] of Object.entries(data)) put(out, key, encodeBase64(value), defaultMode);
    for (const [key, value] of Object.entries(binary)) put(out, key, normalizeBase64(value), defaultMode);
    return done(out);
  }
  for (const item of items) {
    let content: string;
    if (Object.prototype.hasOwnProperty.call(data, item.key)) content = encodeBase64(data[item.key]);
    else if (Object.prototype.hasOwnProperty.call(binary, item.key)) content = normalizeBase64(binary[item.key]);
    else if (optional) continue;
    else return fail(`configmap references non-existent config key: ${item.key}`);
    put(out, item.path, content, modeOr(item.mode, defaultMode));
  }
  return done(out);
}

function secretFiles(src: any, secret: any, defaultMode: number, name: string = src?.secretName): Resolved<Map<string, VolumeFile>> {
  const optional = src?.optional === true;
  if (!secret) {
    if (!optional) return fail(secretNotFound(name));
    secret = {};
  }
  const data = secretData(secret);
  const out = new Map<string, VolumeFile>();
  const items: any[] = src?.items ?? [];
  if (items.length === 0) {
    for (const [key, value] of Object.entries(data)) put(out, key, normalizeBase64(value), defaultMode);
    return done(out);
  }
  for (const item of items) {
    if (!Object.prototype.hasOwnProperty.call(data, item.key)) {
      if (optional) continue;
      return fail(`references non-existent secret key: ${item.key}`);
    }
    put(out, item.path, normalizeBase64(data[item.key]), modeOr(item.mode, defaultMode));
  }
  return done(out);
}

/** kubelet's downwardapi.CollectData: every item is tried, and the errors are aggregated. */
function downwardAPIFiles(items: any[], pod: any, allocatable: HostAllocatable, defaultMode: number): Resolved<Map<string, VolumeFile>> {
  const out = new Map<string, VolumeFile>();
  const errors: string[] = [];
  for (const item of items) {
    let value = '';
    if (item?.fieldRef) {
      const r = podFieldValue(pod, item.fieldRef.fieldPath);
      if (r.ok) value = r.value;
      else errors.push(r.message);
    } else if (item?.resourceFieldRef) {
      const ref = item.resourceFieldRef;
      const target = findContainer(pod, ref.containerName ?? '');
      const r: Resolved<string> = target ? resourceFieldValue(ref, target, allocatable) : fail(`container ${ref.containerName ?? ''} not found`);
      if (r.ok) value = r.value;
      else errors.push(r.message);
    }
    put(out, item?.path, encodeBase64(value), modeOr(item?.mode, defaultMode));
  }
  return errors.length > 0 ? fail(aggregate(errors)) : done(out);
}

/** kubelet's projected collectData: the union of every source's files (a later one replacing an earlier one's path), errors aggregated. */
function projectedFiles(
  pod: any,
  projected: any,
  sources: ConfigSources,
  ctx: { allocatable: HostAllocatable; serviceAccountToken?: (source: { audience?: string; expirationSeconds: number; path: string }) => string | undefined },
): Resolved<Map<string, VolumeFile>> {
  const namespace: string = pod?.metadata?.namespace ?? '';
  const defaultMode = modeOr(projected?.defaultMode, DEFAULT_MODE);
  const out = new Map<string, VolumeFile>();
  const errors: string[] = [];
  const merge = (r: Resolved<Map<string, VolumeFile>>) => {
    if (!r.ok) errors.push(r.message);
    else for (const f of r.value.values()) put(out, f.path, f.data, f.mode);
  };
  for (const source of projected?.sources ?? []) {
    if (source?.secret) {
      merge(secretFiles(source.secret, sources.secret(namespace, source.secret.name), defaultMode, source.secret.name));
    } else if (source?.configMap) {
      merge(configMapFiles(source.configMap, sources.configMap(namespace, source.configMap.name), defaultMode));
    } else if (source?.downwardAPI) {
      merge(downwardAPIFiles(source.downwardAPI.items ?? [], pod, ctx.allocatable, defaultMode));
    } else if (source?.serviceAccountToken) {
      const tp = source.serviceAccountToken;
      const request = {
        ...(tp.audience ? { audience: tp.audience as string } : {}),
        expirationSeconds: typeof tp.expirationSeconds === 'number' ? tp.expirationSeconds : DEFAULT_TOKEN_EXPIRATION_SECONDS,
        path: tp.path as string,
      };
      const token = ctx.serviceAccountToken?.(request);
      if (token === undefined) {
        const sa = pod?.spec?.serviceAccountName || 'default';
        errors.push(`failed to fetch token: no token available for service account ${namespace}/${sa}`);
        continue;
      }
      // kubelet: the projected defaultMode, or 0600 when an fsGroup is to be applied (which then adds group read).
      const fsGroup = pod?.spec?.securityContext?.fsGroup;
      put(out, tp.path, encodeBase64(token), typeof fsGroup === 'number' ? 0o600 : defaultMode);
    }
    // clusterTrustBundle and podCertificate sources (off by default in 1.32) give nothing here.
  }
  return errors.length > 0 ? fail(aggregate(errors)) : done(out);
}

function put(out: Map<string, VolumeFile>, path: string, data: string, mode: number): void {
  const p = cleanPath(path);
  out.set(p, { path: p, data, mode });
}

/** filepath.Clean for the relative paths the API lets through: empty and `.` elements go; a `..` element stays for the writer to refuse. */
function cleanPath(path: string): string {
  if (typeof path !== 'string') return path;
  if (path.split('/').includes('..') || path.startsWith('/')) return path;
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  return parts.length > 0 ? parts.join('/') : path;
}

function modeOr(mode: unknown, fallback: number): number {
  return typeof mode === 'number' && Number.isInteger(mode) ? mode : fallback;
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several (distinct) ones as `[a, b]`. */
function aggregate(messages: string[]): string {
  const distinct = [...new Set(messages)];
  return distinct.length === 1 ? distinct[0] : `[${distinct.join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------------------------
// Field and resource references

/** kubelet's podFieldSelectorRuntimeValue (env): the field paths ConvertDownwardAPIFieldLabel accepts, IPs from the sandbox and host. */
function envFieldValue(ref: any, pod: any, ctx: { podIP?: string; hostIP?: string }): Resolved<string> {
  const apiVersion = ref?.apiVersion ?? 'v1';
  if (apiVersion !== 'v1') return fail(`unsupported pod version: ${apiVersion}`);
  let path: string = ref?.fieldPath ?? '';
  const sub = splitSubscript(path);
  if (sub) {
    if (sub.path !== 'metadata.annotations' && sub.path !== 'metadata.labels') return fail(`field label does not support subscript: ${path}`);
    return podFieldValue(pod, path);
  }
  if (path === 'spec.host') path = 'spec.nodeName';
  switch (path) {
    case 'spec.nodeName':
      return done(pod?.spec?.nodeName ?? '');
    case 'spec.serviceAccountName':
      return done(pod?.spec?.serviceAccountName ?? '');
    case 'status.hostIP':
      return done(hostIPs(pod, ctx)[0] ?? '');
    case 'status.hostIPs':
      return done(hostIPs(pod, ctx).join(','));
    case 'status.podIP':
      return done(podIPs(pod, ctx)[0] ?? '');
    case 'status.podIPs':
      return done(podIPs(pod, ctx).join(','));
    case 'metadata.annotations':
    case 'metadata.labels':
    case 'metadata.name':
    case 'metadata.namespace':
    case 'metadata.uid':
    case 'spec.restartPolicy':
    case 'spec.schedulerName':
    case 'status.phase':
      return podFieldValue(pod, path);
    default:
      return fail(`field label not supported: ${path}`);
  }
}

function ipList(first: string | undefined, list: any, single: any): string[] {
  const rest: string[] = Array.isArray(list) ? list.map((x: any) => x?.ip).filter((ip: any) => typeof ip === 'string' && ip !== '') : [];
  if (rest.length === 0 && typeof single === 'string' && single !== '') rest.push(single);
  if (!first) return rest;
  return [first, ...rest.filter((ip) => ip !== first)];
}
const podIPs = (pod: any, ctx: { podIP?: string }) => ipList(ctx.podIP, pod?.status?.podIPs, pod?.status?.podIP);
const hostIPs = (pod: any, ctx: { hostIP?: string }) => ipList(ctx.hostIP, pod?.status?.hostIPs, pod?.status?.hostIP);

/** fieldpath.ExtractFieldPathAsString on a pod (what a downwardAPI volume item reads). */
function podFieldValue(pod: any, fieldPath: string): Resolved<string> {
  const meta = pod?.metadata ?? {};
  const sub = splitSubscript(fieldPath);
  if (sub) {
    if (sub.path === 'metadata.annotations') return done(stringMap(meta.annotations)[sub.key] ?? '');
    if (sub.path === 'metadata.labels') return done(stringMap(meta.labels)[sub.key] ?? '');
    return fail(`fieldPath "${fieldPath}" does not support subscript`);
  }
  switch (fieldPath) {
    case 'metadata.annotations':
      return done(formatMap(meta.annotations));
    case 'metadata.labels':
      return done(formatMap(meta.labels));
    case 'metadata.name':
      return done(meta.name ?? '');
    case 'metadata.namespace':
      return done(meta.namespace ?? '');
    case 'metadata.uid':
      return done(meta.uid ?? '');
  }
  return fail(`unsupported fieldPath: ${fieldPath}`);
}

/** fieldpath.SplitMaybeSubscriptedPath: `metadata.labels['k']` is (`metadata.labels`, `k`). */
function splitSubscript(fieldPath: string): { path: string; key: string } | undefined {
  if (typeof fieldPath !== 'string' || !fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const at = s.indexOf("['");
  if (at <= 0) return undefined;
  return { path: s.slice(0, at), key: s.slice(at + 2) };
}

/** fieldpath.FormatMap: `key="value"` lines sorted by key, the value quoted as Go's %q does. */
export function formatMap(m: Record<string, string> | undefined): string {
  const entries = Object.entries(stringMap(m)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.map(([k, v]) => `${k}=${goQuote(v)}`).join('\n');
}

function findContainer(pod: any, name: string): any | undefined {
  return (pod?.spec?.containers ?? []).find((c: any) => c?.name === name) ?? (pod?.spec?.initContainers ?? []).find((c: any) => c?.name === name);
}

/**
 * kubelet's ExtractContainerResourceValue on the container with the host's allocatable merged into the limits it
 * does not set (or sets to zero): CPU as ceil(millicores / divisor's millicores), memory, ephemeral storage and
 * hugepages as ceil(bytes / divisor's bytes), the divisor 1 when absent or zero. A request the container does not
 * set is its limit when it sets one (the API server's defaulting), else 0.
 */
function resourceFieldValue(ref: any, container: any, allocatable: HostAllocatable): Resolved<string> {
  const resource: string = ref?.resource ?? '';
  let divisor = 1;
  if (ref?.divisor !== undefined && ref?.divisor !== null && ref?.divisor !== '') {
    const d = parseQuantity(ref.divisor);
    if (d === undefined) return fail(`invalid divisor ${JSON.stringify(ref.divisor)} for ${resource}`);
    if (d !== 0) divisor = d;
  }
  const dot = resource.indexOf('.');
  const kind = resource.slice(0, dot);
  const name = resource.slice(dot + 1);
  const isCPU = name === 'cpu';
  if (dot < 0 || (kind !== 'limits' && kind !== 'requests') || !(isCPU || name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-'))) {
    return fail(`unsupported container resource : ${resource}`);
  }
  const limits = container?.resources?.limits ?? {};
  const requests = container?.resources?.requests ?? {};
  const set = (q: unknown): number | undefined => (q === undefined || q === null ? undefined : parseQuantity(q as string | number));

  // The amount, in millicores for CPU, in bytes otherwise (as Quantity.MilliValue/Value give them: rounded up).
  let amount: number;
  if (kind === 'limits') {
    const own = set(limits[name]);
    if (own !== undefined && own !== 0) amount = isCPU ? ceilInt(own * 1000) : ceilInt(own);
    else if (isCPU) amount = allocatable.cpuMillis;
    else if (name === 'memory') amount = allocatable.memoryBytes;
    else if (name === 'ephemeral-storage' && allocatable.ephemeralStorageBytes !== undefined) amount = allocatable.ephemeralStorageBytes;
    else amount = 0;
  } else {
    const own = set(requests[name]) ?? set(limits[name]) ?? 0;
    amount = isCPU ? ceilInt(own * 1000) : ceilInt(own);
  }
  const per = isCPU ? ceilInt(divisor * 1000) : ceilInt(divisor);
  if (amount <= 0 || per <= 0) return done('0');
  return done(intString(Math.ceil(amount / per)));
}

/** Rounds up, but not past float noise (0.1 * 1000 is 100, not 101). */
function ceilInt(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x - r) <= 1e-9 * Math.max(1, Math.abs(x))) return r;
  return Math.ceil(x);
}

function intString(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : BigInt(Math.round(n)).toString();
}

// ---------------------------------------------------------------------------------------------------------------
// $(VAR) expansion

/**
 * kubelet's expansion.Expand (third_party/forked/golang/expansion): `$(NAME)` is replaced by lookup(NAME), kept as
 * written when that is undefined; `$$` is a literal `$` (so `$$(NAME)` gives `$(NAME)`); any other `$`, and an
 * unclosed `$(`, stay as they are.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    let advance = 1;
    if (next === '$') {
      out += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close < 0) {
        out += '$(';
      } else {
        const name = input.slice(cursor + 2, close);
        out += lookup(name) ?? `$(${name})`;
        advance = close - cursor;
      }
    } else {
      out += '$' + next;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/**
 * Whether a name can be an environment variable's: the relaxed rule of Kubernetes 1.32 (RelaxedEnvironmentVariableValidation,
 * on by default): not empty, printable ASCII (32-126) only, no '='.
 */
export function isEnvVarName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 32 || c > 126 || c === 61 /* = */) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Objects

/** One lookup of each referenced object per call, as kubelet caches them for one container. */
class ObjectCache {
  private readonly configMaps = new Map<string, any>();
  private readonly secrets = new Map<string, any>();
  constructor(
    private readonly sources: ConfigSources,
    private readonly namespace: string,
  ) {}
  configMap(name: string): any | undefined {
    if (!this.configMaps.has(name)) this.configMaps.set(name, this.sources.configMap(this.namespace, name));
    return this.configMaps.get(name);
  }
  secret(name: string): any | undefined {
    if (!this.secrets.has(name)) this.secrets.set(name, this.sources.secret(this.namespace, name));
    return this.secrets.get(name);
  }
}

const configMapNotFound = (name: string) => `configmap "${name}" not found`;
const secretNotFound = (name: string) => `secret "${name}" not found`;

/** A Secret's data as the API server keeps it: base64 values, `stringData` entries merged in (winning). */
function secretData(secret: any): Record<string, string> {
  const data = { ...stringMap(secret?.data) };
  for (const [k, v] of Object.entries(stringMap(secret?.stringData))) data[k] = encodeBase64(v);
  return data;
}

function stringMap(m: unknown): Record<string, string> {
  if (!m || typeof m !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

function mapValues(m: Record<string, string>, f: (v: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) out[k] = f(v);
  return out;
}

const encodeBase64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const decodeBase64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
const normalizeBase64 = (s: string) => Buffer.from(s, 'base64').toString('base64');
