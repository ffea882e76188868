import { fieldForbidden, fieldInvalid, fieldRequired, goQuote, StatusCause } from '@openpacific/kube-api';
import { durationRefusal, intValue, namingTemplateCauses, newCauses, semverCauses, templateMetadataCauses, withVersionPrefix } from './capi-fields.validation';
import { deepEqual } from './object-rules';
import { isKubeSemver } from './topology-version.validation';

/**
 * Cluster API's KubeadmControlPlane webhooks (controlplane/kubeadm/internal/webhooks/kubeadm_control_plane.go, v1beta1),
 * in their words:
 * - `spec.replicas` (1 when left out) above 0 (`Forbidden: cannot be less than or equal to 0`), and odd unless etcd is
 *   external (`Forbidden: cannot be an even number when etcd is stacked`: a stacked etcd needs a majority);
 * - `spec.version` a Kubernetes semantic version (`must be a valid semantic version`), which on update may go down but
 *   not up by two minor versions or more (`Forbidden: cannot update Kubernetes version from v1.29.4 to v1.31.0`);
 * - the machine template's infrastructure reference complete and in the object's namespace (named
 *   `spec.machineTemplate.infrastructure.*`, as the webhook does), its metadata valid labels and annotations;
 * - `rolloutBefore.certificatesExpiryDays` at least 7; the rollout's `maxSurge` (1 when left out) 1 or 0, and 0 only with
 *   3 replicas or more; a machine naming template with `{{ .random }}`;
 * - the ClusterConfiguration's image tags OCI tags, the CoreDNS one a version, etcd not both local and external, and
 *   on update not switched between the two;
 * - on update, only what the webhook lists may change (`spec.kubeadmConfigSpec.clusterConfiguration.networking.podSubnet:
 *   Forbidden: cannot be modified`).
 * Its defaulting gives the version its `v`; a duration it cannot decode is its 400. Not modelled: the KubeadmConfigSpec's
 * own rules (files, users, ignition), the CoreDNS migration table, the old-registry rule of v1.22-v1.25, and the scale
 * webhook (`kubectl scale` is not judged).
 */

const DEFAULTING_WEBHOOK = 'default.kubeadmcontrolplane.controlplane.cluster.x-k8s.io';
const CLUSTER_CONFIGURATION = 'spec.kubeadmConfigSpec.clusterConfiguration';
const MIN_CERTIFICATES_EXPIRY_DAYS = 7;

/** The version with its `v`, as the defaulting webhook stores it (on create, and on an update that changes it). */
export function defaultKubeadmControlPlane(kcp: any, old?: any): any {
  durationCheck(kcp, old);
  const version = kcp.spec?.version;
  if (old && version === old.spec?.version) return kcp;
  return withVersionPrefix(version) === version ? kcp : { ...kcp, spec: { ...kcp.spec, version: withVersionPrefix(version) } };
}

/** The durations the webhook decodes; only one new or changed on update is judged (the system's objects are not re-read). */
function durationCheck(kcp: any, old?: any): void {
  const durations = (o: any) => {
    const t = o?.spec?.machineTemplate ?? {};
    const r = o?.spec?.remediationStrategy ?? {};
    return [t.nodeDrainTimeout, t.nodeVolumeDetachTimeout, t.nodeDeletionTimeout, r.retryPeriod, r.minHealthyPeriod];
  };
  const before = durations(old);
  const refusal = durationRefusal(DEFAULTING_WEBHOOK, durations(kcp).filter((d, i) => !old || d !== before[i]));
  if (refusal) throw refusal;
}

export function validateKubeadmControlPlaneCreate(kcp: any): StatusCause[] {
  return [...specCauses(kcp), ...clusterConfigurationCauses(kcp)];
}

/** The spec's rules, what the update may change, the version's step, and etcd's kind (see newCauses for what is judged). */
export function validateKubeadmControlPlaneUpdate(old: any, next: any): StatusCause[] {
  return [
    ...newCauses([...specCauses(next), ...clusterConfigurationCauses(next)], [...specCauses(old), ...clusterConfigurationCauses(old)], { old, next }),
    ...modifiedCauses(old, next),
    ...versionChangeCauses(old, next),
    ...etcdSwitchCauses(old, next),
  ];
}

function specCauses(kcp: any): StatusCause[] {
  const spec = kcp.spec ?? {};
  const replicas: number = spec.replicas ?? 1;
  const causes: StatusCause[] = [];
  if (replicas <= 0) causes.push(fieldForbidden('spec.replicas', 'cannot be less than or equal to 0'));
  if (!externalEtcd(kcp) && replicas % 2 === 0) causes.push(fieldForbidden('spec.replicas', 'cannot be an even number when etcd is stacked'));
  causes.push(...infrastructureRefCauses(spec.machineTemplate?.infrastructureRef ?? {}, kcp.metadata?.namespace));
  causes.push(...templateMetadataCauses(spec.machineTemplate?.metadata, 'spec.machineTemplate.metadata'));
  causes.push(...semverCauses('spec.version', spec.version ?? ''));
  const expiry = spec.rolloutBefore?.certificatesExpiryDays;
  if (typeof expiry === 'number' && expiry < MIN_CERTIFICATES_EXPIRY_DAYS) {
    causes.push(fieldInvalid('spec.rolloutBefore.certificatesExpiryDays', expiry, `must be greater than or equal to ${MIN_CERTIFICATES_EXPIRY_DAYS}`));
  }
  causes.push(...rolloutStrategyCauses(spec.rolloutStrategy, replicas));
  causes.push(...namingTemplateCauses(spec.machineNamingStrategy?.template, 'spec.machineNamingStrategy.template'));
  return causes;
}

function externalEtcd(kcp: any): boolean {
  return kcp.spec?.kubeadmConfigSpec?.clusterConfiguration?.etcd?.external != null;
}

/** The reference as the defaulting webhook leaves it (its namespace the object's when left out). */
function infrastructureRefCauses(ref: any, namespace: string): StatusCause[] {
  const at = 'spec.machineTemplate.infrastructure';
  const causes: StatusCause[] = [];
  for (const key of ['apiVersion', 'kind', 'name']) if (!ref[key]) causes.push(fieldInvalid(`${at}.${key}`, ref[key] ?? '', 'cannot be empty'));
  const refNamespace = ref.namespace || namespace;
  if (refNamespace !== namespace) causes.push(fieldInvalid(`${at}.namespace`, refNamespace, 'must match metadata.namespace'));
  return causes;
}

/** The strategy as defaulted: RollingUpdate, `maxSurge` 1; IntValue() reads `50%` as 0, as the webhook does. */
function rolloutStrategyCauses(strategy: any, replicas: number): StatusCause[] {
  if (!strategy) return [];
  const causes: StatusCause[] = [];
  if ((strategy.type || 'RollingUpdate') !== 'RollingUpdate') causes.push(fieldRequired('spec.rolloutStrategy.type', 'only RollingUpdateStrategyType is supported'));
  const maxSurge = intValue(strategy.rollingUpdate?.maxSurge ?? 1);
  if (maxSurge === 0 && replicas < 3) {
    causes.push(fieldRequired('spec.rolloutStrategy.rollingUpdate', 'when KubeadmControlPlane is configured to scale-in, replica count needs to be at least 3'));
  }
  if (maxSurge !== 1 && maxSurge !== 0) causes.push(fieldRequired('spec.rolloutStrategy.rollingUpdate.maxSurge', 'value must be 1 or 0'));
  return causes;
}

/** container.ImageTagIsValid: only letters, digits, `-`, `_` and `.`. */
const imageTagValid = (tag: string) => !/[^-a-zA-Z0-9_.]/.test(tag);

function clusterConfigurationCauses(kcp: any): StatusCause[] {
  const config = kcp.spec?.kubeadmConfigSpec?.clusterConfiguration;
  if (!config) return [];
  const causes: StatusCause[] = [];
  const dnsTag = String(config.dns?.imageTag ?? '');
  if (!imageTagValid(dnsTag)) causes.push(fieldForbidden(`${CLUSTER_CONFIGURATION}.dns.imageTag`, `tag ${dnsTag} is invalid`));
  // The webhook names this one without its prefix.
  if (dnsTag !== '' && !isKubeSemver(String(withVersionPrefix(dnsTag)))) {
    causes.push(fieldInvalid('dns.imageTag', dnsTag, `failed to parse CoreDNS version: failed to parse major.minor.patch from ${goQuote(dnsTag)}`));
  }
  const local = config.etcd?.local;
  if (local != null && !imageTagValid(String(local.imageTag ?? ''))) causes.push(fieldForbidden(`${CLUSTER_CONFIGURATION}.etcd.local.imageTag`, `tag ${local.imageTag} is invalid`));
  if (local != null && config.etcd?.external != null) causes.push(fieldForbidden(`${CLUSTER_CONFIGURATION}.etcd.local`, 'cannot have both external and local etcd'));
  return causes;
}

function etcdSwitchCauses(old: any, next: any): StatusCause[] {
  if (!old.spec?.kubeadmConfigSpec?.clusterConfiguration || !next.spec?.kubeadmConfigSpec?.clusterConfiguration) return [];
  return externalEtcd(old) === externalEtcd(next) ? [] : [fieldForbidden(`${CLUSTER_CONFIGURATION}.etcd.external`, 'cannot change between external and local etcd')];
}

const CONFIG = ['spec', 'kubeadmConfigSpec'];
const CLUSTER = [...CONFIG, 'clusterConfiguration'];
const INIT = [...CONFIG, 'initConfiguration'];
const JOIN = [...CONFIG, 'joinConfiguration'];
const withChildren = (base: string[]) => [base, [...base, '*']];

/** The webhook's allowed paths: `*` allows anything beneath; a path without it allows that field (and its removal). */
const ALLOWED_PATHS: string[][] = [
  ['metadata', '*'],
  [...CLUSTER, 'etcd', 'local'], [...CLUSTER, 'etcd', 'local', '*'], [...CLUSTER, 'etcd', 'external', '*'],
  ...withChildren([...CLUSTER, 'dns']), [...CLUSTER, 'imageRepository'],
  ...withChildren([...CLUSTER, 'featureGates']), ...withChildren([...CLUSTER, 'apiServer']),
  ...withChildren([...CLUSTER, 'controllerManager']), ...withChildren([...CLUSTER, 'scheduler']),
  ...withChildren([...INIT, 'nodeRegistration']), [...INIT, 'patches', 'directory'], [...INIT, 'patches'], [...INIT, 'skipPhases'],
  [...INIT, 'bootstrapTokens'], ...withChildren([...INIT, 'localAPIEndpoint']),
  ...withChildren([...JOIN, 'nodeRegistration']), [...JOIN, 'patches', 'directory'], [...JOIN, 'patches'], [...JOIN, 'skipPhases'],
  [...JOIN, 'caCertPath'], ...withChildren([...JOIN, 'controlPlane']), ...withChildren([...JOIN, 'discovery']),
  ...['bootCommands', 'preKubeadmCommands', 'postKubeadmCommands', 'files', 'verbosity', 'users', 'format', 'mounts'].map((f) => [...CONFIG, f]),
  ...withChildren([...CONFIG, 'ntp']), ...withChildren([...CONFIG, 'ignition']), ...withChildren([...CONFIG, 'diskSetup']),
  ...withChildren(['spec', 'machineTemplate', 'metadata']),
  ...['apiVersion', 'name', 'kind'].map((f) => ['spec', 'machineTemplate', 'infrastructureRef', f]),
  ...['nodeDrainTimeout', 'nodeVolumeDetachTimeout', 'nodeDeletionTimeout'].map((f) => ['spec', 'machineTemplate', f]),
  ['spec', 'replicas'], ['spec', 'version'], ['spec', 'rolloutAfter'],
  ...withChildren(['spec', 'remediationStrategy']), ...withChildren(['spec', 'machineNamingStrategy']),
  ...withChildren(['spec', 'rolloutBefore']), ...withChildren(['spec', 'rolloutStrategy']),
];

const plainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The paths a JSON merge patch from `old` to `next` sets, as the webhook lists them: a changed or removed field by its
 * own path, an added object by the fields inside it (an empty one adds none). Nulls are fields left out.
 */
export function mergePatchPaths(old: unknown, next: unknown, at: string[] = []): string[][] {
  const before = plainObject(old) ? old : {};
  const after = plainObject(next) ? next : {};
  const out: string[][] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const [o, n] = [before[key] ?? undefined, after[key] ?? undefined];
    if (deepEqual(o, n)) continue;
    if (plainObject(n)) out.push(...mergePatchPaths(plainObject(o) ? o : undefined, n, [...at, key]));
    else out.push([...at, key]);
  }
  return out;
}

/** The webhook's pathsMatch: `*` matches the rest; otherwise the path must reach at least as deep as the allowed one. */
function pathAllowed(allowed: string[], path: string[]): boolean {
  for (let i = 0; i < path.length; i++) {
    if (i > allowed.length - 1) return false;
    if (allowed[i] === '*') return true;
    if (path[i] !== allowed[i]) return false;
  }
  return path.length >= allowed.length;
}

function modifiedCauses(old: any, next: any): StatusCause[] {
  // The status is not the object's to change (the update leaves it as stored).
  const body = (o: any) => ({ metadata: o.metadata, spec: o.spec });
  return mergePatchPaths(body(old), body(next))
    .filter((path) => !ALLOWED_PATHS.some((allowed) => pathAllowed(allowed, path)))
    .map((path) => path.join('.'))
    .sort()
    .map((path) => fieldForbidden(path, 'cannot be modified'));
}

/** util/version.ParseMajorMinorPatch: `v` and three numbers first, the rest ignored. */
function majorMinorPatch(version: string): number[] | undefined {
  if (!isKubeSemver(version)) return undefined;
  return /^v(\d+)\.(\d+)\.(\d+)/.exec(version)!.slice(1, 4).map(Number);
}

/** On an update that changes `spec.version`: both must parse, not to v1.19.0, not two minor versions or more up. */
function versionChangeCauses(old: any, next: any): StatusCause[] {
  const [from, to] = [String(withVersionPrefix(old.spec?.version ?? '')), String(withVersionPrefix(next.spec?.version ?? ''))];
  if (from === to) return [];
  const internal = (what: string, v: string) => [{ field: 'spec.version', reason: 'InternalError', message: `Internal error: failed to parse ${what} kubeadmcontrolplane version: ${v}: failed to parse major.minor.patch from ${goQuote(v)}` }];
  const [a, b] = [majorMinorPatch(from), majorMinorPatch(to)];
  if (!a) return internal('current', from);
  if (!b) return internal('updated', to);
  if (a.join('.') !== b.join('.') && b.join('.') === '1.19.0') {
    return [fieldForbidden('spec.version', 'cannot update Kubernetes version to v1.19.0, for more information see https://github.com/kubernetes-sigs/cluster-api/issues/3564')];
  }
  const twoMinorsUp = b[0] > a[0] || (b[0] === a[0] && b[1] >= a[1] + 2);
  return twoMinorsUp ? [fieldForbidden('spec.version', `cannot update Kubernetes version from ${from} to ${to}`)] : [];
}
