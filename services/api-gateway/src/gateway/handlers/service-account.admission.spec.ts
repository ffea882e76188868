import { ObjectEventTypes, objectStreamId, podResource, SERVICE_ACCOUNTS_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { ReadModel } from '@openpacific/objects';
import { strategyFor } from './kind-strategies';
import { defaultPod, validatePod, validatePodUpdate } from './pod.strategy';
import {
  admitServiceAccount, apiAccessVolume, apiAccessVolumeName, missingServiceAccount, NAME_SUFFIX_ALPHABET, readModelServiceAccounts, SERVICE_ACCOUNT_MOUNT_PATH,
} from '@openpacific/objects';

const PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const NAME = /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/;

const pod = (spec: any = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team' },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});

let position = 0n;
function modelWith(...serviceAccounts: any[]): ReadModel {
  const model = new ReadModel();
  for (const object of serviceAccounts) {
    position += 1n;
    model.apply({
      id: `e${position}`, streamId: objectStreamId(SERVICE_ACCOUNTS_RESOURCE, object.metadata.namespace, object.metadata.name), streamVersion: 1,
      type: ObjectEventTypes.created, data: { resource: SERVICE_ACCOUNTS_RESOURCE, object }, metadata: { actor: 'admin', source: 'test' },
      position, transactionId: 100n, createdAt: new Date(),
    } as RecordedEvent);
  }
  return model;
}
const sa = (name: string, extra: any = {}) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'team', uid: `sa-${name}` }, ...extra });
const none = () => undefined;
const admit = (p: any, model = modelWith(sa('default'))) => admitServiceAccount(p, readModelServiceAccounts(model));

describe('ServiceAccount admission of a new pod', () => {
  it('runs the pod as default, mirrored into the deprecated serviceAccount, unless it names another', () => {
    expect(admit(pod()).spec).toMatchObject({ serviceAccountName: 'default', serviceAccount: 'default' });
    expect(admit(pod({ serviceAccountName: 'robot' })).spec).toMatchObject({ serviceAccountName: 'robot', serviceAccount: 'robot' });
    // Only the deprecated field given: it names the account.
    expect(admit(pod({ serviceAccount: 'robot' })).spec).toMatchObject({ serviceAccountName: 'robot', serviceAccount: 'robot' });
  });

  it('adds the projected kube-api-access volume: the bound token, the cluster CA and the namespace', () => {
    const { spec } = admit(pod());
    expect(spec.volumes).toHaveLength(1);
    const [volume] = spec.volumes;
    expect(volume.name).toMatch(NAME);
    expect(volume).toEqual({
      name: volume.name,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    });
    expect(apiAccessVolume('x')).toEqual({ ...volume, name: 'x' });
  });

  it('names the volume with 5 characters of apimachinery\'s alphabet, at random', () => {
    expect(NAME_SUFFIX_ALPHABET).toBe('bcdfghjklmnpqrstvwxz2456789');
    const names = new Set(Array.from({ length: 2000 }, () => apiAccessVolumeName()));
    for (const n of names) expect(n).toMatch(NAME);
    expect(names.size).toBeGreaterThan(1990);
    // Every character of the alphabet comes up, and nothing else.
    expect(new Set([...names].flatMap((n) => [...n.slice('kube-api-access-'.length)])).size).toBe(NAME_SUFFIX_ALPHABET.length);
  });

  it('mounts it read-only on every container and init container, after the mounts they have', () => {
    const { spec } = admit(pod({
      initContainers: [{ name: 'i1', image: 'busybox' }, { name: 'i2', image: 'busybox', restartPolicy: 'Always', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/d' }] }],
      volumes: [{ name: 'data', emptyDir: {} }],
    }));
    const name = spec.volumes[1].name;
    expect(spec.volumes.map((v: any) => v.name)).toEqual(['data', name]);
    const mount = { name, mountPath: PATH, readOnly: true };
    expect(spec.initContainers.map((c: any) => c.volumeMounts)).toEqual([[mount], [{ name: 'data', mountPath: '/data' }, mount]]);
    expect(spec.containers.map((c: any) => c.volumeMounts)).toEqual([[mount], [{ name: 'data', mountPath: '/d' }, mount]]);
    expect(SERVICE_ACCOUNT_MOUNT_PATH).toBe(PATH);
  });

  it('mounts nothing when the pod opts out, whatever its ServiceAccount says', () => {
    for (const model of [modelWith(sa('default')), modelWith(sa('default', { automountServiceAccountToken: true })), new ReadModel()]) {
      const { spec } = admit(pod({ automountServiceAccountToken: false }), model);
      expect(spec.volumes).toBeUndefined();
      expect(spec.containers[0].volumeMounts).toBeUndefined();
      expect(spec.serviceAccountName).toBe('default');
    }
  });

  it('mounts nothing when the ServiceAccount opts out and the pod says nothing; the pod\'s true wins over it', () => {
    const model = modelWith(sa('default'), sa('robot', { automountServiceAccountToken: false }));
    expect(admit(pod({ serviceAccountName: 'robot' }), model).spec.volumes).toBeUndefined();
    expect(admit(pod({ serviceAccountName: 'robot', automountServiceAccountToken: true }), model).spec.volumes).toHaveLength(1);
    // Another namespace's ServiceAccount of that name is not the pod's.
    expect(admit({ ...pod(), metadata: { name: 'p', namespace: 'elsewhere' } }, modelWith(sa('default', { automountServiceAccountToken: false }))).spec.volumes).toHaveLength(1);
  });

  it('mounts the token of a ServiceAccount that does not exist (yet), and names why such a pod is refused unless its account is default', () => {
    const later = admitServiceAccount(pod({ serviceAccountName: 'later' }), none);
    expect(later.spec.serviceAccountName).toBe('later');
    expect(later.spec.volumes[0].name).toMatch(NAME);
    expect(missingServiceAccount(later, none)).toBe('error looking up service account team/later: serviceaccount "later" not found');
    expect(missingServiceAccount(later, readModelServiceAccounts(modelWith(sa('later'))))).toBeUndefined();
    // A namespace's default comes a moment after the namespace: its pods are not refused meanwhile.
    expect(missingServiceAccount(admitServiceAccount(pod(), none), none)).toBeUndefined();
  });

  it('refuses a pod create naming a ServiceAccount that does not exist with kube-apiserver\'s 403, before validation', () => {
    const strategy = strategyFor(podResource);
    const ctx = { readModel: modelWith(sa('default')), serviceCIDR: '10.96.0.0/16' };
    let thrown: any;
    try {
      // Invalid besides (no image): the 403 comes first, as the plugin admits before the pod is validated.
      strategy.defaults!(pod({ serviceAccountName: 'missing', containers: [{ name: 'c' }] }), ctx);
    } catch (err) {
      thrown = err;
    }
    expect(thrown?.status).toMatchObject({ code: 403, reason: 'Forbidden', message: 'pods "p" is forbidden: error looking up service account team/missing: serviceaccount "missing" not found' });
    expect(strategy.defaults!(pod(), ctx).spec.serviceAccountName).toBe('default');
  });

  it('leaves a container that mounts something of its own at the path alone, and adds no volume when no container needs it', () => {
    const own = { name: 'creds', mountPath: PATH };
    const alone = admit(pod({ containers: [{ name: 'c', image: 'busybox', volumeMounts: [own] }], volumes: [{ name: 'creds', secret: { secretName: 's' } }] }));
    expect(alone.spec.volumes).toEqual([{ name: 'creds', secret: { secretName: 's' } }]);
    expect(alone.spec.containers[0].volumeMounts).toEqual([own]);
    // Another container without one still gets the token.
    const mixed = admit(pod({ containers: [{ name: 'c', image: 'busybox', volumeMounts: [own] }, { name: 'd', image: 'busybox' }], volumes: [{ name: 'creds', emptyDir: {} }] }));
    expect(mixed.spec.containers[0].volumeMounts).toEqual([own]);
    expect(mixed.spec.containers[1].volumeMounts).toEqual([{ name: mixed.spec.volumes[1].name, mountPath: PATH, readOnly: true }]);
  });

  it('reuses the kube-api-access volume of a copied pod instead of adding a second', () => {
    const copied = admit(pod());
    const again = admit(pod({ volumes: structuredClone(copied.spec.volumes), containers: structuredClone(copied.spec.containers) }));
    expect(again.spec.volumes).toEqual(copied.spec.volumes);
    expect(again.spec.containers).toEqual(copied.spec.containers);
    // The volume without the mount: the mount comes back under the volume's name.
    const unmounted = admit(pod({ volumes: structuredClone(copied.spec.volumes) }));
    expect(unmounted.spec.volumes).toEqual(copied.spec.volumes);
    expect(unmounted.spec.containers[0].volumeMounts).toEqual([{ name: copied.spec.volumes[0].name, mountPath: PATH, readOnly: true }]);
  });

  it('runs on pod create after the defaults, and what it adds passes validation and later updates', () => {
    const model = modelWith(sa('default'));
    const strategy = strategyFor(podResource);
    const created = strategy.defaults!(structuredClone(pod({ initContainers: [{ name: 'i', image: 'busybox' }] })), { readModel: model, serviceCIDR: '10.96.0.0/16' });
    expect(created.spec.restartPolicy).toBe('Always');
    expect(created.spec.volumes[0].name).toMatch(NAME);
    expect(validatePod(created)).toEqual([]);
    // An update (a new image) keeps the volume, so pod spec immutability finds no other change.
    const next = structuredClone(created);
    next.spec.containers[0].image = 'busybox:1.36';
    expect(validatePodUpdate(created, next)).toEqual([]);
    // Pod templates get the pod defaults but not the plugin's volume (as in Kubernetes).
    expect(defaultPod({ spec: { containers: [{ name: 'c', image: 'busybox' }] } }).spec.volumes).toBeUndefined();
  });
});
