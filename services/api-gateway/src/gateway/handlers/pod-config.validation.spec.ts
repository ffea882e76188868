import { defaultDeployment, validateDeployment } from './apps.strategy';
import { defaultCronJob, validateCronJob } from './batch.strategy';
import { defaultPodConfig, validatePodConfig } from './pod-config.validation';
import { defaultPod, validatePod } from './pod.strategy';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const CONFIG_KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const ENV_NAME_MSG = "a valid environment variable name must consist only of printable ASCII characters other than '='";
const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const MODE_MSG = 'must be a number between 0 and 0777 (octal), both inclusive';
const ENV_PATHS = '"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"';
const VOLUME_PATHS = '"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"';
const RESOURCES = '"limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"';
const BYTE_DIVISORS = '1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei';

const required = (field: string, detail = '') => ({ field, reason: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value' });
const invalid = (field: string, value: string, detail: string) => ({ field, reason: 'FieldValueInvalid', message: `Invalid value: ${value}: ${detail}` });
const forbidden = (field: string, detail: string) => ({ field, reason: 'FieldValueForbidden', message: `Forbidden: ${detail}` });
const notFound = (field: string, value: string) => ({ field, reason: 'FieldValueNotFound', message: `Not found: "${value}"` });
const notSupported = (field: string, value: string, supported: string) => ({ field, reason: 'FieldValueNotSupported', message: `Unsupported value: "${value}": supported values: ${supported}` });

/** A pod spec with one container `app` (carrying `container`), volumes and init containers as given. */
const spec = (container: any = {}, over: any = {}) => ({ containers: [{ name: 'app', image: 'busybox:1.36', ...container }], ...over });
const env = (...vars: any[]) => validatePodConfig(spec({ env: vars }));
const envFrom = (...sources: any[]) => validatePodConfig(spec({ envFrom: sources }));
/** One volume `v`, not mounted. */
const volume = (source: any) => validatePodConfig(spec({}, { volumes: [{ name: 'v', ...source }] }));
const mounts = (volumeMounts: any[], volumes: any[] = [{ name: 'v', emptyDir: {} }]) => validatePodConfig(spec({ volumeMounts }, { volumes }));

/** Every feature at once, as a valid pod spec. */
const complete = () => ({
  initContainers: [{ name: 'init', image: 'busybox:1.36', env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], volumeMounts: [{ name: 'config', mountPath: '/config' }] }],
  containers: [
    {
      name: 'app',
      image: 'busybox:1.36',
      resources: { limits: { cpu: '1', memory: '256Mi', 'ephemeral-storage': '1Gi' } },
      env: [
        { name: 'PLAIN', value: 'x' },
        { name: 'EMPTY' },
        { name: '1x', value: 'relaxed names may start with a digit' },
        { name: 'with space.and-dash', value: 'y' },
        { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'app', key: 'greeting', optional: true } } },
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'db.password' } } },
        { name: 'NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
        { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
        { name: 'TIER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
        { name: 'NOTE', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['Example.com/Note']" } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'spec.host' } } },
        { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'HOST_IPS', valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'POD_IPS', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } },
        { name: 'CPU_M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1000m' } } },
        { name: 'MEM_MI', valueFrom: { resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'MEM_KIB', valueFrom: { resourceFieldRef: { resource: 'requests.memory', divisor: '1Ki' } } },
        { name: 'MEM_K', valueFrom: { resourceFieldRef: { resource: 'requests.memory', divisor: '1000' } } },
        { name: 'MEM_ONE', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: 1 } } },
        { name: 'MEM_ZERO', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '0' } } },
        { name: 'DISK', valueFrom: { resourceFieldRef: { resource: 'limits.ephemeral-storage', divisor: '1G' } } },
        { name: 'HUGE', valueFrom: { resourceFieldRef: { resource: 'limits.hugepages-2Mi', divisor: '1Mi' } } },
        { name: 'INIT_CPU', valueFrom: { resourceFieldRef: { containerName: 'init', resource: 'limits.cpu' } } },
      ],
      envFrom: [{ configMapRef: { name: 'app' } }, { prefix: 'SECRET_', secretRef: { name: 'creds', optional: true } }, { prefix: '1_', configMapRef: { name: 'generated-' } }],
      volumeMounts: [
        { name: 'config', mountPath: '/etc/config', readOnly: true },
        { name: 'config', mountPath: '/etc/one', subPath: 'greeting' },
        { name: 'secret', mountPath: '/etc/secret' },
        { name: 'podinfo', mountPath: '/etc/podinfo' },
        { name: 'all', mountPath: '/etc/all' },
        { name: 'scratch', mountPath: 'relative/is/allowed' },
        { name: 'data', mountPath: '/data', subPath: 'a/b..c/d' },
      ],
    },
  ],
  volumes: [
    { name: 'config', configMap: { name: 'app', defaultMode: 0o755, items: [{ key: 'greeting', path: 'greeting', mode: 0 }, { key: 'mode', path: 'sub/dir/mode.txt', mode: 0o777 }] } },
    { name: 'secret', secret: { secretName: 'creds', optional: true, items: [{ key: 'password', path: 'db/password', mode: 0o400 }] } },
    {
      name: 'podinfo',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
          { path: 'tier', fieldRef: { fieldPath: "metadata.labels['tier']" } },
          { path: 'name', fieldRef: { fieldPath: 'metadata.name' }, mode: 0o444 },
          { path: 'uid', fieldRef: { fieldPath: 'metadata.uid' } },
          { path: 'cpu', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' } },
        ],
      },
    },
    {
      name: 'all',
      projected: {
        defaultMode: 0o440,
        sources: [
          { configMap: { name: 'app', items: [{ key: 'mode', path: 'mode' }] } },
          { secret: { name: 'creds', items: [{ key: 'user', path: 'user' }] } },
          { configMap: { name: 'whole' } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }, { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'requests.memory' } }] } },
          { serviceAccountToken: { path: 'token', audience: 'vault', expirationSeconds: 600 } },
          { serviceAccountToken: { path: 'long-token', expirationSeconds: 2 ** 32 } },
          {},
        ],
      },
    },
    { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
    { name: 'work', ephemeral: { volumeClaimTemplate: { metadata: { labels: { type: 'scratch' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } },
  ],
});

describe('defaultPodConfig', () => {
  it('gives configMap, secret, downwardAPI and projected volumes mode 0644, and keeps a mode that was given', () => {
    const s: any = spec({}, {
      volumes: [
        { name: 'a', configMap: { name: 'c' } },
        { name: 'b', secret: { secretName: 's' } },
        { name: 'c', downwardAPI: { items: [] } },
        { name: 'd', projected: { sources: [] } },
        { name: 'e', configMap: { name: 'c', defaultMode: 0 } },
        { name: 'f', secret: { secretName: 's', defaultMode: 0o400 } },
        { name: 'g', emptyDir: {} },
      ],
    });
    defaultPodConfig(s);
    expect(s.volumes.map((v: any) => v.configMap?.defaultMode ?? v.secret?.defaultMode ?? v.downwardAPI?.defaultMode ?? v.projected?.defaultMode)).toEqual([420, 420, 420, 420, 0, 256, undefined]);
    expect(s.volumes[6]).toEqual({ name: 'g', emptyDir: {} });
  });

  it("gives every fieldRef apiVersion v1: in env (containers and init containers), downwardAPI volumes and projected downwardAPI", () => {
    const fieldRef = () => ({ fieldPath: 'metadata.name' });
    const s: any = spec({ env: [{ name: 'A', valueFrom: { fieldRef: fieldRef() } }, { name: 'B', valueFrom: { fieldRef: { apiVersion: '', fieldPath: 'metadata.name' } } }, { name: 'C', value: 'x' }] }, {
      initContainers: [{ name: 'init', image: 'busybox', env: [{ name: 'A', valueFrom: { fieldRef: fieldRef() } }] }],
      volumes: [
        { name: 'a', downwardAPI: { items: [{ path: 'n', fieldRef: fieldRef() }, { path: 'c', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' } }] } },
        { name: 'b', projected: { sources: [{ downwardAPI: { items: [{ path: 'n', fieldRef: { apiVersion: 'v2', fieldPath: 'metadata.name' } }] } }] } },
      ],
    });
    defaultPodConfig(s);
    expect(s.containers[0].env.map((e: any) => e.valueFrom?.fieldRef)).toEqual([{ apiVersion: 'v1', fieldPath: 'metadata.name' }, { apiVersion: 'v1', fieldPath: 'metadata.name' }, undefined]);
    expect(s.initContainers[0].env[0].valueFrom.fieldRef).toEqual({ apiVersion: 'v1', fieldPath: 'metadata.name' });
    expect(s.volumes[0].downwardAPI.items).toEqual([{ path: 'n', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } }, { path: 'c', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' } }]);
    expect(s.volumes[1].projected.sources[0].downwardAPI.items[0].fieldRef).toEqual({ apiVersion: 'v2', fieldPath: 'metadata.name' });
  });

  it('gives a projected service account token an hour, and keeps a lifetime that was given', () => {
    const s: any = spec({}, { volumes: [{ name: 'p', projected: { sources: [{ serviceAccountToken: { path: 't' } }, { serviceAccountToken: { path: 'u', expirationSeconds: 7200 } }] } }] });
    defaultPodConfig(s);
    expect(s.volumes[0].projected).toEqual({ defaultMode: 420, sources: [{ serviceAccountToken: { path: 't', expirationSeconds: 3600 } }, { serviceAccountToken: { path: 'u', expirationSeconds: 7200 } }] });
  });

  it('makes a volume that names no source an emptyDir, as kube-apiserver does', () => {
    const s: any = spec({}, { volumes: [{ name: 'bare' }, { name: 'nulls', configMap: null }] });
    defaultPodConfig(s);
    expect(s.volumes).toEqual([{ name: 'bare', emptyDir: {} }, { name: 'nulls', configMap: null, emptyDir: {} }]);
  });

  it('runs in defaultPod, and in the pod templates of workloads', () => {
    const pod = defaultPod({ spec: spec({ env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }, { volumes: [{ name: 'c', configMap: { name: 'app' } }] }) });
    expect(pod.spec.volumes[0].configMap.defaultMode).toBe(420);
    expect(pod.spec.containers[0].env[0].valueFrom.fieldRef.apiVersion).toBe('v1');
    const d = defaultDeployment({ spec: { selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec: spec({}, { volumes: [{ name: 's', secret: { secretName: 'x' } }] }) } } });
    expect(d.spec.template.spec.volumes[0].secret.defaultMode).toBe(420);
  });

  it('leaves what is not a spec alone', () => {
    expect(() => defaultPodConfig(undefined)).not.toThrow();
    expect(() => defaultPodConfig({ containers: [{ env: [{ name: 'x', valueFrom: null }] }], volumes: [null, { name: 'x', projected: { sources: [null] } }] })).not.toThrow();
  });
});

describe('validatePodConfig', () => {
  it('checks a generic ephemeral volume as kube-apiserver does: a template, only labels and annotations, a claim spec', () => {
    const ephemeral = (source: any) => validatePodConfig({ containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'work', ephemeral: source }] });
    expect(ephemeral({})).toEqual([expect.objectContaining({ field: 'spec.volumes[0].ephemeral.volumeClaimTemplate', reason: 'FieldValueRequired' })]);
    const causes = ephemeral({ volumeClaimTemplate: { metadata: { name: 'x', labels: { a: 'b' } }, spec: { resources: { requests: { storage: '-1Gi' } } } } });
    expect(causes.map((c) => `${c.field}: ${c.message}`)).toEqual([
      'spec.volumes[0].ephemeral.volumeClaimTemplate.metadata.name: Forbidden: cannot be set for an ephemeral volume',
      'spec.volumes[0].ephemeral.volumeClaimTemplate.spec.accessModes: Required value: at least 1 access mode is required',
      'spec.volumes[0].ephemeral.volumeClaimTemplate.spec.resources[storage]: Invalid value: "-1Gi": must be greater than or equal to 0',
    ]);
  });

  it('finds nothing wrong with a pod using every feature, before and after defaulting, nor in validatePod', () => {
    expect(validatePodConfig(complete())).toEqual([]);
    const s = complete();
    defaultPodConfig(s);
    expect(validatePodConfig(s)).toEqual([]);
    expect(validatePod(defaultPod({ spec: complete() }))).toEqual([]);
  });

  describe('env', () => {
    it('requires a name, of printable ASCII other than =', () => {
      expect(env({ value: 'x' }, { name: '', value: 'x' })).toEqual([required('spec.containers[0].env[0].name'), required('spec.containers[0].env[1].name')]);
      expect(env({ name: 'A=B' }, { name: 'tab\there' }, { name: 'é' }, { name: 'del\x7f' })).toEqual([
        invalid('spec.containers[0].env[0].name', '"A=B"', ENV_NAME_MSG),
        invalid('spec.containers[0].env[1].name', '"tab\\there"', ENV_NAME_MSG),
        invalid('spec.containers[0].env[2].name', '"é"', ENV_NAME_MSG),
        invalid('spec.containers[0].env[3].name', '"del\\x7f"', ENV_NAME_MSG),
      ]);
      expect(env({ name: '1x' }, { name: 'a b' }, { name: '~!@#$%^&*()' })).toEqual([]);
    });

    it('takes value or valueFrom, and valueFrom from exactly one source', () => {
      const at = 'spec.containers[0].env[0].valueFrom';
      expect(env({ name: 'X', value: 'v', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } })).toEqual([invalid(at, '""', 'may not be specified when `value` is not empty')]);
      expect(env({ name: 'X', valueFrom: {} })).toEqual([invalid(at, '""', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`')]);
      expect(env({ name: 'X', valueFrom: { configMapKeyRef: { name: 'a', key: 'k' }, secretKeyRef: { name: 's', key: 'k' } } })).toEqual([
        invalid(at, '""', 'may not have more than one field specified at a time'),
      ]);
      expect(env({ name: 'X', valueFrom: { fieldRef: { fieldPath: 'metadata.name' }, resourceFieldRef: { resource: 'limits.cpu' } } })[0].message).toBe(
        'Invalid value: "": may not have more than one field specified at a time',
      );
      expect(env({ name: 'X', valueFrom: null }, { name: 'Y', value: '' })).toEqual([]);
    });

    it('needs a ConfigMap or Secret name and a config key', () => {
      const cm = 'spec.containers[0].env[0].valueFrom.configMapKeyRef';
      expect(env({ name: 'X', valueFrom: { configMapKeyRef: {} } })).toEqual([invalid(`${cm}.name`, '""', SUBDOMAIN_MSG), required(`${cm}.key`)]);
      expect(env({ name: 'X', valueFrom: { configMapKeyRef: { name: 'Bad_Name', key: 'a/b' } } })).toEqual([invalid(`${cm}.name`, '"Bad_Name"', SUBDOMAIN_MSG), invalid(`${cm}.key`, '"a/b"', CONFIG_KEY_MSG)]);
      const sk = 'spec.containers[0].env[0].valueFrom.secretKeyRef';
      expect(env({ name: 'X', valueFrom: { secretKeyRef: { name: 'creds' } } })).toEqual([required(`${sk}.key`)]);
      expect(env({ name: 'X', valueFrom: { secretKeyRef: { key: 'k' } } })).toEqual([invalid(`${sk}.name`, '""', SUBDOMAIN_MSG)]);
      const key = (k: string) => env({ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: k } } }).map((c) => c.message);
      expect(key('.')).toEqual(['Invalid value: ".": must not be \'.\'']);
      expect(key('..')).toEqual(['Invalid value: "..": must not be \'..\'']);
      expect(key('..data')).toEqual(['Invalid value: "..data": must not start with \'..\'']);
      expect(key('k'.repeat(254))).toEqual([`Invalid value: "${'k'.repeat(254)}": must be no more than 253 characters`]);
      expect(key('.hidden')).toEqual([]);
      expect(key('KEY_name-1.txt')).toEqual([]);
    });

    it('reads only the fields the downward API gives env vars', () => {
      const at = 'spec.containers[0].env[0].valueFrom.fieldRef';
      const ref = (fieldRef: any) => env({ name: 'X', valueFrom: { fieldRef } });
      expect(ref({})).toEqual([required(`${at}.fieldPath`)]);
      expect(ref({ fieldPath: 'metadata.labels' })).toEqual([notSupported(`${at}.fieldPath`, 'metadata.labels', ENV_PATHS)]);
      expect(ref({ fieldPath: 'status.phase' })).toEqual([notSupported(`${at}.fieldPath`, 'status.phase', ENV_PATHS)]);
      expect(ref({ fieldPath: 'spec.containers' })).toEqual([invalid(`${at}.fieldPath`, '"spec.containers"', 'error converting fieldPath: field label not supported: spec.containers')]);
      expect(ref({ fieldPath: "spec.nodeName['x']" })).toEqual([
        invalid(`${at}.fieldPath`, '"spec.nodeName[\'x\']"', "error converting fieldPath: field label does not support subscript: spec.nodeName['x']"),
      ]);
      expect(ref({ apiVersion: 'v2', fieldPath: 'metadata.name' })).toEqual([invalid(`${at}.fieldPath`, '"metadata.name"', 'error converting fieldPath: unsupported pod version: v2')]);
      expect(ref({ fieldPath: "metadata.labels['bad key']" })).toEqual([
        invalid(at, '"bad key"', `name part ${QUALIFIED_NAME_MSG}`),
      ]);
      expect(ref({ fieldPath: "metadata.annotations['Bad_Prefix.com/k']" })).toEqual([invalid(at, '"bad_prefix.com/k"', `prefix part ${SUBDOMAIN_MSG}`)]);
      expect(ref({ fieldPath: "metadata.labels['/']" }).map((c) => c.message)).toEqual([
        'Invalid value: "/": prefix part must be non-empty',
        'Invalid value: "/": name part must be non-empty',
        `Invalid value: "/": name part ${QUALIFIED_NAME_MSG}`,
      ]);
      expect(ref({ fieldPath: "metadata.labels['a/b/c']" }).map((c) => c.message)).toEqual([
        `Invalid value: "a/b/c": a qualified name ${QUALIFIED_NAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
      ]);
      expect(ref({ fieldPath: `metadata.labels['${'n'.repeat(64)}']` }).map((c) => c.message)).toEqual([`Invalid value: "${'n'.repeat(64)}": name part must be no more than 63 characters`]);
      expect(ref({ apiVersion: 'v1', fieldPath: 'spec.host' })).toEqual([]);
    });

    it('reads only container resources, of a container of the pod, with divisors that suit them', () => {
      const at = 'spec.containers[0].env[0].valueFrom.resourceFieldRef';
      const ref = (resourceFieldRef: any) => env({ name: 'X', valueFrom: { resourceFieldRef } });
      expect(ref({})).toEqual([required(`${at}.resource`)]);
      expect(ref({ resource: 'limits.gpu' })).toEqual([notSupported(`${at}.resource`, 'limits.gpu', RESOURCES)]);
      expect(ref({ resource: 'requests.hugepages-1Gi' })).toEqual([]);
      expect(ref({ containerName: 'sidecar', resource: 'limits.cpu' })).toEqual([notFound(`${at}.containerName`, 'sidecar')]);
      expect(ref({ resource: 'limits.cpu', divisor: '1Mi' })).toEqual([invalid(`${at}.divisor`, '"limits.cpu"', "only divisor's values 1m and 1 are supported with the cpu resource")]);
      expect(ref({ resource: 'requests.cpu', divisor: '2' })[0].message).toBe('Invalid value: "requests.cpu": only divisor\'s values 1m and 1 are supported with the cpu resource');
      expect(ref({ resource: 'limits.memory', divisor: '3' })).toEqual([invalid(`${at}.divisor`, '"limits.memory"', `only divisor's values ${BYTE_DIVISORS} are supported with the memory resource`)]);
      expect(ref({ resource: 'limits.memory', divisor: '1m' })).toHaveLength(1);
      expect(ref({ resource: 'limits.memory', divisor: '1e3' })).toHaveLength(1); // prints as 1e3, not 1k
      expect(ref({ resource: 'limits.memory', divisor: '1024' })).toHaveLength(1); // prints as 1024, not 1Ki
      expect(ref({ resource: 'requests.ephemeral-storage', divisor: '10Mi' })).toEqual([
        invalid(`${at}.divisor`, '"requests.ephemeral-storage"', `only divisor's values ${BYTE_DIVISORS} are supported with the local ephemeral storage resource`),
      ]);
      expect(ref({ resource: 'limits.hugepages-2Mi', divisor: '1m' })).toEqual([invalid(`${at}.divisor`, '"limits.hugepages-2Mi"', `only divisor's values ${BYTE_DIVISORS} are supported with the hugepages resource`)]);
      expect(ref({ resource: 'limits.cpu', divisor: 'lots' })).toEqual([
        invalid(`${at}.divisor`, '"lots"', "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
      ]);
      for (const divisor of ['1m', '1', '0.001', '1000m', '1e0', 1, '0']) expect(ref({ resource: 'limits.cpu', divisor })).toEqual([]);
      for (const divisor of ['1', '1k', '1000', '1M', '1G', '1T', '1P', '1E', '1Ki', '1024Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei']) {
        expect(ref({ resource: 'requests.memory', divisor })).toEqual([]);
      }
    });

    it('validates init containers too', () => {
      expect(validatePodConfig(spec({}, { initContainers: [{ name: 'init', image: 'x', env: [{ name: 'X', valueFrom: {} }] }] }))).toEqual([
        invalid('spec.initContainers[0].env[0].valueFrom', '""', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'),
      ]);
    });
  });

  describe('envFrom', () => {
    it('takes exactly one of configMapRef or secretRef (named by the list, as kube-apiserver does)', () => {
      expect(envFrom({ prefix: 'P_' })).toEqual([invalid('spec.containers[0].envFrom', '""', 'must specify one of: `configMapRef` or `secretRef`')]);
      expect(envFrom({ configMapRef: { name: 'a' }, secretRef: { name: 'b' } })).toEqual([invalid('spec.containers[0].envFrom', '""', 'may not have more than one field specified at a time')]);
    });

    it('needs a valid name (a trailing dash allowed) and a valid prefix', () => {
      expect(envFrom({ configMapRef: {} }, { secretRef: { name: '' } })).toEqual([required('spec.containers[0].envFrom[0].configMapRef.name'), required('spec.containers[0].envFrom[1].secretRef.name')]);
      expect(envFrom({ secretRef: { name: 'Creds' } })).toEqual([invalid('spec.containers[0].envFrom[0].secretRef.name', '"Creds"', SUBDOMAIN_MSG)]);
      expect(envFrom({ prefix: 'A=', configMapRef: { name: 'a' } })).toEqual([invalid('spec.containers[0].envFrom[0].prefix', '"A="', ENV_NAME_MSG)]);
      expect(envFrom({ prefix: '1', configMapRef: { name: 'app-' } }, { prefix: '', secretRef: { name: 'x.y' } })).toEqual([]);
    });
  });

  describe('volumes', () => {
    it('needs unique DNS-1123 label names', () => {
      const s = spec({}, { volumes: [{ emptyDir: {} }, { name: 'Bad', emptyDir: {} }, { name: 'a.b', emptyDir: {} }, { name: 'x', emptyDir: {} }, { name: 'x', emptyDir: {} }, { name: 'y'.repeat(64), emptyDir: {} }] });
      expect(validatePodConfig(s)).toEqual([
        required('spec.volumes[0].name'),
        invalid('spec.volumes[1].name', '"Bad"', LABEL_MSG),
        invalid('spec.volumes[2].name', '"a.b"', 'must not contain dots'),
        { field: 'spec.volumes[4].name', reason: 'FieldValueDuplicate', message: 'Duplicate value: "x"' },
        invalid('spec.volumes[5].name', `"${'y'.repeat(64)}"`, 'must be no more than 63 characters'),
      ]);
    });

    it('lets a StatefulSet\'s claim volume of a duplicated claim template name through (said on volumeClaimTemplates)', () => {
      const claim = { name: 'data', persistentVolumeClaim: { claimName: 'data' } };
      expect(validatePodConfig(spec({}, { volumes: [{ ...claim }, { ...claim }] }))).toEqual([]);
      expect(validatePodConfig(spec({}, { volumes: [{ ...claim }, { name: 'data', persistentVolumeClaim: { claimName: 'other' } }] }))).toEqual([
        { field: 'spec.volumes[1].name', reason: 'FieldValueDuplicate', message: 'Duplicate value: "data"' },
      ]);
    });

    it('needs exactly one source', () => {
      expect(volume({})).toEqual([required('spec.volumes[0]', 'must specify a volume type')]);
      expect(volume({ emptyDir: {}, secret: { secretName: 's' } })).toEqual([forbidden('spec.volumes[0].secret', 'may not specify more than 1 volume type')]);
      expect(volume({ configMap: { name: 'c' }, projected: { sources: [] }, emptyDir: {} })).toEqual([
        forbidden('spec.volumes[0].configMap', 'may not specify more than 1 volume type'),
        forbidden('spec.volumes[0].projected', 'may not specify more than 1 volume type'),
      ]);
      // kube-apiserver's own spelling for this one.
      expect(volume({ secret: { secretName: 's' }, downwardAPI: {} })).toEqual([forbidden('spec.volumes[0].downwarAPI', 'may not specify more than 1 volume type')]);
    });

    it('needs the ConfigMap, Secret or claim named', () => {
      expect(volume({ configMap: {} })).toEqual([required('spec.volumes[0].configMap.name')]);
      expect(volume({ secret: { name: 'wrong-field' } })).toEqual([required('spec.volumes[0].secret.secretName')]);
      expect(volume({ persistentVolumeClaim: {} })).toEqual([required('spec.volumes[0].persistentVolumeClaim.claimName')]);
    });

    it('needs items with a key and a relative path without ..', () => {
      const items = (...list: any[]) => volume({ configMap: { name: 'c', items: list } });
      expect(items({})).toEqual([required('spec.volumes[0].configMap.items[0].key'), required('spec.volumes[0].configMap.items[0].path')]);
      expect(items({ key: 'k', path: '/etc/passwd' })).toEqual([invalid('spec.volumes[0].configMap.items[0].path', '"/etc/passwd"', 'must be a relative path')]);
      expect(items({ key: 'k', path: '../escape' })).toEqual([invalid('spec.volumes[0].configMap.items[0].path', '"../escape"', "must not contain '..'")]);
      expect(items({ key: 'k', path: 'a/../../b' })).toEqual([invalid('spec.volumes[0].configMap.items[0].path', '"a/../../b"', "must not contain '..'")]);
      expect(items({ key: 'k', path: '..data' })).toEqual([invalid('spec.volumes[0].configMap.items[0].path', '"..data"', "must not start with '..'")]);
      expect(items({ key: 'k', path: '..' })).toEqual([
        invalid('spec.volumes[0].configMap.items[0].path', '".."', "must not contain '..'"),
        invalid('spec.volumes[0].configMap.items[0].path', '".."', "must not start with '..'"),
      ]);
      expect(volume({ secret: { secretName: 's', items: [{ key: 'k', path: '/abs/../x' }] } })).toEqual([
        invalid('spec.volumes[0].secret.items[0].path', '"/abs/../x"', 'must be a relative path'),
        invalid('spec.volumes[0].secret.items[0].path', '"/abs/../x"', "must not contain '..'"),
      ]);
      expect(items({ key: 'k', path: 'a..b/.c/d..' })).toEqual([]);
    });

    it('takes file modes from 0 to 0777', () => {
      expect(volume({ configMap: { name: 'c', defaultMode: 1000 } })).toEqual([invalid('spec.volumes[0].configMap.defaultMode', '1000', MODE_MSG)]);
      expect(volume({ secret: { secretName: 's', defaultMode: -1, items: [{ key: 'k', path: 'p', mode: 512 }] } })).toEqual([
        invalid('spec.volumes[0].secret.defaultMode', '-1', MODE_MSG),
        invalid('spec.volumes[0].secret.items[0].mode', '512', MODE_MSG),
      ]);
      expect(volume({ downwardAPI: { defaultMode: 0o1000 } })).toEqual([invalid('spec.volumes[0].downwardAPI.defaultMode', '512', MODE_MSG)]);
      expect(volume({ projected: { defaultMode: '0644', sources: [] } })).toEqual([invalid('spec.volumes[0].projected.defaultMode', '"0644"', MODE_MSG)]);
      expect(volume({ configMap: { name: 'c', defaultMode: 0o777, items: [{ key: 'k', path: 'p', mode: 0 }] } })).toEqual([]);
    });

    it('refuses a negative emptyDir size', () => {
      expect(volume({ emptyDir: { sizeLimit: '-1Gi' } })).toEqual([forbidden('spec.volumes[0].emptyDir.sizeLimit', 'SizeLimit field must be a valid resource quantity')]);
    });

    describe('hostPath', () => {
      const TYPES = '"", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"';

      it('takes any path without a `..` element, relative ones too, and every type kubelet checks', () => {
        for (const type of [undefined, '', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice']) {
          expect(volume({ hostPath: { path: '/var/log', ...(type === undefined ? {} : { type }) } })).toEqual([]);
        }
        expect(volume({ hostPath: { path: 'data/..x' } })).toEqual([]);
      });

      it('needs a path, and says nothing more of a volume without one', () => {
        expect(volume({ hostPath: {} })).toEqual([required('spec.volumes[0].hostPath.path')]);
        expect(volume({ hostPath: { path: '', type: 'Dir' } })).toEqual([required('spec.volumes[0].hostPath.path')]);
      });

      it('refuses a `..` element once, and a type kubelet does not know', () => {
        expect(volume({ hostPath: { path: '/a/../../b' } })).toEqual([invalid('spec.volumes[0].hostPath.path', '"/a/../../b"', "must not contain '..'")]);
        expect(volume({ hostPath: { path: '/a', type: 'Dir' } })).toEqual([notSupported('spec.volumes[0].hostPath.type', 'Dir', TYPES)]);
      });

      it('is the first source kube-apiserver counts', () => {
        expect(volume({ emptyDir: {}, hostPath: { path: '/a' } })).toEqual([forbidden('spec.volumes[0].emptyDir', 'may not specify more than 1 volume type')]);
      });

      it('defaults the type to the empty one', () => {
        const s = spec({}, { volumes: [{ name: 'h', hostPath: { path: '/a' } }, { name: 'd', hostPath: { path: '/b', type: 'Directory' } }] });
        defaultPodConfig(s);
        expect(s.volumes.map((v: any) => v.hostPath)).toEqual([{ path: '/a', type: '' }, { path: '/b', type: 'Directory' }]);
      });
    });

    describe('downwardAPI', () => {
      // kube-apiserver names the volume source, not the item, in what it says of an item.
      const at = 'spec.volumes[0].downwardAPI';
      const items = (...list: any[]) => validatePodConfig(spec({}, { volumes: [{ name: 'v', downwardAPI: { items: list } }] }));

      it('needs a relative path and exactly one of fieldRef or resourceFieldRef', () => {
        expect(items({ fieldRef: { fieldPath: 'metadata.name' } })).toEqual([required(`${at}.path`)]);
        expect(items({ path: '/abs', fieldRef: { fieldPath: 'metadata.name' } })).toEqual([invalid(`${at}.path`, '"/abs"', 'must be a relative path')]);
        expect(items({ path: 'x/../..y', fieldRef: { fieldPath: 'metadata.name' } })).toEqual([invalid(`${at}.path`, '"x/../..y"', "must not contain '..'")]);
        expect(items({ path: 'p' })).toEqual([required(at, 'one of fieldRef and resourceFieldRef is required')]);
        expect(items({ path: 'p', fieldRef: { fieldPath: 'metadata.name' }, resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' } })).toEqual([
          invalid(at, '"resource"', 'fieldRef and resourceFieldRef can not be specified simultaneously'),
        ]);
        expect(items({ path: 'p', fieldRef: { fieldPath: 'metadata.name' }, mode: 0o1777 })).toEqual([invalid(`${at}.mode`, '1023', MODE_MSG)]);
      });

      it('reads only the pod fields a volume may', () => {
        expect(items({ path: 'p', fieldRef: { fieldPath: 'spec.nodeName' } })).toEqual([notSupported(`${at}.fieldRef.fieldPath`, 'spec.nodeName', VOLUME_PATHS)]);
        expect(items({ path: 'p', fieldRef: { fieldPath: 'status.podIP' } })).toEqual([notSupported(`${at}.fieldRef.fieldPath`, 'status.podIP', VOLUME_PATHS)]);
        expect(items({ path: 'p', fieldRef: { fieldPath: 'spec.host' } })).toEqual([notSupported(`${at}.fieldRef.fieldPath`, 'spec.nodeName', VOLUME_PATHS)]);
        expect(items({ path: 'p', fieldRef: { fieldPath: 'metadata.generation' } })).toEqual([
          invalid(`${at}.fieldRef.fieldPath`, '"metadata.generation"', 'error converting fieldPath: field label not supported: metadata.generation'),
        ]);
        expect(items({ path: 'a', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'b', fieldRef: { fieldPath: "metadata.annotations['x']" } })).toEqual([]);
      });

      it('needs a resourceFieldRef to name its container, one of the pod', () => {
        expect(items({ path: 'p', resourceFieldRef: { resource: 'limits.cpu' } })).toEqual([required(`${at}.resourceFieldRef.containerName`)]);
        expect(items({ path: 'p', resourceFieldRef: { containerName: 'nope', resource: 'limits.cpu' } })).toEqual([notFound(`${at}.resourceFieldRef.containerName`, 'nope')]);
        expect(items({ path: 'p', resourceFieldRef: { containerName: 'app', resource: 'cpu' } })).toEqual([notSupported(`${at}.resourceFieldRef.resource`, 'cpu', RESOURCES)]);
        expect(items({ path: 'p', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1m' } })).toEqual([
          invalid(`${at}.resourceFieldRef.divisor`, '"limits.memory"', `only divisor's values ${BYTE_DIVISORS} are supported with the memory resource`),
        ]);
      });
    });

    describe('projected', () => {
      const at = 'spec.volumes[0].projected';
      const sources = (...list: any[]) => volume({ projected: { sources: list } });

      it('takes one kind per source, and allows an empty one', () => {
        expect(sources({ configMap: { name: 'a' }, secret: { name: 'b' } })).toEqual([forbidden(`${at}.sources[0]`, 'may not specify more than 1 volume type per source')]);
        expect(sources({}, { downwardAPI: {} })).toEqual([]);
      });

      it('refuses clusterTrustBundle sources, which this server cannot fill', () => {
        expect(sources({ clusterTrustBundle: { signerName: 'example.com/x', path: 'ca.crt' } })).toEqual([
          forbidden(`${at}.sources[0].clusterTrustBundle`, 'ClusterTrustBundle projections are not supported by this server'),
        ]);
      });

      it('needs names, keys and relative paths in configMap, secret and downwardAPI sources', () => {
        expect(sources({ configMap: { items: [{ key: 'k', path: '/p' }] } }, { secret: { items: [{ path: 'q' }] } }, { downwardAPI: { items: [{ path: '..x', fieldRef: { fieldPath: 'metadata.name' } }] } })).toEqual([
          required(`${at}.sources[0].configMap.name`),
          invalid(`${at}.sources[0].configMap.items[0].path`, '"/p"', 'must be a relative path'),
          required(`${at}.sources[1].secret.name`),
          required(`${at}.sources[1].secret.items[0].key`),
          invalid(`${at}.sources[2].downwardAPI.path`, '"..x"', "must not start with '..'"),
        ]);
      });

      it('refuses two sources writing one path', () => {
        expect(sources({ configMap: { name: 'cm', items: [{ key: 'a', path: 'x' }] } }, { secret: { name: 'sec', items: [{ key: 'b', path: 'x' }] } })).toEqual([
          invalid(at, '"sec"', 'conflicting duplicate paths'),
        ]);
        expect(sources({ secret: { name: 'sec', items: [{ key: 'a', path: 'x' }] } }, { downwardAPI: { items: [{ path: 'x', fieldRef: { fieldPath: 'metadata.name' } }] } })).toEqual([
          invalid(at, '"x"', 'conflicting duplicate paths'),
        ]);
        expect(sources({ configMap: { name: 'cm', items: [{ key: 'a', path: 'x' }, { key: 'b', path: 'x' }] } })).toEqual([invalid(at, '"cm"', 'conflicting duplicate paths')]);
      });

      it('needs a token a path and a lifetime from ten minutes to 2^32 seconds', () => {
        // kube-apiserver names the volume's path, not the token's.
        expect(sources({ serviceAccountToken: {} })).toEqual([required(`${at}.path`)]);
        expect(sources({ serviceAccountToken: { path: '/token' } })).toEqual([invalid(`${at}.path`, '"/token"', 'must be a relative path')]);
        expect(sources({ serviceAccountToken: { path: 't', expirationSeconds: 599 } })).toEqual([
          invalid(`${at}.sources[0].serviceAccountToken.expirationSeconds`, '599', 'may not specify a duration less than 10 minutes'),
        ]);
        expect(sources({ serviceAccountToken: { path: 't', expirationSeconds: 2 ** 32 + 1 } })).toEqual([
          invalid(`${at}.sources[0].serviceAccountToken.expirationSeconds`, '4294967297', 'may not specify a duration larger than 2^32 seconds'),
        ]);
        expect(sources({ serviceAccountToken: { path: 't', expirationSeconds: 600 } }, { serviceAccountToken: { path: 'u' } })).toEqual([]);
      });
    });
  });

  describe('volumeMounts', () => {
    it('needs a name of a volume of the pod, in containers and init containers', () => {
      expect(mounts([{ name: '', mountPath: '/a' }, { name: 'nope', mountPath: '/b' }])).toEqual([
        required('spec.containers[0].volumeMounts[0].name'),
        notFound('spec.containers[0].volumeMounts[0].name', ''),
        notFound('spec.containers[0].volumeMounts[1].name', 'nope'),
      ]);
      const s = spec({}, { volumes: [{ name: 'v', emptyDir: {} }], initContainers: [{ name: 'i', image: 'x', volumeMounts: [{ name: 'w', mountPath: '/w' }] }] });
      expect(validatePodConfig(s)).toEqual([notFound('spec.initContainers[0].volumeMounts[0].name', 'w')]);
    });

    it('counts a volume with errors as no volume, as kube-apiserver does', () => {
      expect(mounts([{ name: 'c', mountPath: '/c' }], [{ name: 'c', configMap: {} }])).toEqual([required('spec.volumes[0].configMap.name'), notFound('spec.containers[0].volumeMounts[0].name', 'c')]);
    });

    it('needs a mountPath, one per mount of the container (relative ones are not refused, as in kube-apiserver)', () => {
      expect(mounts([{ name: 'v', mountPath: '' }])).toEqual([required('spec.containers[0].volumeMounts[0].mountPath')]);
      expect(mounts([{ name: 'v', mountPath: '/a' }, { name: 'v', mountPath: '/a' }])).toEqual([invalid('spec.containers[0].volumeMounts[1].mountPath', '"/a"', 'must be unique')]);
      expect(mounts([{ name: 'v', mountPath: 'rel' }, { name: 'v', mountPath: '/rel' }])).toEqual([]);
      const twoContainers = spec({ volumeMounts: [{ name: 'v', mountPath: '/a' }] }, { volumes: [{ name: 'v', emptyDir: {} }] });
      twoContainers.containers.push({ name: 'b', image: 'x', volumeMounts: [{ name: 'v', mountPath: '/a' }] } as any);
      expect(validatePodConfig(twoContainers)).toEqual([]);
    });

    it('needs a relative subPath without .. (named by the list, as kube-apiserver does)', () => {
      expect(mounts([{ name: 'v', mountPath: '/a', subPath: '/abs' }, { name: 'v', mountPath: '/b', subPath: 'a/../b' }])).toEqual([
        invalid('spec.containers[0].volumeMounts.subPath', '"/abs"', 'must be a relative path'),
        invalid('spec.containers[0].volumeMounts.subPath', '"a/../b"', "must not contain '..'"),
      ]);
      expect(mounts([{ name: 'v', mountPath: '/a', subPath: '..data' }])).toEqual([]);
    });

    it('takes a subPathExpr alone, relative and without .., its exclusion naming the mount and its path the list', () => {
      expect(mounts([{ name: 'v', mountPath: '/a', subPathExpr: '$(POD_NAME)/logs' }])).toEqual([]);
      expect(mounts([{ name: 'v', mountPath: '/a', subPath: 'x', subPathExpr: '$(POD_NAME)' }])).toEqual([
        invalid('spec.containers[0].volumeMounts[0].subPathExpr', '"$(POD_NAME)"', 'subPathExpr and subPath are mutually exclusive'),
      ]);
      expect(mounts([{ name: 'v', mountPath: '/a', subPath: '/x', subPathExpr: '/$(A)/../b' }])).toEqual([
        invalid('spec.containers[0].volumeMounts.subPath', '"/x"', 'must be a relative path'),
        invalid('spec.containers[0].volumeMounts[0].subPathExpr', '"/$(A)/../b"', 'subPathExpr and subPath are mutually exclusive'),
        invalid('spec.containers[0].volumeMounts.subPathExpr', '"/$(A)/../b"', 'must be a relative path'),
        invalid('spec.containers[0].volumeMounts.subPathExpr', '"/$(A)/../b"', "must not contain '..'"),
      ]);
      // An empty one is no expression (Go's zero value), beside a subPath or not.
      expect(mounts([{ name: 'v', mountPath: '/a', subPath: 'x', subPathExpr: '' }])).toEqual([]);
    });
  });

  describe('in pod templates', () => {
    it('puts the fields under the path given', () => {
      expect(validatePodConfig(spec({ env: [{ name: 'X', valueFrom: {} }] }, { volumes: [{ name: 'v' }] }), 'spec.template.spec')).toEqual([
        required('spec.template.spec.volumes[0]', 'must specify a volume type'),
        invalid('spec.template.spec.containers[0].env[0].valueFrom', '""', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'),
      ]);
    });

    it('refuses a Deployment or CronJob whose template is wrong, naming the template field', () => {
      const template = (volumes: any[]) => ({ metadata: { labels: { app: 'w' } }, spec: spec({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'a', key: 'k' }, secretKeyRef: { name: 's', key: 'k' } } }] }, { volumes }) });
      const d = defaultDeployment({ metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'w' } }, template: template([{ name: 'v', configMap: { name: 'c', items: [{ key: 'k', path: '../x' }] } }]) } });
      expect(validateDeployment(d)).toEqual([
        invalid('spec.template.spec.volumes[0].configMap.items[0].path', '"../x"', "must not contain '..'"),
        invalid('spec.template.spec.containers[0].env[0].valueFrom', '""', 'may not have more than one field specified at a time'),
      ]);
      const jobTemplate = template([{ name: 'bare' }]);
      jobTemplate.spec.restartPolicy = 'Never';
      const cj = defaultCronJob({ metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: jobTemplate } } } });
      expect(cj.spec.jobTemplate.spec.template.spec.volumes[0]).toEqual({ name: 'bare', emptyDir: {} });
      expect(validateCronJob(cj)).toEqual([invalid('spec.jobTemplate.spec.template.spec.containers[0].env[0].valueFrom', '""', 'may not have more than one field specified at a time')]);
    });
  });

  it('reaches a Pod through validatePod, after the rules of the containers', () => {
    const pod = defaultPod({ spec: spec({ image: '', volumeMounts: [{ name: 'gone', mountPath: '/g' }] }) });
    expect(validatePod(pod)).toEqual([
      required('spec.containers[0].image'),
      notFound('spec.containers[0].volumeMounts[0].name', 'gone'),
    ]);
  });
});
