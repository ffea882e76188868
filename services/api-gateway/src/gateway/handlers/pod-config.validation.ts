import {
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotFound,
  fieldNotSupported,
  fieldRequired,
  StatusCause,
  validateDns1123Label,
  validateDns1123Subdomain,
} from '@openpacific/kube-api';
import { defaultHostPathVolume, validateHostPathVolume } from './host-path.validation';
import { configKeyProblems } from './config-data.validation';
import { validatePersistentVolumeClaim } from './storage.strategy';

/**
 * A pod's configuration inputs as kube-apiserver (1.32) defaults and validates them: `env[].valueFrom`, `envFrom`,
 * `volumeMounts`, and the volumes (`hostPath`, `emptyDir`, `configMap`, `secret`, `persistentVolumeClaim`, `downwardAPI`,
 * `projected`). Fields and messages are kube-apiserver's, quirks included: a downwardAPI item is named by its
 * volume (`….downwardAPI.path`, no item index), a mount's subPath and subPathExpr by the list
 * (`….volumeMounts.subPath`), a projected token's path by the volume (`….projected.path`), an envFrom entry with no
 * source by the list, and a downwardAPI volume beside another source is `….downwarAPI` (sic).
 */

/** 0644: what configMap, secret, downwardAPI and projected volumes give their files when no mode is said. */
const DEFAULT_MODE = 0o644;
/** One hour: a projected service account token's lifetime when none is said. */
const DEFAULT_TOKEN_SECONDS = 3600;

/** Every VolumeSource field of core/v1: a volume naming none of them is an emptyDir (SetDefaults_Volume). */
const ALL_VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
];

/** fieldPaths an env var may read, and those a downwardAPI file may (both also take labels['k'] and annotations['k']). */
const ENV_FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
/** What the v1 downward API converts at all (anything else is an error converting it, not an unsupported value). */
const CONVERTIBLE_FIELD_PATHS = new Set([
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.restartPolicy',
  'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs', 'spec.host',
]);
const CONTAINER_RESOURCES = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const HUGEPAGES_PREFIXES = ['limits.hugepages-', 'requests.hugepages-'];

const BYTE_DIVISORS = new Set(['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei']);
const BYTE_DIVISORS_TEXT = '1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei';

const FILE_MODE_MSG = 'must be a number between 0 and 0777 (octal), both inclusive';
const QUANTITY_MSG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const RELAXED_ENV_NAME_MSG = "a valid environment variable name must consist only of printable ASCII characters other than '='";
const DNS_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

// ---------------------------------------------------------------------------------------------------------------
// Defaults

/** kube-apiserver's defaults for the pod's configuration inputs, in place (pkg/apis/core/v1/defaults.go). */
export function defaultPodConfig(spec: any): void {
  if (!isObject(spec)) return;
  for (const vol of list(spec.volumes)) {
    if (!isObject(vol)) continue;
    if (ALL_VOLUME_SOURCES.every((k) => vol[k] == null)) vol.emptyDir = {};
    defaultHostPathVolume(vol.hostPath);
    for (const kind of ['configMap', 'secret', 'downwardAPI', 'projected']) {
      if (isObject(vol[kind])) vol[kind].defaultMode ??= DEFAULT_MODE;
    }
    if (isObject(vol.downwardAPI)) defaultDownwardAPIItems(vol.downwardAPI.items);
    if (isObject(vol.projected)) {
      for (const source of list(vol.projected.sources)) {
        if (!isObject(source)) continue;
        if (isObject(source.downwardAPI)) defaultDownwardAPIItems(source.downwardAPI.items);
        if (isObject(source.serviceAccountToken)) source.serviceAccountToken.expirationSeconds ??= DEFAULT_TOKEN_SECONDS;
      }
    }
  }
  for (const c of [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)]) {
    for (const ev of list(c?.env)) {
      if (isObject(ev?.valueFrom)) defaultFieldRef(ev.valueFrom.fieldRef);
    }
  }
}

function defaultDownwardAPIItems(items: unknown): void {
  for (const item of list(items)) if (isObject(item)) defaultFieldRef(item.fieldRef);
}

function defaultFieldRef(ref: unknown): void {
  if (isObject(ref) && (ref.apiVersion === undefined || ref.apiVersion === null || ref.apiVersion === '')) ref.apiVersion = 'v1';
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

interface Context {
  /** Containers and init containers: what a resourceFieldRef may name. */
  containerNames: Set<string>;
}

/**
 * The causes kube-apiserver would give for the pod spec's env, envFrom, volumeMounts and volumes, with fields under
 * `path` (`spec` for a Pod, `spec.template.spec` for a workload's template).
 */
export function validatePodConfig(spec: any, path = 'spec'): StatusCause[] {
  if (!isObject(spec)) return [];
  const containers = list(spec.containers);
  const initContainers = list(spec.initContainers);
  const ctx: Context = { containerNames: new Set([...containers, ...initContainers].map((c) => str(c?.name)).filter((n) => n !== '')) };
  const { valid: volumes, causes } = validateVolumes(list(spec.volumes), `${path}.volumes`, ctx);
  for (const [key, items] of [['containers', containers], ['initContainers', initContainers], ['ephemeralContainers', list(spec.ephemeralContainers)]] as const) {
    items.forEach((c, i) => {
      const at = `${path}.${key}[${i}]`;
      causes.push(...validateEnv(list(c?.env), `${at}.env`, ctx));
      causes.push(...validateEnvFrom(list(c?.envFrom), `${at}.envFrom`));
      causes.push(...validateVolumeMounts(list(c?.volumeMounts), volumes, `${at}.volumeMounts`));
    });
  }
  return causes;
}

// --- env -------------------------------------------------------------------------------------------------------

function validateEnv(vars: any[], at: string, ctx: Context): StatusCause[] {
  const causes: StatusCause[] = [];
  vars.forEach((ev, i) => {
    const p = `${at}[${i}]`;
    const name = str(ev?.name);
    if (name === '') causes.push(fieldRequired(`${p}.name`));
    else for (const m of envVarNameProblems(name)) causes.push(fieldInvalid(`${p}.name`, name, m));
    causes.push(...validateValueFrom(ev, `${p}.valueFrom`, ctx));
  });
  return causes;
}

/** Relaxed env var names (RelaxedEnvironmentVariableValidation, on by default since 1.32): printable ASCII but '='. */
function envVarNameProblems(name: string): string[] {
  for (const ch of name) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || cp > 0x7e || ch === '=') return [RELAXED_ENV_NAME_MSG];
  }
  return [];
}

function validateValueFrom(ev: any, p: string, ctx: Context): StatusCause[] {
  if (ev?.valueFrom == null) return [];
  const from = asObject(ev.valueFrom);
  const causes: StatusCause[] = [];
  let sources = 0;
  if (from.fieldRef != null) {
    sources++;
    causes.push(...validateFieldRef(from.fieldRef, ENV_FIELD_PATHS, `${p}.fieldRef`));
  }
  if (from.resourceFieldRef != null) {
    sources++;
    causes.push(...validateResourceFieldRef(from.resourceFieldRef, `${p}.resourceFieldRef`, false, ctx));
  }
  if (from.configMapKeyRef != null) {
    sources++;
    causes.push(...validateKeySelector(from.configMapKeyRef, `${p}.configMapKeyRef`));
  }
  if (from.secretKeyRef != null) {
    sources++;
    causes.push(...validateKeySelector(from.secretKeyRef, `${p}.secretKeyRef`));
  }
  if (sources === 0) causes.push(fieldInvalid(p, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (str(ev.value) !== '') causes.push(fieldInvalid(p, '', 'may not be specified when `value` is not empty'));
  else if (sources > 1) causes.push(fieldInvalid(p, '', 'may not have more than one field specified at a time'));
  return causes;
}

/** `metadata.labels['k']` as ['metadata.labels', 'k']. */
function splitSubscript(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const inner = fieldPath.slice(0, -2);
  const at = inner.indexOf("['");
  if (at <= 0) return undefined;
  return [inner.slice(0, at), inner.slice(at + 2)];
}

/** An ObjectFieldSelector (apiVersion is defaulted to v1 before this runs, so absent counts as v1). */
function validateFieldRef(ref: unknown, supported: string[], p: string): StatusCause[] {
  const o = asObject(ref);
  const apiVersion = str(o.apiVersion) || 'v1';
  const fieldPath = str(o.fieldPath);
  if (fieldPath === '') return [fieldRequired(`${p}.fieldPath`)];
  const converting = (why: string) => [fieldInvalid(`${p}.fieldPath`, fieldPath, `error converting fieldPath: ${why}`)];
  if (apiVersion !== 'v1') return converting(`unsupported pod version: ${apiVersion}`);
  const subscripted = splitSubscript(fieldPath);
  if (subscripted) {
    const [base, key] = subscripted;
    if (base !== 'metadata.annotations' && base !== 'metadata.labels') return converting(`field label does not support subscript: ${fieldPath}`);
    const checked = base === 'metadata.annotations' ? key.toLowerCase() : key;
    return qualifiedNameProblems(checked).map((m) => fieldInvalid(p, checked, m));
  }
  if (!CONVERTIBLE_FIELD_PATHS.has(fieldPath)) return converting(`field label not supported: ${fieldPath}`);
  const internal = fieldPath === 'spec.host' ? 'spec.nodeName' : fieldPath;
  if (!supported.includes(internal)) return [fieldNotSupported(`${p}.fieldPath`, internal, [...supported].sort())];
  return [];
}

/**
 * A ResourceFieldSelector. In a volume it must name its container; in an env var an empty containerName means the
 * container itself. Deliberately beyond kube-apiserver (which leaves it to the kubelet, kubernetes#88166): a named
 * container must be one of the pod's containers or init containers.
 */
function validateResourceFieldRef(ref: unknown, p: string, inVolume: boolean, ctx: Context): StatusCause[] {
  const o = asObject(ref);
  const containerName = str(o.containerName);
  const resource = str(o.resource);
  const causes: StatusCause[] = [];
  if (inVolume && containerName === '') causes.push(fieldRequired(`${p}.containerName`));
  else if (resource === '') causes.push(fieldRequired(`${p}.resource`));
  else if (!CONTAINER_RESOURCES.includes(resource) && !HUGEPAGES_PREFIXES.some((prefix) => resource.startsWith(prefix))) {
    causes.push(fieldNotSupported(`${p}.resource`, resource, [...CONTAINER_RESOURCES].sort()));
  }
  if (containerName !== '' && !ctx.containerNames.has(containerName)) causes.push(fieldNotFound(`${p}.containerName`, containerName));
  causes.push(...validateDivisor(resource, o.divisor, `${p}.divisor`));
  return causes;
}

function validateDivisor(resource: string, divisor: unknown, field: string): StatusCause[] {
  if (divisor == null) return [];
  const q = parseQuantity(divisor);
  if (!q) return [fieldInvalid(field, divisor, QUANTITY_MSG)];
  if (q.value === 0) return []; // zero is an unset divisor
  const canonical = canonicalUnit(q);
  const causes: StatusCause[] = [];
  const refuse = (allowed: Set<string>, msg: string) => {
    if (canonical === undefined || !allowed.has(canonical)) causes.push(fieldInvalid(field, resource, msg));
  };
  if (resource === 'limits.cpu' || resource === 'requests.cpu') refuse(new Set(['1m', '1']), "only divisor's values 1m and 1 are supported with the cpu resource");
  if (resource === 'limits.memory' || resource === 'requests.memory') refuse(BYTE_DIVISORS, `only divisor's values ${BYTE_DIVISORS_TEXT} are supported with the memory resource`);
  if (resource === 'limits.ephemeral-storage' || resource === 'requests.ephemeral-storage') {
    refuse(BYTE_DIVISORS, `only divisor's values ${BYTE_DIVISORS_TEXT} are supported with the local ephemeral storage resource`);
  }
  if (HUGEPAGES_PREFIXES.some((prefix) => resource.startsWith(prefix))) refuse(BYTE_DIVISORS, `only divisor's values ${BYTE_DIVISORS_TEXT} are supported with the hugepages resource`);
  return causes;
}

/** A configMapKeyRef or secretKeyRef: a DNS subdomain name (even when empty) and a config key. */
function validateKeySelector(ref: unknown, p: string): StatusCause[] {
  const o = asObject(ref);
  const name = str(o.name);
  const causes = validateDns1123Subdomain(name).map((m) => fieldInvalid(`${p}.name`, name, m));
  const key = str(o.key);
  if (key === '') causes.push(fieldRequired(`${p}.key`));
  else for (const m of configKeyProblems(key)) causes.push(fieldInvalid(`${p}.key`, key, m));
  return causes;
}

const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/** IsQualifiedName (a label or annotation key), worded as kube-apiserver 1.32 words it. */
function qualifiedNameProblems(key: string): string[] {
  const parts = key.split('/');
  if (parts.length > 2) return [`a qualified name ${QUALIFIED_NAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  const out: string[] = [];
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    if (parts[0] === '') out.push('prefix part must be non-empty');
    else out.push(...validateDns1123Subdomain(parts[0]).map((m) => `prefix part ${m}`));
  }
  if (name === '') out.push('name part must be non-empty');
  else if (name.length > 63) out.push('name part must be no more than 63 characters');
  if (!/^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name)) out.push(`name part ${QUALIFIED_NAME_MSG}`);
  return out;
}

// --- envFrom ---------------------------------------------------------------------------------------------------

function validateEnvFrom(sources: any[], at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  sources.forEach((source, i) => {
    const p = `${at}[${i}]`;
    const o = asObject(source);
    const prefix = str(o.prefix);
    if (prefix !== '') for (const m of envVarNameProblems(prefix)) causes.push(fieldInvalid(`${p}.prefix`, prefix, m));
    let refs = 0;
    for (const kind of ['configMapRef', 'secretRef']) {
      if (o[kind] == null) continue;
      refs++;
      const name = str(asObject(o[kind]).name);
      if (name === '') causes.push(fieldRequired(`${p}.${kind}.name`));
      else for (const m of validateDns1123Subdomain(maskTrailingDash(name))) causes.push(fieldInvalid(`${p}.${kind}.name`, name, m));
    }
    // kube-apiserver names the list here, not the entry.
    if (refs === 0) causes.push(fieldInvalid(at, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (refs > 1) causes.push(fieldInvalid(at, '', 'may not have more than one field specified at a time'));
  });
  return causes;
}

/** envFrom names are validated as prefixes: a trailing dash is allowed (kube-apiserver's maskTrailingDash, verbatim). */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

// --- volumeMounts ----------------------------------------------------------------------------------------------

function validateVolumeMounts(mounts: any[], volumes: Set<string>, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const mountPaths = new Set<string>();
  mounts.forEach((mount, i) => {
    const p = `${at}[${i}]`;
    const name = str(mount?.name);
    if (name === '') causes.push(fieldRequired(`${p}.name`));
    if (!volumes.has(name)) causes.push(fieldNotFound(`${p}.name`, name));
    const mountPath = str(mount?.mountPath);
    if (mountPath === '') causes.push(fieldRequired(`${p}.mountPath`));
    if (mountPaths.has(mountPath)) causes.push(fieldInvalid(`${p}.mountPath`, mountPath, 'must be unique'));
    mountPaths.add(mountPath);
    const subPath = str(mount?.subPath);
    // kube-apiserver names the list here, not the mount (the exclusion alone names the mount).
    if (subPath !== '') causes.push(...localDescendingPath(subPath, `${at}.subPath`));
    const subPathExpr = str(mount?.subPathExpr);
    if (subPathExpr !== '') {
      if (subPath !== '') causes.push(fieldInvalid(`${p}.subPathExpr`, subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      causes.push(...localDescendingPath(subPathExpr, `${at}.subPathExpr`));
    }
  });
  return causes;
}

// --- volumes ---------------------------------------------------------------------------------------------------

type SourceCheck = (source: any, p: string, ctx: Context) => StatusCause[];

/** The sources this server knows, in kube-apiserver's order (the first one counts; later ones are forbidden). */
const VOLUME_SOURCES: [key: string, forbiddenAs: string, check: SourceCheck][] = [
  ['hostPath', 'hostPath', validateHostPathVolume],
  ['emptyDir', 'emptyDir', validateEmptyDir],
  ['secret', 'secret', (source, p) => validateKeyedVolume(source, p, 'secretName')],
  ['persistentVolumeClaim', 'persistentVolumeClaim', validateClaimVolume],
  ['downwardAPI', 'downwarAPI', validateDownwardAPIVolume], // sic: kube-apiserver's field name in this one message
  ['configMap', 'configMap', (source, p) => validateKeyedVolume(source, p, 'name')],
  ['projected', 'projected', validateProjectedVolume],
  ['ephemeral', 'ephemeral', validateEphemeralVolume],
];

/** What an ephemeral volume's claim template may carry in its metadata; anything else kube-apiserver forbids. */
const TEMPLATE_METADATA_FIELDS = new Set(['labels', 'annotations']);

/**
 * A generic ephemeral volume, as kube-apiserver checks it: a `volumeClaimTemplate` is required, its metadata may only
 * carry labels and annotations, and its spec is a claim's (access modes, a storage request, a data source).
 */
function validateEphemeralVolume(source: any, p: string): StatusCause[] {
  const template = asObject(source).volumeClaimTemplate;
  if (template == null) return [fieldRequired(`${p}.volumeClaimTemplate`)];
  const at = `${p}.volumeClaimTemplate`;
  const causes: StatusCause[] = [];
  for (const key of Object.keys(asObject(asObject(template).metadata))) {
    if (!TEMPLATE_METADATA_FIELDS.has(key)) causes.push(fieldForbidden(`${at}.metadata.${key}`, 'cannot be set for an ephemeral volume'));
  }
  for (const cause of validatePersistentVolumeClaim({ spec: asObject(template).spec ?? {} })) causes.push({ ...cause, field: cause.field?.replace(/^spec/, `${at}.spec`) });
  return causes;
}

/** The volumes' causes, and the names of those without any (what mounts may use, as kube-apiserver counts them). */
function validateVolumes(volumes: any[], at: string, ctx: Context): { valid: Set<string>; causes: StatusCause[] } {
  const valid = new Set<string>();
  const causes: StatusCause[] = [];
  volumes.forEach((vol, i) => {
    const p = `${at}[${i}]`;
    const o = asObject(vol);
    const own: StatusCause[] = [];
    let sources = 0;
    for (const [key, forbiddenAs, check] of VOLUME_SOURCES) {
      if (o[key] == null) continue;
      if (sources > 0) {
        own.push(fieldForbidden(`${p}.${forbiddenAs}`, 'may not specify more than 1 volume type'));
      } else {
        sources++;
        own.push(...check(o[key], `${p}.${key}`, ctx));
      }
    }
    if (sources === 0) own.push(fieldRequired(p, 'must specify a volume type'));
    const name = str(o.name);
    if (name === '') own.push(fieldRequired(`${p}.name`));
    else for (const m of dns1123LabelProblems(name)) own.push(fieldInvalid(`${p}.name`, name, m));
    if (valid.has(name) && !isClaimVolumeAgain(o, name, volumes.slice(0, i))) own.push(fieldDuplicate(`${p}.name`, name));
    if (own.length === 0) valid.add(name);
    else causes.push(...own);
  });
  return { valid, causes };
}

/**
 * A StatefulSet's claim templates reach validation as volumes `{ name, persistentVolumeClaim: { claimName: name } }`
 * (sets.strategy.ts); two templates of one name are said there, on `spec.volumeClaimTemplates`, so the second such
 * volume is not a duplicate here. (A pod that lists one such volume twice is let through for it.)
 */
function isClaimVolumeAgain(vol: Record<string, any>, name: string, earlier: any[]): boolean {
  const claimOnly = (v: any) => isObject(v) && Object.keys(v).length === 2 && v.name === name && isObject(v.persistentVolumeClaim)
    && Object.keys(v.persistentVolumeClaim).length === 1 && v.persistentVolumeClaim.claimName === name;
  return claimOnly(vol) && earlier.some((v) => v?.name === name && claimOnly(v));
}

/** IsDNS1123Label, with kube-apiserver's special word for a volume name that would be a valid subdomain. */
function dns1123LabelProblems(name: string): string[] {
  const problems = validateDns1123Label(name);
  const dotted = validateDns1123Subdomain(name).length === 0;
  return problems.map((p) => (p === DNS_LABEL_MSG && dotted ? 'must not contain dots' : p));
}

function validateEmptyDir(source: any, p: string): StatusCause[] {
  const sizeLimit = asObject(source).sizeLimit;
  if (sizeLimit == null) return [];
  const q = parseQuantity(sizeLimit);
  if (!q) return [fieldInvalid(`${p}.sizeLimit`, sizeLimit, QUANTITY_MSG)];
  return q.value < 0 ? [fieldForbidden(`${p}.sizeLimit`, 'SizeLimit field must be a valid resource quantity')] : [];
}

function validateClaimVolume(source: any, p: string): StatusCause[] {
  return str(asObject(source).claimName) === '' ? [fieldRequired(`${p}.claimName`)] : [];
}

/** A configMap volume (named by `name`) or a secret volume (by `secretName`): the name, the mode, the items. */
function validateKeyedVolume(source: any, p: string, nameField: 'name' | 'secretName'): StatusCause[] {
  const o = asObject(source);
  const causes: StatusCause[] = [];
  if (str(o[nameField]) === '') causes.push(fieldRequired(`${p}.${nameField}`));
  causes.push(...validateMode(o.defaultMode, `${p}.defaultMode`));
  list(o.items).forEach((item, i) => causes.push(...validateKeyToPath(item, `${p}.items[${i}]`)));
  return causes;
}

function validateKeyToPath(item: unknown, p: string): StatusCause[] {
  const o = asObject(item);
  const causes: StatusCause[] = [];
  const path = str(o.path);
  if (str(o.key) === '') causes.push(fieldRequired(`${p}.key`));
  if (path === '') causes.push(fieldRequired(`${p}.path`));
  causes.push(...localNonReservedPath(path, `${p}.path`));
  causes.push(...validateMode(o.mode, `${p}.mode`));
  return causes;
}

function validateDownwardAPIVolume(source: any, p: string, ctx: Context): StatusCause[] {
  const o = asObject(source);
  const causes = validateMode(o.defaultMode, `${p}.defaultMode`);
  // kube-apiserver names the volume source, not the item, in what it says of an item.
  for (const item of list(o.items)) causes.push(...validateDownwardAPIFile(item, p, ctx));
  return causes;
}

function validateDownwardAPIFile(item: unknown, p: string, ctx: Context): StatusCause[] {
  const o = asObject(item);
  const causes: StatusCause[] = [];
  const path = str(o.path);
  if (path === '') causes.push(fieldRequired(`${p}.path`));
  causes.push(...localNonReservedPath(path, `${p}.path`));
  if (o.fieldRef != null) {
    causes.push(...validateFieldRef(o.fieldRef, VOLUME_FIELD_PATHS, `${p}.fieldRef`));
    if (o.resourceFieldRef != null) causes.push(fieldInvalid(p, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (o.resourceFieldRef != null) {
    causes.push(...validateResourceFieldRef(o.resourceFieldRef, `${p}.resourceFieldRef`, true, ctx));
  } else {
    causes.push(fieldRequired(p, 'one of fieldRef and resourceFieldRef is required'));
  }
  causes.push(...validateMode(o.mode, `${p}.mode`));
  return causes;
}

/**
 * A projected volume. Paths written by two items (of one source or of two) conflict, as kube-apiserver counts them:
 * configMap, secret and downwardAPI items (a token's path is not counted). An empty source is allowed, as there.
 * clusterTrustBundle sources are refused: this server has no ClusterTrustBundles to project.
 */
function validateProjectedVolume(source: any, p: string, ctx: Context): StatusCause[] {
  const o = asObject(source);
  const causes = validateMode(o.defaultMode, `${p}.defaultMode`);
  const paths = new Set<string>();
  const claim = (path: string, value: string) => {
    if (path === '') return;
    if (paths.has(path)) causes.push(fieldInvalid(p, value, 'conflicting duplicate paths'));
    else paths.add(path);
  };
  list(o.sources).forEach((src, i) => {
    const sp = `${p}.sources[${i}]`;
    const s = asObject(src);
    let kinds = 0;
    for (const kind of ['secret', 'configMap']) {
      if (s[kind] == null) continue;
      kinds++;
      const ref = asObject(s[kind]);
      const name = str(ref.name);
      if (name === '') causes.push(fieldRequired(`${sp}.${kind}.name`));
      list(ref.items).forEach((item, j) => {
        causes.push(...validateKeyToPath(item, `${sp}.${kind}.items[${j}]`));
        claim(str(asObject(item).path), name);
      });
    }
    if (s.downwardAPI != null) {
      kinds++;
      for (const item of list(asObject(s.downwardAPI).items)) {
        causes.push(...validateDownwardAPIFile(item, `${sp}.downwardAPI`, ctx));
        const path = str(asObject(item).path);
        claim(path, path);
      }
    }
    if (s.serviceAccountToken != null) {
      kinds++;
      const token = asObject(s.serviceAccountToken);
      const seconds = token.expirationSeconds ?? DEFAULT_TOKEN_SECONDS;
      const field = `${sp}.serviceAccountToken.expirationSeconds`;
      if (typeof seconds !== 'number' || !Number.isInteger(seconds)) causes.push(fieldInvalid(field, seconds, 'must be an integer'));
      else if (seconds < 600) causes.push(fieldInvalid(field, seconds, 'may not specify a duration less than 10 minutes'));
      else if (seconds > 2 ** 32) causes.push(fieldInvalid(field, seconds, 'may not specify a duration larger than 2^32 seconds'));
      // kube-apiserver names the volume's path, not the token's, here.
      const path = str(token.path);
      if (path === '') causes.push(fieldRequired(`${p}.path`));
      else causes.push(...localNonReservedPath(path, `${p}.path`));
    }
    if (s.clusterTrustBundle != null) {
      kinds++;
      causes.push(fieldForbidden(`${sp}.clusterTrustBundle`, 'ClusterTrustBundle projections are not supported by this server'));
    }
    if (kinds > 1) causes.push(fieldForbidden(sp, 'may not specify more than 1 volume type per source'));
  });
  return causes;
}

function validateMode(mode: unknown, field: string): StatusCause[] {
  if (mode == null) return [];
  const ok = typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= 0o777;
  return ok ? [] : [fieldInvalid(field, mode, FILE_MODE_MSG)];
}

/** Relative, with no '..' element. */
function localDescendingPath(path: string, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (path.startsWith('/')) causes.push(fieldInvalid(field, path, 'must be a relative path'));
  if (path.split('/').includes('..')) causes.push(fieldInvalid(field, path, "must not contain '..'"));
  return causes;
}

/** Relative, with no '..' element, and not starting with '..' (the `..data` of atomic writers). */
function localNonReservedPath(path: string, field: string): StatusCause[] {
  const causes = localDescendingPath(path, field);
  if (path.startsWith('..') && !path.startsWith('../')) causes.push(fieldInvalid(field, path, "must not start with '..'"));
  return causes;
}

// --- quantities ------------------------------------------------------------------------------------------------

type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|(m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;
const BINARY = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const DECIMAL: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

function parseQuantity(q: unknown): { value: number; format: QuantityFormat } | undefined {
  const text = typeof q === 'number' ? String(q) : typeof q === 'string' ? q.trim() : undefined;
  const m = text === undefined ? null : QUANTITY.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2] !== undefined) return { value: n * 2 ** (10 * BINARY.indexOf(m[2])), format: 'BinarySI' };
  if (m[4] !== undefined) return { value: n * 10 ** Number(m[4]), format: 'DecimalExponent' };
  return { value: n * DECIMAL[m[3] ?? ''], format: 'DecimalSI' };
}

/**
 * The quantity as Go prints it canonically, when that is a 1 with a unit (`1`, `1m`, `1k`…`1E`, `1Ki`…`1Ei`):
 * a binary quantity under 1024 or not whole prints in decimal; an exponent form prints `1eN` (never a unit).
 */
function canonicalUnit({ value, format }: { value: number; format: QuantityFormat }): string | undefined {
  const near = (a: number, b: number) => Math.abs(a - b) <= Math.abs(b) * 1e-9;
  if (near(value, 1)) return '1';
  const binary = format === 'BinarySI' && Math.abs(value) >= 1024 && Number.isInteger(value);
  if (binary) {
    for (let k = 1; k < BINARY.length; k++) if (value === 2 ** (10 * k)) return `1${BINARY[k]}`;
    return undefined;
  }
  if (format === 'DecimalExponent') return undefined;
  for (const [suffix, scale] of Object.entries(DECIMAL)) if (suffix !== '' && near(value, scale)) return `1${suffix}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asObject(v: unknown): Record<string, any> {
  return isObject(v) ? v : {};
}

function list(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  return v == null ? '' : String(v);
}
