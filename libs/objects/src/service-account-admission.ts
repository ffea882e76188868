import { randomInt } from 'node:crypto';
import { SERVICE_ACCOUNTS_RESOURCE } from '@openpacific/contracts';
import type { ReadModel } from './read-model';

/**
 * Kubernetes' ServiceAccount admission plugin, on pod create: the pod runs as a ServiceAccount (`default` unless it
 * names one), and unless it or its ServiceAccount opts out, every container and init container gets the API's
 * credentials at /var/run/secrets/kubernetes.io/serviceaccount: a projected volume `kube-api-access-<5 random>` of
 * a ServiceAccount token bound to the pod (the host's agent asks the gateway for it, see auth/pod-tokens.ts), the
 * cluster CA (`kube-root-ca.crt`, published in every namespace) and the pod's namespace.
 *
 * A pod naming a ServiceAccount that does not exist is refused as kube-apiserver refuses it (`missingServiceAccount`),
 * but for `default`: here a namespace gets its `default` ServiceAccount a moment after it is made
 * (controllers/default-service-accounts.ts, on the gateway leading garbage collection), and clients that create a
 * namespace and its pods at once would otherwise fail at random. A pod of a `default` not there yet is admitted as
 * if it did not opt out; its token is issued once the ServiceAccount exists.
 *
 * The gateway admits the pods clients create (handlers/kind-strategies.ts); the scheduler's workload controllers
 * (ReplicaSets, Jobs, DaemonSets, StatefulSets), which append the pods they make to the log themselves, admit theirs
 * with the same function (workloads/owned-pods.ts), as kube-apiserver admits a controller's pods.
 */

/** Where the credentials are mounted (kubelet's and client-go's in-cluster configuration read them there). */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The ConfigMap with the cluster's CA in every namespace (controllers/root-ca-publisher.ts). */
export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
/** The projected volume's name before its random suffix. */
export const API_ACCESS_VOLUME_PREFIX = 'kube-api-access-';
/** The suffix's alphabet: apimachinery's random strings (no vowels, no 0, 1 or 3: no words, nothing to misread). */
export const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
/** The token's lifetime as the plugin asks for it: an hour and 7 s (kube-apiserver tells such tokens apart by it). */
export const API_ACCESS_TOKEN_SECONDS = 3607;

/** `kube-api-access-` and 5 characters of NAME_SUFFIX_ALPHABET. */
export function apiAccessVolumeName(): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_SUFFIX_ALPHABET[randomInt(NAME_SUFFIX_ALPHABET.length)];
  return API_ACCESS_VOLUME_PREFIX + suffix;
}

/** The projected volume of the API's credentials, as the plugin adds it (already in its defaulted form). */
export function apiAccessVolume(name: string): any {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: API_ACCESS_TOKEN_SECONDS, path: 'token' } },
        { configMap: { name: ROOT_CA_CONFIG_MAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/** The ServiceAccount of a pod in namespace `ns`, as the gateway's read model has it (undefined when it has none). */
export type ServiceAccountLookup = (namespace: string, name: string) => any | undefined;

export function readModelServiceAccounts(readModel: ReadModel): ServiceAccountLookup {
  return (namespace, name) => readModel.get(SERVICE_ACCOUNTS_RESOURCE, namespace, name)?.object;
}

/** Whether the pod gets the token: its own `automountServiceAccountToken` first, then its ServiceAccount's, else yes. */
function shouldAutomount(pod: any, serviceAccount: any | undefined): boolean {
  if (typeof pod.spec.automountServiceAccountToken === 'boolean') return pod.spec.automountServiceAccountToken;
  if (typeof serviceAccount?.automountServiceAccountToken === 'boolean') return serviceAccount.automountServiceAccountToken;
  return true;
}

/**
 * The plugin's changes to a new pod, in place (after the pod's defaults): `spec.serviceAccountName` (`default`, or the
 * deprecated `spec.serviceAccount` when only that is given) mirrored into `spec.serviceAccount`; then, when the pod
 * automounts, the mount on every container and init container that has nothing at the mount path yet (one that
 * mounts something of its own there keeps it, as in Kubernetes), and the volume when a container got the mount. A
 * volume named `kube-api-access-…` the pod brings (a copy of an admitted pod) is reused rather than added again.
 */
export function admitServiceAccount(pod: any, serviceAccounts: ServiceAccountLookup): any {
  const spec = pod?.spec;
  if (!isObject(spec)) return pod;
  const name = (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName) || (typeof spec.serviceAccount === 'string' && spec.serviceAccount) || 'default';
  spec.serviceAccountName = name;
  spec.serviceAccount = name;
  // No ServiceAccount (yet): `default` is admitted all the same, see above (any other is refused by missingServiceAccount).
  if (!shouldAutomount(pod, serviceAccounts(pod.metadata?.namespace, name))) return pod;

  const volumes = list(spec.volumes);
  const existing = volumes.find((v) => typeof v?.name === 'string' && v.name.startsWith(API_ACCESS_VOLUME_PREFIX));
  let volumeName: string = existing?.name ?? apiAccessVolumeName();
  while (!existing && volumes.some((v) => v?.name === volumeName)) volumeName = apiAccessVolumeName();

  let mounted = false;
  for (const c of [...list(spec.initContainers), ...list(spec.containers)]) {
    if (!isObject(c)) continue;
    if (list(c.volumeMounts).some((m) => m?.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
    c.volumeMounts = [...list(c.volumeMounts), { name: volumeName, mountPath: SERVICE_ACCOUNT_MOUNT_PATH, readOnly: true }];
    mounted = true;
  }
  if (mounted && !existing) spec.volumes = [...volumes, apiAccessVolume(volumeName)];
  return pod;
}

/**
 * Why kube-apiserver's ServiceAccount admission refuses the pod, after `admitServiceAccount` named its ServiceAccount:
 * one that does not exist (`error looking up service account ns/x: serviceaccount "x" not found`, a 403 under
 * `pods "p" is forbidden: `). `default` is never refused (see above). Undefined when the pod may be created.
 */
export function missingServiceAccount(pod: any, serviceAccounts: ServiceAccountLookup): string | undefined {
  const name = pod?.spec?.serviceAccountName;
  const namespace = pod?.metadata?.namespace;
  if (typeof name !== 'string' || name === '' || name === 'default' || serviceAccounts(namespace, name)) return undefined;
  return `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`;
}

