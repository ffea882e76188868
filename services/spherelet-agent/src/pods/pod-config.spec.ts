import { goQuote } from '@openpacific/kube-api';
import { ConfigSources, containerEnv, expandVars, formatMap, HostAllocatable, isEnvVarName, volumeFiles, VolumeFile } from './pod-config';

const b64 = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s).toString('base64');
const text = (data: string) => Buffer.from(data, 'base64').toString('utf8');

const GI = 2 ** 30;
const allocatable: HostAllocatable = { cpuMillis: 4000, memoryBytes: 8 * GI, ephemeralStorageBytes: 100 * GI };

function sources(objects: { configMaps?: any[]; secrets?: any[] } = {}): ConfigSources & { calls: string[] } {
  const calls: string[] = [];
  const find = (list: any[] | undefined, namespace: string, name: string) =>
    (list ?? []).find((o) => o.metadata.namespace === namespace && o.metadata.name === name);
  return {
    calls,
    configMap: (namespace, name) => {
      calls.push(`configmap ${namespace}/${name}`);
      return find(objects.configMaps, namespace, name);
    },
    secret: (namespace, name) => {
      calls.push(`secret ${namespace}/${name}`);
      return find(objects.secrets, namespace, name);
    },
  };
}
const configMap = (name: string, data: Record<string, string> = {}, binaryData?: Record<string, string>, namespace = 'ns') => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data, ...(binaryData ? { binaryData } : {}),
});
const secret = (name: string, data: Record<string, string> = {}, stringData?: Record<string, string>, namespace = 'ns') => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])), ...(stringData ? { stringData } : {}),
});

function pod(containers: any[], extra: { spec?: any; metadata?: any; status?: any } = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'ns', uid: 'uid-123', labels: { app: 'web', tier: 'front' }, annotations: { note: 'hi' }, ...extra.metadata },
    spec: { nodeName: 'host-1', serviceAccountName: 'builder', containers, ...extra.spec },
    status: { ...extra.status },
  };
}

/** containerEnv for a pod with this one container (named `main`), as a name→value list. */
function envOf(container: any, src: ConfigSources = sources(), ctx: Partial<Parameters<typeof containerEnv>[3]> = {}, p?: any) {
  const c = { name: 'main', image: 'busybox', ...container };
  return containerEnv(p ?? pod([c]), c, src, { allocatable, ...ctx });
}
function values(r: ReturnType<typeof containerEnv>): [string, string][] {
  if (!r.ok) throw new Error(`expected ok, got ${r.message}`);
  return r.value.map((e) => [e.name, e.value]);
}
function value(r: ReturnType<typeof containerEnv>, name: string): string | undefined {
  return values(r).find(([n]) => n === name)?.[1];
}

describe('containerEnv', () => {
  describe('configMapKeyRef and secretKeyRef', () => {
    const src = sources({
      configMaps: [configMap('app', { greeting: 'hello', empty: '' }, { blob: b64('binary') })],
      secrets: [secret('creds', { password: 'pässwörd ✓', user: 'admin' }, { user: 'root', token: 'from-stringData' })],
    });

    it('reads a ConfigMap value and a base64-decoded (utf8) Secret value', () => {
      const r = envOf({
        env: [
          { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'app', key: 'greeting' } } },
          { name: 'EMPTY', valueFrom: { configMapKeyRef: { name: 'app', key: 'empty' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
        ],
      }, src);
      expect(values(r)).toEqual([['GREETING', 'hello'], ['EMPTY', ''], ['PASSWORD', 'pässwörd ✓']]);
    });

    it("treats a Secret's stringData as data, stringData winning", () => {
      const r = envOf({
        env: [
          { name: 'USER', valueFrom: { secretKeyRef: { name: 'creds', key: 'user' } } },
          { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
        ],
      }, src);
      expect(values(r)).toEqual([['USER', 'root'], ['TOKEN', 'from-stringData']]);
    });

    it('fails with kubelet\'s messages for a missing object or key that is not optional', () => {
      expect(envOf({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }, src)).toEqual({ ok: false, message: 'configmap "nope" not found' });
      expect(envOf({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'app', key: 'k', optional: false } } }] }, src)).toEqual({ ok: false, message: "couldn't find key k in ConfigMap ns/app" });
      expect(envOf({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }, src)).toEqual({ ok: false, message: 'secret "nope" not found' });
      expect(envOf({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }] }, src)).toEqual({ ok: false, message: "couldn't find key k in Secret ns/creds" });
    });

    it('does not read binaryData for a configMapKeyRef, as kubelet does not', () => {
      expect(envOf({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'app', key: 'blob' } } }] }, src)).toEqual({ ok: false, message: "couldn't find key blob in ConfigMap ns/app" });
    });

    it('skips an optional variable whose object or key is missing, leaving an earlier value of its name alone', () => {
      const r = envOf({
        envFrom: [{ configMapRef: { name: 'app' } }],
        env: [
          { name: 'greeting', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } },
          { name: 'A', valueFrom: { configMapKeyRef: { name: 'app', key: 'k', optional: true } } },
          { name: 'B', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } },
          { name: 'C', valueFrom: { secretKeyRef: { name: 'creds', key: 'k', optional: true } } },
        ],
      }, src);
      expect(values(r)).toEqual([['greeting', 'hello'], ['empty', '']]);
    });

    it('looks each object up once for the container', () => {
      const counted = sources({ configMaps: [configMap('app', { a: '1', b: '2' })] });
      envOf({
        envFrom: [{ configMapRef: { name: 'app' } }],
        env: [
          { name: 'A', valueFrom: { configMapKeyRef: { name: 'app', key: 'a' } } },
          { name: 'B', valueFrom: { configMapKeyRef: { name: 'app', key: 'b' } } },
        ],
      }, counted);
      expect(counted.calls).toEqual(['configmap ns/app']);
    });

    it('looks objects up in the pod namespace', () => {
      const other = sources({ configMaps: [configMap('app', { a: 'elsewhere' }, undefined, 'other')] });
      expect(envOf({ env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'app', key: 'a' } } }] }, other)).toEqual({ ok: false, message: 'configmap "app" not found' });
    });
  });

  describe('envFrom', () => {
    const src = sources({
      configMaps: [configMap('app', { MODE: 'fast', LEVEL: 'info', 'dotted.name': 'd', 'dash-name': 'x' }), configMap('more', { LEVEL: 'debug', EXTRA: 'e' })],
      secrets: [secret('creds', { user: 'admin', password: 's3cret' })],
    });

    it('takes every key with its prefix, in envFrom order, a later source replacing a name in place', () => {
      const r = envOf({
        envFrom: [{ configMapRef: { name: 'app' } }, { prefix: 'DB_', secretRef: { name: 'creds' } }, { configMapRef: { name: 'more' } }],
      }, src);
      expect(values(r)).toEqual([
        ['MODE', 'fast'], ['LEVEL', 'debug'], ['dotted.name', 'd'], ['dash-name', 'x'],
        ['DB_user', 'admin'], ['DB_password', 's3cret'], ['EXTRA', 'e'],
      ]);
    });

    it('lets env replace an envFrom variable in place and appends new ones; a repeated env name replaces in place too', () => {
      const r = envOf({
        envFrom: [{ configMapRef: { name: 'app' } }],
        env: [
          { name: 'NEW', value: '1' },
          { name: 'LEVEL', value: 'warn' },
          { name: 'NEW', value: '2' },
        ],
      }, src);
      expect(values(r)).toEqual([['MODE', 'fast'], ['LEVEL', 'warn'], ['dotted.name', 'd'], ['dash-name', 'x'], ['NEW', '2']]);
    });

    it('fails for a missing object that is not optional, and skips one that is', () => {
      expect(envOf({ envFrom: [{ configMapRef: { name: 'gone' } }] }, src)).toEqual({ ok: false, message: 'configmap "gone" not found' });
      expect(envOf({ envFrom: [{ secretRef: { name: 'gone', optional: false } }] }, src)).toEqual({ ok: false, message: 'secret "gone" not found' });
      const r = envOf({ envFrom: [{ configMapRef: { name: 'gone', optional: true } }, { secretRef: { name: 'gone', optional: true } }, { prefix: 'S_', secretRef: { name: 'creds' } }] }, src);
      expect(values(r)).toEqual([['S_user', 'admin'], ['S_password', 's3cret']]);
    });

    it('skips (and reports) keys that cannot be variable names after prefixing, keeping the relaxed 1.32 names', () => {
      const odd = sources({ configMaps: [configMap('odd', { ok: '1', 'has=equals': '2', 'tab\there': '3', 'ünï': '4', '1st': '5' })] });
      const r = envOf({ envFrom: [{ configMapRef: { name: 'odd' } }] }, odd);
      expect(values(r)).toEqual([['ok', '1'], ['1st', '5']]);
      expect(r.ok && r.skipped).toEqual(['has=equals', 'tab\there', 'ünï']);
      const plain = envOf({ envFrom: [{ configMapRef: { name: 'app' } }] }, src);
      expect(plain.ok && plain.skipped).toBeUndefined();
    });

    it('gives the empty value to an env var with neither value nor valueFrom', () => {
      expect(values(envOf({ env: [{ name: 'E' }, { name: 'F', value: '' }] }))).toEqual([['E', ''], ['F', '']]);
    });
  });

  describe('$(VAR) expansion', () => {
    const src = sources({ configMaps: [configMap('app', { HOST: 'db.local' })] });

    it('expands from envFrom, earlier env variables and extra, not from later ones; extra is not returned', () => {
      const r = envOf({
        envFrom: [{ configMapRef: { name: 'app' } }],
        env: [
          { name: 'PORT', value: '5432' },
          { name: 'URL', value: 'pg://$(HOST):$(PORT)/$(DB) via $(SVC_SERVICE_HOST)' },
          { name: 'DB', value: 'main' },
        ],
      }, src, { extra: [{ name: 'SVC_SERVICE_HOST', value: '10.0.0.7' }, { name: 'PORT', value: 'from-extra' }] });
      expect(values(r)).toEqual([['HOST', 'db.local'], ['PORT', '5432'], ['URL', 'pg://db.local:5432/$(DB) via 10.0.0.7'], ['DB', 'main']]);
    });

    it('expands a reference to its own name from the earlier value', () => {
      const r = envOf({ env: [{ name: 'PATH', value: '/bin' }, { name: 'PATH', value: '/opt/bin:$(PATH)' }] });
      expect(values(r)).toEqual([['PATH', '/opt/bin:/bin']]);
    });

    it('escapes $$(VAR), keeps unknown references and does not expand valueFrom values', () => {
      const withRef = sources({ configMaps: [configMap('app', { RAW: '$(A)' })] });
      const r = envOf({
        env: [
          { name: 'A', value: 'a' },
          { name: 'B', value: '$$(A) $(A) $(NOPE) $$$(A) cost: $5 $$' },
          { name: 'C', valueFrom: { configMapKeyRef: { name: 'app', key: 'RAW' } } },
        ],
      }, withRef);
      expect(value(r, 'B')).toBe('$(A) a $(NOPE) $a cost: $5 $');
      expect(value(r, 'C')).toBe('$(A)');
    });

    it.each([
      ['no references', 'plain', 'plain'],
      ['a reference', '$(VAR_A)', 'A'],
      ['references side by side', '$(VAR_A)$(VAR_B)', 'AB'],
      ['an unknown reference', '$(UNKNOWN)', '$(UNKNOWN)'],
      ['an empty name', '$()', '$()'],
      ['an escaped reference', '$$(VAR_A)', '$(VAR_A)'],
      ['an escaped escape before a reference', '$$$(VAR_A)', '$A'],
      ['a double escape', '$$$$(VAR_A)', '$$(VAR_A)'],
      ['a lone trailing $', 'cost $', 'cost $'],
      ['a $ before other text', '$HOME and $1', '$HOME and $1'],
      ['an unclosed reference', '$(VAR_A', '$(VAR_A'],
      ['a reference whose name runs to the first )', '$($(VAR_A)', '$($(VAR_A)'],
      ['an unclosed reference, then a reference', '$( and $(VAR_A)', '$( and $(VAR_A)'],
      ['a reference after an unclosed one ends', 'x$(y z) $(VAR_A)', 'x$(y z) A'],
      ['an empty value', '', ''],
      ['a reference to an empty value', '[$(EMPTY)]', '[]'],
      ['non-ASCII text around a reference', 'é$(VAR_A)ü$é', 'éAü$é'],
    ])('follows kubelet for %s', (_what, input, expected) => {
      const vars: Record<string, string> = { VAR_A: 'A', VAR_B: 'B', EMPTY: '' };
      expect(expandVars(input, (n) => vars[n])).toBe(expected);
    });
  });

  describe('fieldRef', () => {
    const field = (fieldPath: string, extra: any = {}) => ({ name: 'V', valueFrom: { fieldRef: { fieldPath, ...extra } } });

    it('gives metadata, labels and annotations by key (missing = empty), spec fields', () => {
      const r = envOf({
        env: [
          { ...field('metadata.name'), name: 'NAME' },
          { ...field('metadata.namespace'), name: 'NS' },
          { ...field('metadata.uid'), name: 'UID' },
          { ...field("metadata.labels['tier']"), name: 'TIER' },
          { ...field("metadata.labels['missing']"), name: 'NOLABEL' },
          { ...field("metadata.annotations['note']"), name: 'NOTE' },
          { ...field("metadata.annotations['missing']"), name: 'NOANN' },
          { ...field('spec.nodeName', { apiVersion: 'v1' }), name: 'NODE' },
          { ...field('spec.serviceAccountName'), name: 'SA' },
          { ...field('metadata.labels'), name: 'LABELS' },
        ],
      });
      expect(values(r)).toEqual([
        ['NAME', 'web-0'], ['NS', 'ns'], ['UID', 'uid-123'], ['TIER', 'front'], ['NOLABEL', ''], ['NOTE', 'hi'], ['NOANN', ''],
        ['NODE', 'host-1'], ['SA', 'builder'], ['LABELS', 'app="web"\ntier="front"'],
      ]);
    });

    it('takes pod and host IPs from the context, falling back to the pod status', () => {
      const env = [
        { ...field('status.podIP'), name: 'POD_IP' },
        { ...field('status.podIPs'), name: 'POD_IPS' },
        { ...field('status.hostIP'), name: 'HOST_IP' },
        { ...field('status.hostIPs'), name: 'HOST_IPS' },
      ];
      const c = { name: 'main', env };
      const withStatus = pod([c], { status: { podIP: '10.1.0.5', podIPs: [{ ip: '10.1.0.5' }, { ip: 'fd00::5' }], hostIP: '192.168.1.2', hostIPs: [{ ip: '192.168.1.2' }] } });
      expect(values(containerEnv(withStatus, c, sources(), { allocatable, podIP: '10.1.0.9', hostIP: '192.168.1.3' }))).toEqual([
        ['POD_IP', '10.1.0.9'], ['POD_IPS', '10.1.0.9,10.1.0.5,fd00::5'], ['HOST_IP', '192.168.1.3'], ['HOST_IPS', '192.168.1.3,192.168.1.2'],
      ]);
      expect(values(containerEnv(withStatus, c, sources(), { allocatable }))).toEqual([
        ['POD_IP', '10.1.0.5'], ['POD_IPS', '10.1.0.5,fd00::5'], ['HOST_IP', '192.168.1.2'], ['HOST_IPS', '192.168.1.2'],
      ]);
      expect(values(containerEnv(pod([c]), c, sources(), { allocatable }))).toEqual([['POD_IP', ''], ['POD_IPS', ''], ['HOST_IP', ''], ['HOST_IPS', '']]);
    });

    it('fails for a field path or version kubelet does not support', () => {
      expect(envOf({ env: [field('spec.containers')] })).toEqual({ ok: false, message: 'field label not supported: spec.containers' });
      expect(envOf({ env: [field("spec.nodeName['x']")] })).toEqual({ ok: false, message: "field label does not support subscript: spec.nodeName['x']" });
      expect(envOf({ env: [field('metadata.name', { apiVersion: 'v2' })] })).toEqual({ ok: false, message: 'unsupported pod version: v2' });
    });
  });

  describe('resourceFieldRef', () => {
    const ref = (resource: string, extra: any = {}) => ({ name: 'V', valueFrom: { resourceFieldRef: { resource, ...extra } } });
    const run = (resources: any, resource: string, extra: any = {}, alloc: HostAllocatable = allocatable) => {
      const r = envOf({ resources, env: [ref(resource, extra)] }, sources(), { allocatable: alloc });
      return r.ok ? r.value[0].value : `error: ${r.message}`;
    };

    it.each([
      ['limits.cpu', { limits: { cpu: '250m' } }, undefined, '1'],
      ['limits.cpu', { limits: { cpu: '1500m' } }, undefined, '2'],
      ['limits.cpu', { limits: { cpu: '2' } }, '1', '2'],
      ['limits.cpu', { limits: { cpu: '250m' } }, '1m', '250'],
      ['limits.cpu', { limits: { cpu: '0.1' } }, '1m', '100'],
      ['limits.cpu', { limits: { cpu: '1.0001' } }, '1m', '1001'],
      ['limits.cpu', { limits: { cpu: '1' } }, '100m', '10'],
      ['limits.cpu', { limits: { cpu: '150m' } }, '100m', '2'],
      ['limits.cpu', { limits: { cpu: '3' } }, '0', '3'],
      ['requests.cpu', { requests: { cpu: '100m' }, limits: { cpu: '2' } }, '1m', '100'],
      ['requests.cpu', { requests: { cpu: '100m' } }, undefined, '1'],
      ['limits.memory', { limits: { memory: '64Mi' } }, '1Mi', '64'],
      ['limits.memory', { limits: { memory: '100Mi' } }, '1Gi', '1'],
      ['limits.memory', { limits: { memory: '1G' } }, '1Mi', '954'],
      ['limits.memory', { limits: { memory: '1Gi' } }, undefined, String(GI)],
      ['limits.memory', { limits: { memory: '128974848' } }, '1M', '129'],
      ['limits.memory', { limits: { memory: '1Ki' } }, '1k', '2'],
      ['requests.memory', { requests: { memory: '32Mi' } }, '1Mi', '32'],
      ['limits.ephemeral-storage', { limits: { 'ephemeral-storage': '2Gi' } }, '1Gi', '2'],
      ['requests.ephemeral-storage', { requests: { 'ephemeral-storage': '500M' } }, '1G', '1'],
      ['limits.hugepages-2Mi', { limits: { 'hugepages-2Mi': '4Mi' } }, '1Mi', '4'],
    ])('gives %s of %j with divisor %s as %s', (resource, resources, divisor, expected) => {
      expect(run(resources, resource, divisor === undefined ? {} : { divisor })).toBe(expected);
    });

    it("falls back to the host's allocatable for a limit the container does not set or sets to zero", () => {
      expect(run(undefined, 'limits.cpu')).toBe('4');
      expect(run({ limits: { cpu: '0' } }, 'limits.cpu', { divisor: '1m' })).toBe('4000');
      expect(run({ requests: { memory: '1Mi' } }, 'limits.memory', { divisor: '1Mi' })).toBe('8192');
      expect(run({}, 'limits.ephemeral-storage', { divisor: '1Gi' })).toBe('100');
      expect(run({}, 'limits.ephemeral-storage', {}, { cpuMillis: 1500, memoryBytes: 1000 })).toBe('0');
      expect(run({}, 'limits.cpu', {}, { cpuMillis: 1500, memoryBytes: 1000 })).toBe('2');
      expect(run({}, 'limits.memory', { divisor: '1k' }, { cpuMillis: 1500, memoryBytes: 1001 })).toBe('2');
      expect(run({}, 'limits.hugepages-2Mi')).toBe('0');
    });

    it('defaults a request the container does not set to its own limit (as the API server does), else 0', () => {
      expect(run({ limits: { cpu: '500m', memory: '1Gi' } }, 'requests.cpu', { divisor: '1m' })).toBe('500');
      expect(run({ limits: { memory: '1Gi' } }, 'requests.memory', { divisor: '1Mi' })).toBe('1024');
      expect(run({ limits: { memory: '1Gi' } }, 'requests.cpu')).toBe('0');
      expect(run(undefined, 'requests.memory')).toBe('0');
    });

    it("reads another container's resources by containerName, with the same fallback", () => {
      const main = { name: 'main', env: [ref('limits.memory', { containerName: 'side', divisor: '1Mi' }), { ...ref('limits.cpu', { containerName: 'side', divisor: '1m' }), name: 'W' }] };
      const side = { name: 'side', resources: { limits: { memory: '256Mi' } } };
      expect(values(containerEnv(pod([main, side]), main, sources(), { allocatable }))).toEqual([['V', '256'], ['W', '4000']]);
      const init = pod([main], { spec: { initContainers: [side] } });
      expect(values(containerEnv(init, main, sources(), { allocatable }))[0]).toEqual(['V', '256']);
      const alone = { name: 'main', env: [ref('limits.memory', { containerName: 'ghost' })] };
      expect(containerEnv(pod([alone]), alone, sources(), { allocatable })).toEqual({ ok: false, message: 'container ghost not found' });
    });

    it('fails for a resource kubelet does not support', () => {
      expect(run({}, 'limits.gpu')).toBe('error: unsupported container resource : limits.gpu');
      expect(run({}, 'cpu')).toBe('error: unsupported container resource : cpu');
    });
  });
});

describe('volumeFiles', () => {
  const files = (r: ReturnType<typeof volumeFiles>): VolumeFile[] => {
    if (!r) throw new Error('expected a computed volume');
    if (!r.ok) throw new Error(`expected ok, got ${r.message}`);
    return r.value;
  };
  const readable = (r: ReturnType<typeof volumeFiles>) => files(r).map((f) => ({ path: f.path, text: text(f.data), mode: f.mode }));
  const p = pod([{ name: 'main', resources: { limits: { cpu: '500m', memory: '64Mi' } } }]);

  it('leaves volumes whose content is not computed here', () => {
    for (const v of [{ name: 'a', emptyDir: {} }, { name: 'b', hostPath: { path: '/x' } }, { name: 'c', persistentVolumeClaim: { claimName: 'x' } }, { name: 'd' }]) {
      expect(volumeFiles(p, v, sources(), { allocatable })).toBeUndefined();
    }
  });

  describe('configMap', () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const src = sources({ configMaps: [configMap('app', { greeting: 'hello', 'app.conf': 'a=1\nb=2\n' }, { 'blob.bin': b64(bytes) })] });

    it('gives every key of data and binaryData as a file at mode 0644 without items, binaryData bytes unchanged', () => {
      const out = files(volumeFiles(p, { name: 'v', configMap: { name: 'app' } }, src, { allocatable }));
      expect(out.map((f) => [f.path, f.mode])).toEqual([['greeting', 420], ['app.conf', 420], ['blob.bin', 420]]);
      expect(text(out[0].data)).toBe('hello');
      expect(text(out[1].data)).toBe('a=1\nb=2\n');
      expect(Buffer.from(out[2].data, 'base64').equals(bytes)).toBe(true);
    });

    it('gives only the items, at their paths, with their mode or the defaultMode', () => {
      const r = volumeFiles(p, {
        name: 'v',
        configMap: { name: 'app', defaultMode: 0o600, items: [{ key: 'greeting', path: 'dir/hello.txt', mode: 0o400 }, { key: 'blob.bin', path: 'bin' }] },
      }, src, { allocatable });
      const out = files(r);
      expect(out.map((f) => [f.path, f.mode])).toEqual([['dir/hello.txt', 0o400], ['bin', 0o600]]);
      expect(Buffer.from(out[1].data, 'base64').equals(bytes)).toBe(true);
    });

    it('fails for a missing item key unless optional', () => {
      const items = [{ key: 'greeting', path: 'g' }, { key: 'nope', path: 'n' }];
      expect(volumeFiles(p, { name: 'v', configMap: { name: 'app', items } }, src, { allocatable })).toEqual({ ok: false, message: 'configmap references non-existent config key: nope' });
      expect(readable(volumeFiles(p, { name: 'v', configMap: { name: 'app', items, optional: true } }, src, { allocatable }))).toEqual([{ path: 'g', text: 'hello', mode: 420 }]);
    });

    it('fails for a missing ConfigMap unless optional, which gives an empty volume', () => {
      expect(volumeFiles(p, { name: 'v', configMap: { name: 'gone' } }, src, { allocatable })).toEqual({ ok: false, message: 'configmap "gone" not found' });
      expect(volumeFiles(p, { name: 'v', configMap: { name: 'gone', optional: true, items: [{ key: 'k', path: 'k' }] } }, src, { allocatable })).toEqual({ ok: true, value: [] });
    });

    it('cleans item paths as the atomic writer does', () => {
      const r = volumeFiles(p, { name: 'v', configMap: { name: 'app', items: [{ key: 'greeting', path: './a//b/' }] } }, src, { allocatable });
      expect(files(r).map((f) => f.path)).toEqual(['a/b']);
    });
  });

  describe('secret', () => {
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80]);
    const src = sources({ secrets: [{ ...secret('tls', { 'tls.crt': 'CERT', 'tls.key': 'KEY' }, { extra: 'über' }), data: { 'tls.crt': b64('CERT'), 'tls.key': b64('KEY'), raw: b64(bytes) } }] });

    it('gives every key (stringData merged) with its bytes unchanged', () => {
      const out = files(volumeFiles(p, { name: 's', secret: { secretName: 'tls' } }, src, { allocatable }));
      expect(out.map((f) => [f.path, f.mode])).toEqual([['tls.crt', 420], ['tls.key', 420], ['raw', 420], ['extra', 420]]);
      expect(text(out[0].data)).toBe('CERT');
      expect(Buffer.from(out[2].data, 'base64').equals(bytes)).toBe(true);
      expect(text(out[3].data)).toBe('über');
    });

    it('gives only the items, with their modes, and fails for a missing key unless optional', () => {
      const items = [{ key: 'tls.key', path: 'private/key', mode: 0o400 }, { key: 'tls.crt', path: 'cert' }];
      expect(readable(volumeFiles(p, { name: 's', secret: { secretName: 'tls', defaultMode: 0o440, items } }, src, { allocatable }))).toEqual([
        { path: 'private/key', text: 'KEY', mode: 0o400 },
        { path: 'cert', text: 'CERT', mode: 0o440 },
      ]);
      const missing = [...items, { key: 'ca.crt', path: 'ca' }];
      expect(volumeFiles(p, { name: 's', secret: { secretName: 'tls', items: missing } }, src, { allocatable })).toEqual({ ok: false, message: 'references non-existent secret key: ca.crt' });
      expect(files(volumeFiles(p, { name: 's', secret: { secretName: 'tls', items: missing, optional: true } }, src, { allocatable })).map((f) => f.path)).toEqual(['private/key', 'cert']);
    });

    it('fails for a missing Secret unless optional', () => {
      expect(volumeFiles(p, { name: 's', secret: { secretName: 'gone' } }, src, { allocatable })).toEqual({ ok: false, message: 'secret "gone" not found' });
      expect(volumeFiles(p, { name: 's', secret: { secretName: 'gone', optional: true } }, src, { allocatable })).toEqual({ ok: true, value: [] });
    });
  });

  describe('downwardAPI', () => {
    it('writes fields, whole label and annotation maps as sorted key="value" lines, and resources', () => {
      const withMeta = pod([{ name: 'main', resources: { limits: { cpu: '500m', memory: '64Mi' } } }], {
        metadata: { labels: { zeta: 'z', alpha: 'a' }, annotations: { note: 'say "hi"', path: 'C:\\dir', multi: 'one\ntwo\tthree' } },
      });
      const r = volumeFiles(withMeta, {
        name: 'info',
        downwardAPI: {
          defaultMode: 0o444,
          items: [
            { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
            { path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } },
            { path: 'uid', fieldRef: { fieldPath: 'metadata.uid' }, mode: 0o400 },
            { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
            { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
            { path: 'zeta', fieldRef: { fieldPath: "metadata.labels['zeta']" } },
            { path: 'note', fieldRef: { fieldPath: "metadata.annotations['note']" } },
            { path: 'cpu', resourceFieldRef: { containerName: 'main', resource: 'limits.cpu', divisor: '1m' } },
            { path: 'mem', resourceFieldRef: { containerName: 'main', resource: 'limits.memory', divisor: '1Mi' } },
            { path: 'mem-request', resourceFieldRef: { containerName: 'main', resource: 'requests.memory' } },
          ],
        },
      }, sources(), { allocatable });
      expect(readable(r)).toEqual([
        { path: 'name', text: 'web-0', mode: 0o444 },
        { path: 'namespace', text: 'ns', mode: 0o444 },
        { path: 'uid', text: 'uid-123', mode: 0o400 },
        { path: 'labels', text: 'alpha="a"\nzeta="z"', mode: 0o444 },
        { path: 'annotations', text: 'multi="one\\ntwo\\tthree"\nnote="say \\"hi\\""\npath="C:\\\\dir"', mode: 0o444 },
        { path: 'zeta', text: 'z', mode: 0o444 },
        { path: 'note', text: 'say "hi"', mode: 0o444 },
        { path: 'cpu', text: '500', mode: 0o444 },
        { path: 'mem', text: '64', mode: 0o444 },
        { path: 'mem-request', text: String(64 * 2 ** 20), mode: 0o444 },
      ]);
    });

    it("uses the host's allocatable for a limit the named container does not set, and 0644 without defaultMode", () => {
      const r = volumeFiles(pod([{ name: 'main' }]), {
        name: 'info', downwardAPI: { items: [{ path: 'cpu', resourceFieldRef: { containerName: 'main', resource: 'limits.cpu' } }] },
      }, sources(), { allocatable });
      expect(readable(r)).toEqual([{ path: 'cpu', text: '4', mode: 420 }]);
    });

    it('fails, with every error aggregated, for unsupported fields and unknown containers', () => {
      const one = volumeFiles(p, { name: 'i', downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'spec.nodeName' } }] } }, sources(), { allocatable });
      expect(one).toEqual({ ok: false, message: 'unsupported fieldPath: spec.nodeName' });
      const two = volumeFiles(p, {
        name: 'i',
        downwardAPI: {
          items: [
            { path: 'n', fieldRef: { fieldPath: 'spec.nodeName' } },
            { path: 'ok', fieldRef: { fieldPath: 'metadata.name' } },
            { path: 'c', resourceFieldRef: { containerName: 'ghost', resource: 'limits.cpu' } },
            { path: 'd', resourceFieldRef: { containerName: 'ghost', resource: 'limits.cpu' } },
          ],
        },
      }, sources(), { allocatable });
      expect(two).toEqual({ ok: false, message: '[unsupported fieldPath: spec.nodeName, container ghost not found]' });
    });
  });

  describe('projected', () => {
    const src = sources({
      configMaps: [configMap('app', { mode: 'fast', shared: 'from configmap' })],
      secrets: [secret('creds', { user: 'admin', shared: 'from secret' })],
    });
    const token = (source: { audience?: string; expirationSeconds: number; path: string }) => `token(${source.audience ?? '-'},${source.expirationSeconds})`;

    it('gives the union of its sources in order, a later source replacing a path, with the defaultMode and item modes', () => {
      const calls: any[] = [];
      const r = volumeFiles(p, {
        name: 'all',
        projected: {
          defaultMode: 0o640,
          sources: [
            { configMap: { name: 'app' } },
            { secret: { name: 'creds', items: [{ key: 'user', path: 'user', mode: 0o400 }, { key: 'shared', path: 'shared' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }, { path: 'cpu', resourceFieldRef: { containerName: 'main', resource: 'limits.cpu', divisor: '1m' } }] } },
            { serviceAccountToken: { path: 'token', audience: 'vault', expirationSeconds: 600 } },
            { serviceAccountToken: { path: 'default-token' } },
          ],
        },
      }, src, { allocatable, serviceAccountToken: (s) => (calls.push(s), token(s)) });
      expect(readable(r)).toEqual([
        { path: 'mode', text: 'fast', mode: 0o640 },
        { path: 'shared', text: 'from secret', mode: 0o640 },
        { path: 'user', text: 'admin', mode: 0o400 },
        { path: 'namespace', text: 'ns', mode: 0o640 },
        { path: 'cpu', text: '500', mode: 0o640 },
        { path: 'token', text: 'token(vault,600)', mode: 0o640 },
        { path: 'default-token', text: 'token(-,3600)', mode: 0o640 },
      ]);
      expect(calls).toEqual([{ audience: 'vault', expirationSeconds: 600, path: 'token' }, { expirationSeconds: 3600, path: 'default-token' }]);
    });

    it('uses 0644 without defaultMode and skips optional missing sources', () => {
      const r = volumeFiles(p, {
        name: 'all',
        projected: { sources: [{ configMap: { name: 'gone', optional: true } }, { secret: { name: 'gone', optional: true } }, { configMap: { name: 'app', items: [{ key: 'mode', path: 'm' }] } }] },
      }, src, { allocatable });
      expect(readable(r)).toEqual([{ path: 'm', text: 'fast', mode: 420 }]);
    });

    it('fails when a token is not available, or a required source is missing, aggregating the errors', () => {
      const tokenOnly = { name: 'kube-api-access', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } };
      const message = 'failed to fetch token: no token available for service account ns/builder';
      expect(volumeFiles(p, tokenOnly, src, { allocatable, serviceAccountToken: () => undefined })).toEqual({ ok: false, message });
      expect(volumeFiles(p, tokenOnly, src, { allocatable })).toEqual({ ok: false, message });
      const noSa = pod([{ name: 'main' }], { spec: { serviceAccountName: undefined } });
      expect(volumeFiles(noSa, tokenOnly, src, { allocatable })).toEqual({ ok: false, message: 'failed to fetch token: no token available for service account ns/default' });
      const many = volumeFiles(p, {
        name: 'all',
        projected: { sources: [{ configMap: { name: 'gone' } }, { configMap: { name: 'app' } }, { secret: { name: 'creds', items: [{ key: 'nope', path: 'n' }] } }, { serviceAccountToken: { path: 'token' } }] },
      }, src, { allocatable });
      expect(many).toEqual({ ok: false, message: `[configmap "gone" not found, references non-existent secret key: nope, ${message}]` });
    });
  });

  it('gives the modes kubelet leaves after applying the pod fsGroup: group and owner read added, the token 0640', () => {
    const grouped = pod([{ name: 'main' }], { spec: { securityContext: { fsGroup: 2000 } } });
    const src = sources({ configMaps: [configMap('app', { a: '1', b: '2' })] });
    const cm = volumeFiles(grouped, { name: 'v', configMap: { name: 'app', defaultMode: 0o600, items: [{ key: 'a', path: 'a', mode: 0o400 }, { key: 'b', path: 'b' }] } }, src, { allocatable });
    expect(files(cm).map((f) => [f.path, f.mode])).toEqual([['a', 0o440], ['b', 0o640]]);
    const projected = volumeFiles(grouped, { name: 'p', projected: { defaultMode: 0o644, sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'app' } }] } }, src, {
      allocatable, serviceAccountToken: () => 'jwt',
    });
    expect(files(projected).map((f) => [f.path, f.mode])).toEqual([['token', 0o640], ['a', 0o644], ['b', 0o644]]);
  });
});

describe('formatMap and goQuote', () => {
  it('sorts keys and quotes values as Go %q does', () => {
    expect(formatMap({ b: '2', a: '1', 'example.com/key': 'v' })).toBe('a="1"\nb="2"\nexample.com/key="v"');
    expect(formatMap({})).toBe('');
    expect(formatMap(undefined)).toBe('');
  });

  it.each([
    ['plain', '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['line\nbreak\r\n', '"line\\nbreak\\r\\n"'],
    ['tab\tbell\u0007bs\bff\fvt\u000b', '"tab\\tbell\\abs\\bff\\fvt\\v"'],
    ['nul\u0000esc\u001bdel\u007f', '"nul\\x00esc\\x1bdel\\x7f"'],
    ['héllo wörld ✓ 日本 😀', '"héllo wörld ✓ 日本 😀"'],
    ['nbsp\u00a0zwsp\u200bc1\u0085', '"nbsp\\u00a0zwsp\\u200bc1\\u0085"'],
    ['tag\u{e0041}', '"tag\\U000e0041"'],
    ["single ' quote", '"single \' quote"'],
  ])('quotes %j', (input, expected) => {
    expect(goQuote(input)).toBe(expected);
  });
});

describe('isEnvVarName', () => {
  it('accepts printable ASCII other than =, as Kubernetes 1.32 does', () => {
    for (const ok of ['A', 'a_b', '1st', 'my.var-name', 'Logging:LogLevel:Default', 'with space', '~!@#$%^&*()']) expect(isEnvVarName(ok)).toBe(true);
    for (const bad of ['', 'a=b', 'tab\t', 'nul\0', 'ünï']) expect(isEnvVarName(bad)).toBe(false);
  });
});
