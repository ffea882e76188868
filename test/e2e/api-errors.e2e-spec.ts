import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { startCluster, TestCluster } from '@openpacific/testing';
import { Client } from 'pg';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { manifest, namespace } from './support/kubectl-watch';

/**
 * Bad input as kubectl users and raw clients send it: each gets the reason
 * kube-apiserver would give, nothing reaches the event log, no 5xx, and the
 * gateway keeps serving. Then credentials, and admission that cannot answer.
 */
const NS = '/api/v1/namespaces';
const HOSTS = '/apis/infrastructure.openpacific.io/v1alpha1/hosts';

describe('the gateway refuses bad requests the way kube-apiserver does, and writes nothing', () => {
  let cluster: TestCluster;
  let scratch: string;
  /** Events appended on behalf of the admin; hosts and controllers write on their own. */
  const adminEvents = async () => {
    const db = new Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      return (await db.query("SELECT count(*)::int AS n FROM events WHERE metadata->>'actor' = 'admin'")).rows[0].n as number;
    } finally {
      await db.end();
    }
  };
  /** Runs the bad requests, then proves that none of them wrote and the gateway still answers. */
  const writesNothing = async (act: () => Promise<void>) => {
    const before = await adminEvents();
    await act();
    expect(await adminEvents()).toBe(before);
    expect((await cluster.kubectl(['get', 'ns', 'err-ns', '-o', 'name'])).stdout.trim()).toBe('namespace/err-ns');
  };
  /** Sends raw bytes over TLS and gives back all the gateway answers until it closes the connection. */
  const rawExchange = async (request: string): Promise<string> => {
    const { hostname, port } = new URL(cluster.server);
    const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    let reply = '';
    socket.on('data', (d) => (reply += d));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(request);
    await closed;
    return reply;
  };
  const call = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const res = await cluster.request(method, path, { body, headers: { 'Content-Type': contentType } });
    expect(res.status).toBeLessThan(500);
    return res;
  };

  beforeAll(async () => {
    // A short request timeout, for the body that never ends below.
    cluster = await startCluster({ label: 'apierrors', env: { GATEWAY_REQUEST_TIMEOUT_SECONDS: '5' } });
    scratch = mkdtempSync(join(tmpdir(), 'openpacific-e2e-'));
    await cluster.kubectl(['apply', '-f', '-'], { input: namespace('err-ns', { team: 'a' }) });
    // A LimitRange (for claims, which this file never writes) makes the gateway ask the policy service about every
    // create and update in err-ns (docs/governance.md, "When the gateway asks"): the large reviews and the policy
    // service that does not answer below need that.
    await cluster.kubectl(['apply', '-f', '-'], {
      input: manifest({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'claims', namespace: 'err-ns' }, spec: { limits: [{ type: 'PersistentVolumeClaim', max: { storage: '1Ti' } }] } }),
    });
    await cluster.kubectl(['apply', '-f', '-'], {
      input: manifest({ apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', metadata: { name: 'err-host' }, spec: {} }),
    });
  }, 120_000);
  afterAll(async () => {
    rmSync(scratch, { recursive: true, force: true });
    await cluster?.stop();
  }, 60_000);

  it('leaves malformed YAML to kubectl and answers a malformed JSON body with 400', () =>
    writesNothing(async () => {
      const yaml = await cluster.kubectl(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Namespace\nmetadata: [name: broken\n' });
      expect(yaml.code).not.toBe(0);
      expect(yaml.stderr).toContain('error converting YAML to JSON');
      const json = await call('POST', NS, '{"apiVersion": "v1", "kind": ');
      expect(json.status).toBe(400);
      expect(json.json()).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400 });
    }));

  it('refuses a body over 3 MiB with 413', () =>
    writesNothing(async () => {
      const big = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'too-big', annotations: { a: 'x'.repeat(3 * 1024 * 1024 + 10) } } };
      const res = await call('POST', NS, big);
      expect(res.status).toBe(413);
      expect(res.json()).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
    }));

  it('refuses a ConfigMap or Secret holding more than 1 MiB with 422, as kube-apiserver words it', () =>
    writesNothing(async () => {
      const file = join(scratch, 'big.txt');
      writeFileSync(file, 'a'.repeat(1024 * 1024 + 1));
      const cm = await cluster.kubectl(['create', 'configmap', 'too-big', '-n', 'err-ns', `--from-file=${file}`]);
      expect(cm.stderr).toContain('ConfigMap "too-big" is invalid: []: Too long: may not be more than 1048576 bytes');
      const secret = await cluster.kubectl(['create', 'secret', 'generic', 'too-big', '-n', 'err-ns', `--from-file=${file}`]);
      expect(secret.stderr).toContain('Secret "too-big" is invalid: data: Too long: may not be more than 1048576 bytes');
    }));

  /** kubectl's stderr for a refused write, and a check that it was refused. */
  const refused = async (args: string[], input?: string) => {
    const res = await cluster.kubectl(args, input === undefined ? undefined : { input });
    expect(res.code).not.toBe(0);
    return res.stderr;
  };
  const cmManifest = (name: string, extra: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) =>
    manifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'err-ns', ...meta }, ...extra });
  const secretManifest = (name: string, type: string, stringData: Record<string, string>, extra: Record<string, unknown> = {}) =>
    manifest({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'err-ns' }, type, stringData, ...extra });
  const IMMUTABLE = 'Forbidden: field is immutable when `immutable` is set';

  it('keeps an immutable ConfigMap\'s and Secret\'s data, and a Secret\'s type, as kube-apiserver words it', async () => {
    await cluster.kubectl(['create', '-f', '-'], { input: cmManifest('frozen', { immutable: true, data: { a: '1' }, binaryData: { b: 'eA==' } }) });
    await cluster.kubectl(['create', '-f', '-'], { input: secretManifest('frozen', 'Opaque', { a: '1' }, { immutable: true }) });
    await cluster.kubectl(['create', '-f', '-'], { input: secretManifest('typed', 'Opaque', { 'tls.crt': 'C', 'tls.key': 'K' }) });
    await writesNothing(async () => {
      const patch = (kind: string, name: string, body: object) => refused(['patch', kind, name, '-n', 'err-ns', '--type=merge', '-p', JSON.stringify(body)]);
      expect(await patch('configmap', 'frozen', { data: { a: '2' } })).toContain(`The ConfigMap "frozen" is invalid: data: ${IMMUTABLE}`);
      expect(await patch('configmap', 'frozen', { binaryData: { b: 'eQ==' } })).toContain(`The ConfigMap "frozen" is invalid: binaryData: ${IMMUTABLE}`);
      expect(await patch('configmap', 'frozen', { immutable: false })).toContain(`The ConfigMap "frozen" is invalid: immutable: ${IMMUTABLE}`);
      expect(await patch('secret', 'frozen', { stringData: { a: '2' } })).toContain(`The Secret "frozen" is invalid: data: ${IMMUTABLE}`);
      expect(await patch('secret', 'frozen', { immutable: null })).toContain(`The Secret "frozen" is invalid: immutable: ${IMMUTABLE}`);
      expect(await patch('secret', 'typed', { type: 'kubernetes.io/tls' })).toContain('The Secret "typed" is invalid: type: Invalid value: "kubernetes.io/tls": field is immutable');
    });
    // Its metadata still changes; a mutable one's data too.
    expect((await cluster.kubectl(['label', 'configmap', 'frozen', '-n', 'err-ns', 'l=v'])).stderr).toBe('');
    expect((await cluster.kubectl(['patch', 'secret', 'typed', '-n', 'err-ns', '--type=merge', '-p', '{"stringData":{"x":"y"}}'])).stderr).toBe('');
    expect((await cluster.kubectl(['get', 'configmap', 'frozen', '-n', 'err-ns', '-o', 'jsonpath={.data.a}'])).stdout).toBe('1');
    await cluster.kubectl(['delete', 'configmap', 'frozen', '-n', 'err-ns']);
    await cluster.kubectl(['delete', 'secret', 'frozen', 'typed', '-n', 'err-ns']);
  });

  it('checks a Secret\'s content by its type and every ConfigMap or Secret key, as kube-apiserver words it', () =>
    writesNothing(async () => {
      const create = (input: string) => refused(['create', '-f', '-'], input);
      expect(await create(secretManifest('tls', 'kubernetes.io/tls', { 'tls.key': 'K' }))).toContain('The Secret "tls" is invalid: data[tls.crt]: Required value');
      const docker = await create(secretManifest('docker', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': 'not json' }));
      expect(docker).toContain('The Secret "docker" is invalid: data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character \'o\' in literal null (expecting \'u\')');
      expect(await create(secretManifest('cfg', 'kubernetes.io/dockercfg', {}))).toContain('The Secret "cfg" is invalid: data[.dockercfg]: Required value');
      const basic = await create(secretManifest('basic', 'kubernetes.io/basic-auth', {}));
      expect(basic).toContain('data[username]: Required value');
      expect(basic).toContain('data[password]: Required value');
      expect(await create(secretManifest('ssh', 'kubernetes.io/ssh-auth', { other: 'x' }))).toContain('The Secret "ssh" is invalid: data[ssh-privatekey]: Required value');
      expect(await create(secretManifest('keys', 'Opaque', { 'bad key': 'x' }))).toContain(
        'The Secret "keys" is invalid: data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\' (e.g. \'key.name\',  or \'KEY_NAME\',  or \'key-name\', regex used for validation is \'[-._a-zA-Z0-9]+\')');
      expect(await create(cmManifest('keys', { data: { 'bad key': 'x' } }))).toContain('The ConfigMap "keys" is invalid: data[bad key]: Invalid value: "bad key": a valid config key must consist of');
      expect(await create(cmManifest('dup', { data: { a: 'x' }, binaryData: { a: 'eA==' } }))).toContain('The ConfigMap "dup" is invalid: data[a]: Invalid value: "a": duplicate of key present in binaryData');
      // The raw answer: a 422 naming each field.
      const raw = await call('POST', `${NS}/err-ns/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls' }, type: 'kubernetes.io/tls', data: {} });
      expect(raw.status).toBe(422);
      expect(raw.json().details.causes).toEqual([
        { field: 'data[tls.crt]', reason: 'FieldValueRequired', message: 'Required value' },
        { field: 'data[tls.key]', reason: 'FieldValueRequired', message: 'Required value' },
      ]);
    }));

  it('refuses bad owner references on create and update, and new finalizers on an object being deleted, for any kind', async () => {
    await cluster.kubectl(['create', '-f', '-'], { input: cmManifest('owned', { data: { a: '1' } }) });
    await cluster.kubectl(['create', '-f', '-'], { input: cmManifest('leaving', {}, { finalizers: ['example.com/x'] }) });
    expect((await cluster.kubectl(['delete', 'configmap', 'leaving', '-n', 'err-ns', '--wait=false'])).code).toBe(0);
    const owner = (over: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u1', ...over });
    await writesNothing(async () => {
      const create = (meta: Record<string, unknown>) => refused(['create', '-f', '-'], cmManifest('refs', {}, meta));
      expect(await create({ ownerReferences: [owner({ uid: '' })] })).toContain('The ConfigMap "refs" is invalid: metadata.ownerReferences.uid: Invalid value: "": uid must not be empty');
      const missing = await create({ ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }] });
      expect(missing).toContain('metadata.ownerReferences.uid: Invalid value: "": uid must not be empty');
      const two = await create({ ownerReferences: [owner({ controller: true }), owner({ name: 'y', uid: 'u2', controller: true })] });
      expect(two).toContain('The ConfigMap "refs" is invalid: metadata.ownerReferences: Invalid value: []v1.OwnerReference{');
      expect(two).toContain('Only one reference can have Controller set to true. Found "true" in references for ConfigMap/x and ConfigMap/y');
      expect(await create({ ownerReferences: [owner({ kind: 'Event', name: 'e' })] })).toContain('/v1, Kind=Event is disallowed from being an owner');
      // Any kind: a Namespace (cluster-scoped) likewise.
      const ns = await refused(['create', '-f', '-'], manifest({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'refs', ownerReferences: [owner({ name: '' })] } }));
      expect(ns).toContain('The Namespace "refs" is invalid: metadata.ownerReferences.name: Invalid value: "": name must not be empty');
      // On update.
      const update = await refused(['patch', 'configmap', 'owned', '-n', 'err-ns', '--type=merge', '-p', JSON.stringify({ metadata: { ownerReferences: [owner({ apiVersion: '' })] } })]);
      expect(update).toContain('The ConfigMap "owned" is invalid: metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty');
      const finalizer = await refused(['patch', 'configmap', 'leaving', '-n', 'err-ns', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/x","example.com/y"]}}']);
      expect(finalizer).toContain('The ConfigMap "leaving" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/y"}');
    });
    expect((await cluster.kubectl(['get', 'configmap', 'leaving', '-n', 'err-ns', '-o', 'jsonpath={.metadata.finalizers}'])).stdout).toBe('["example.com/x"]');
    // Taking a finalizer away is fine: the object goes.
    expect((await cluster.kubectl(['patch', 'configmap', 'leaving', '-n', 'err-ns', '--type=merge', '-p', '{"metadata":{"finalizers":null}}'])).code).toBe(0);
    await cluster.kubectl(['delete', 'configmap', 'owned', '-n', 'err-ns']);
  });

  it('labels every Namespace kubernetes.io/metadata.name with its name, the system ones included, whatever the writer says', async () => {
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'err-ns']) {
      expect((await cluster.kubectl(['get', 'ns', name, '-o', 'jsonpath={.metadata.labels.kubernetes\\.io/metadata\\.name}'])).stdout).toBe(name);
    }
    expect((await cluster.kubectl(['label', 'ns', 'err-ns', 'kubernetes.io/metadata.name=other', '--overwrite'])).code).toBe(0);
    expect((await cluster.kubectl(['get', 'ns', '-l', 'kubernetes.io/metadata.name=err-ns', '-o', 'name'])).stdout.trim()).toBe('namespace/err-ns');
    expect((await cluster.kubectl(['get', 'ns', '-l', 'team=a', '-o', 'jsonpath={.items[0].metadata.labels}'])).stdout).toBe('{"kubernetes.io/metadata.name":"err-ns","team":"a"}');
  });

  it('stores, changes and serves objects too large for one NATS message, and many at once', async () => {
    // 1,045,000 bytes: under the 1 MiB a ConfigMap may hold, over what its admission review fits in a NATS message.
    const near = join(scratch, 'near.txt');
    writeFileSync(near, 'n'.repeat(1_045_000));
    expect((await cluster.kubectl(['create', 'configmap', 'near', '-n', 'err-ns', `--from-file=${near}`])).stderr).toBe('');
    // An update's review carries the old object and the new: 600 kB twice.
    const six = join(scratch, 'six.txt');
    writeFileSync(six, 's'.repeat(600_000));
    expect((await cluster.kubectl(['create', 'configmap', 'six', '-n', 'err-ns', `--from-file=${six}`])).code).toBe(0);
    const label = await cluster.kubectl(['label', 'configmap', 'six', '-n', 'err-ns', 'size=large']);
    expect(label.stderr).toBe('');
    expect(label.stdout).toContain('configmap/six labeled');
    expect((await cluster.kubectl(['get', 'configmap', 'near', '-n', 'err-ns', '-o', 'jsonpath={.data.near\\.txt}'])).stdout).toHaveLength(1_045_000);
    expect((await cluster.kubectl(['get', 'configmap', '-n', 'err-ns', '-l', 'size=large', '-o', 'name'])).stdout.trim()).toBe('configmap/six');
    // Twenty 100 kB creates at once: the gateway asks the policy service about them in one message of 2 MB.
    const creates = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      call('POST', `${NS}/err-ns/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `many-${i}` }, data: { text: 'm'.repeat(100_000) } })));
    expect(creates.map((r) => r.status)).toEqual(Array(20).fill(201));
    await cluster.kubectl(['delete', 'configmap', '-n', 'err-ns', 'near', 'six', ...creates.map((_, i) => `many-${i}`)]);
  }, 60_000);

  it('answers unknown kinds and versions with 404', () =>
    writesNothing(async () => {
      expect((await cluster.kubectl(['get', 'foos'])).stderr).toContain('error: the server doesn\'t have a resource type "foos"');
      expect((await cluster.kubectl(['get', 'hosts.v9.infrastructure.openpacific.io'])).stderr).toContain("the server doesn't have a resource type");
      for (const path of ['/api/v1/foos', '/api/v2/namespaces', `${HOSTS.replace('v1alpha1', 'v9')}`, '/apis/infrastructure.openpacific.io/v1alpha1/foos']) {
        const res = await call('GET', path);
        expect({ path, status: res.status, reason: res.json().reason }).toEqual({ path, status: 404, reason: 'NotFound' });
      }
      const post = await call('POST', '/api/v1/foos', { apiVersion: 'v1', kind: 'Foo', metadata: { name: 'a' } });
      expect(post.status).toBe(404);
    }));

  it('answers a path with an invalid percent-encoding with 400, and reads an encoded one', () =>
    writesNothing(async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await call(method, `${NS}/err-ns/configmaps/c%E0%A4%A`, method === 'PUT' ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } : undefined);
        expect({ method, status: res.status, reason: res.json().reason }).toEqual({ method, status: 400, reason: 'BadRequest' });
        expect(res.json().message).toContain('invalid percent-encoding');
      }
      expect((await call('GET', '/api/v1/namespaces/err%2Dns')).json().metadata.name).toBe('err-ns');
      // The same through an exec upgrade (kubectl exec's WebSocket): it answered 500 "URI malformed".
      const reply = await rawExchange(`GET ${NS}/err-ns/pods/%zz/exec?command=ls HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${cluster.token}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`);
      expect(reply).toMatch(/^HTTP\/1\.1 400 /);
      expect(reply).toContain('invalid percent-encoding');
    }));

  it('refuses a body nested more than 256 levels deep with 400, as JSON, a patch or server-side apply, and keeps serving', async () => {
    expect((await call('POST', `${NS}/err-ns/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shallow' }, data: { a: 'b' } })).status).toBe(201);
    await writesNothing(async () => {
      const nested = (levels: number) => `${'{"a":'.repeat(levels)}"x"${'}'.repeat(levels)}`;
      const tries: Array<[string, string, string, string]> = [
        ['POST', `${NS}/err-ns/configmaps`, 'application/json', `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep","labels":${nested(300)}}}`],
        ['PUT', `${NS}/err-ns/configmaps/shallow`, 'application/json', `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"shallow"},"x":${nested(5_000)}}`],
        ['PATCH', `${NS}/err-ns/configmaps/shallow`, 'application/merge-patch+json', `{"x":${nested(5_000)}}`],
        ['PATCH', `${NS}/err-ns/configmaps/shallow`, 'application/strategic-merge-patch+json', `{"metadata":{"annotations":${nested(5_000)}}}`],
        // A flow-style YAML body of 3,000 levels took the whole gateway down before.
        ['PATCH', `${NS}/err-ns/configmaps/shallow?fieldManager=deep`, 'application/apply-patch+yaml', `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"shallow"},"x":${nested(3_000)}}`],
      ];
      for (const [method, path, contentType, body] of tries) {
        const res = await call(method, path, body, contentType);
        expect({ method, contentType, status: res.status, message: res.json().message }).toEqual({
          method, contentType, status: 400, message: 'the request body nests objects and arrays more than 256 levels deep',
        });
      }
      expect((await call('GET', `${NS}/err-ns/configmaps/shallow`)).json().data).toEqual({ a: 'b' });
    });
  });

  it('answers timeoutSeconds that is no integer with 400, ends a watch with a negative one at once, and CONNECT with 405', async () => {
    for (const path of [`${NS}/err-ns/configmaps?timeoutSeconds=abc`, `${NS}/err-ns/configmaps?watch=true&timeoutSeconds=abc`]) {
      const res = await call('GET', path);
      expect({ path, status: res.status, message: res.json().message }).toEqual({ path, status: 400, message: 'strconv.ParseInt: parsing "abc": invalid syntax' });
    }
    const ended = await call('GET', `${NS}/err-ns/configmaps?watch=true&timeoutSeconds=-5`);
    expect(ended.status).toBe(200);
    const { connect } = await import('node:tls');
    const url = new URL(cluster.server);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port), ca: cluster.caCertPem }, () => socket.write(`CONNECT ${NS}/err-ns/configmaps HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 405 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ kind: 'Status', code: 405, reason: 'MethodNotAllowed' });
    expect((await cluster.kubectl(['get', 'ns', 'err-ns', '-o', 'name'])).stdout.trim()).toBe('namespace/err-ns');
  });

  it('refuses pod log options the parameter codec cannot decode with 400, and those ValidatePodLogOptions refuses with 422', async () => {
    // Decoded before the pod is looked up, as kube-apiserver does: sinceSeconds=abc answered 500 (Invalid time value).
    const cases: [string, number, string][] = [
      ['sinceSeconds=abc', 400, 'strconv.ParseInt: parsing "abc": invalid syntax'],
      ['tailLines=-1', 422, 'PodLogOptions "nobody" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0'],
      ['limitBytes=0', 422, 'PodLogOptions "nobody" is invalid: limitBytes: Invalid value: 0: must be greater than 0'],
    ];
    for (const [query, status, message] of cases) {
      const res = await call('GET', `${NS}/err-ns/pods/nobody/log?${query}`);
      expect({ query, status: res.status, message: res.json().message }).toEqual({ query, status, message });
    }
    expect((await call('GET', `${NS}/err-ns/pods/nobody/log?tailLines=5`)).status).toBe(404);
  });

  it('refuses an invalid name with 422 naming metadata.name', () =>
    writesNothing(async () => {
      const kubectl = await cluster.kubectl(['create', '-f', '-'], { input: namespace('Bad_Name') });
      expect(kubectl.stderr).toContain('The Namespace "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"');
      const res = await call('POST', NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Bad_Name' } });
      expect(res.status).toBe(422);
      expect(res.json()).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422, details: { name: 'Bad_Name', kind: 'Namespace' } });
      expect(res.json().details.causes).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'metadata.name', reason: 'FieldValueInvalid' })]));
    }));

  it('refuses schema violations with 422 naming the field', () =>
    writesNothing(async () => {
      const finalizers = await call('POST', NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bad-spec' }, spec: { finalizers: 'x' } });
      expect(finalizers.status).toBe(422);
      expect(finalizers.json().details.causes.map((c: any) => c.field)).toContain('spec.finalizers');

      const phase = await call('PATCH', `${NS}/err-ns/status`, { status: { phase: 'Bogus' } }, 'application/merge-patch+json');
      expect(phase.status).toBe(422);
      expect(phase.json().message).toContain('status.phase: Unsupported value: "Bogus"');
      const kubectl = await cluster.kubectl(['patch', 'ns', 'err-ns', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Bogus"}}']);
      expect(kubectl.stderr).toContain('The Namespace "err-ns" is invalid: status.phase: Unsupported value: "Bogus"');
      expect((await cluster.kubectl(['get', 'ns', 'err-ns', '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Active');
    }));

  it('refuses a quota\'s status that holds no quantity, and a pod\'s that holds no IP address, through /status', async () => {
    expect((await cluster.kubectl(['create', 'quota', 'q-status', '-n', 'err-ns', '--hard=pods=5'])).code).toBe(0);
    const bad = await cluster.kubectl(['patch', 'quota', 'q-status', '-n', 'err-ns', '--subresource=status', '--type=merge', '-p', '{"status":{"used":{"pods":"lots"}}}']);
    expect(bad.stderr).toContain('The ResourceQuota "q-status" is invalid: status.used.pods: Invalid value: "lots": quantities must match the regular expression');
    expect((await cluster.kubectl(['delete', 'quota', 'q-status', '-n', 'err-ns'])).code).toBe(0);
    expect((await cluster.kubectl(['run', 'ip-status', '-n', 'err-ns', '--image=busybox:1.36', '--restart=Never', '--', 'sleep', '3600'])).code).toBe(0);
    const ip = await cluster.kubectl(['patch', 'pod', 'ip-status', '-n', 'err-ns', '--subresource=status', '--type=merge', '-p', '{"status":{"podIP":"fz-str"}}']);
    expect(ip.stderr).toContain('The Pod "ip-status" is invalid: status.podIPs[0]: Invalid value: "fz-str": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
    expect((await cluster.kubectl(['delete', 'pod', 'ip-status', '-n', 'err-ns', '--grace-period=0', '--force'])).code).toBe(0);
  });

  it('refuses a null name and integers past their type (int32 replicas, any integer past 2^53) with 422, through /scale too', () =>
    writesNothing(async () => {
      const nullName = await call('POST', `${NS}/err-ns/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: null } });
      expect(nullName.status).toBe(422);
      expect(nullName.json().message).toContain('metadata.name: Required value: name or generateName is required');
      // 2^31 replicas were taken, and the scheduler's StatefulSet controller planned them all until it ran out of memory.
      const sts = manifest({
        apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'huge', namespace: 'err-ns' },
        spec: { replicas: 2147483648, serviceName: 'huge', selector: { matchLabels: { app: 'huge' } }, template: { metadata: { labels: { app: 'huge' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
      });
      const kubectl = await cluster.kubectl(['apply', '-f', '-'], { input: sts });
      expect(kubectl.code).not.toBe(0);
      expect(kubectl.stderr).toContain('spec.replicas: Invalid value: 2147483648: spec.replicas in body must be of type int32: "2147483648"');
      const grace = await call('POST', `${NS}/err-ns/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'far' }, spec: { terminationGracePeriodSeconds: 1e21, containers: [{ name: 'c', image: 'busybox' }] } });
      expect(grace.status).toBe(422);
      expect(grace.json().message).toContain('spec.terminationGracePeriodSeconds in body must be of type integer: "number"');
    }));

  it('serves and deletes an object whose name is a path segment of 20,000 characters (a 431 before: Node\'s header limit, not Go\'s 1 MiB)', async () => {
    const name = `long-${'x'.repeat(20_000)}`;
    const created = await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [] });
    expect(created.status).toBe(201);
    expect((await call('GET', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`)).json().metadata.name).toBe(name);
    expect((await call('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`)).status).toBe(200);
    expect((await call('GET', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`)).status).toBe(404);
  });

  it('answers 408 and closes the connection when a request\'s body does not arrive in time (it held the socket for ever)', () =>
    writesNothing(async () => {
      const reply = await rawExchange(`POST ${NS}/err-ns/configmaps HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${cluster.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"apiVersion":`);
      // After the gateway's 5 s here (60 s by default), found by a check every 5 s.
      expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    }), 30_000);

  it('refuses an unknown field under kubectl\'s default strict validation with 400', () =>
    writesNothing(async () => {
      const withBogus = manifest({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'err-ns', labels: { team: 'a' } }, spec: { bogus: true } });
      const kubectl = await cluster.kubectl(['apply', '-f', '-'], { input: withBogus });
      expect(kubectl.code).not.toBe(0);
      expect(kubectl.stderr).toContain('strict decoding error: unknown field "spec.bogus"');
      const res = await call('POST', `${NS}?fieldValidation=Strict`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'strict' }, spec: { bogus: 1 } });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ reason: 'BadRequest', message: expect.stringContaining('unknown field "spec.bogus"') });
      // A Service's spec and ports too: a misspelt field is not kept silently.
      const typo = manifest({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'typo', namespace: 'default' }, spec: { selector: { app: 'x' }, sessionAfinity: 'ClientIP', ports: [{ port: 80, targetport: 8080 }] } });
      const service = await cluster.kubectl(['apply', '-f', '-'], { input: typo });
      expect(service.code).not.toBe(0);
      expect(service.stderr).toContain('unknown field "spec.ports[0].targetport"');
      expect(service.stderr).toContain('unknown field "spec.sessionAfinity"');
      expect((await cluster.kubectl(['get', 'service', 'typo', '-n', 'default'])).code).not.toBe(0);
    }));

  it('refuses a PUT, or a JSON patch, with a wrong resourceVersion with 409', () =>
    writesNothing(async () => {
      const current = (await call('GET', `${NS}/err-ns`)).json();
      const res = await call('PUT', `${NS}/err-ns`, { ...current, metadata: { ...current.metadata, resourceVersion: '1', labels: { team: 'b' } } });
      expect(res.status).toBe(409);
      expect(res.json()).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409, details: { name: 'err-ns', kind: 'namespaces' } });
      expect(res.json().message).toContain('the object has been modified; please apply your changes to the latest version and try again');
      // A JSON patch setting a stale resourceVersion is a precondition too (it was taken: optimistic locking lost).
      const json = await call('PATCH', `${NS}/err-ns`, [{ op: 'replace', path: '/metadata/resourceVersion', value: '1' }, { op: 'add', path: '/metadata/labels/team', value: 'b' }], 'application/json-patch+json');
      expect(json.status).toBe(409);
    }));

  it('takes a PUT\'s uid as a precondition (409), and refuses a PUT naming another namespace (400) or sent as a patch (415)', async () => {
    await cluster.kubectl(['create', 'configmap', 'put-uid', '-n', 'err-ns', '--from-literal=k=v']);
    const URL = `${NS}/err-ns/configmaps/put-uid`;
    const current = (await call('GET', URL)).json();
    await writesNothing(async () => {
      const other = await call('PUT', URL, { ...current, metadata: { ...current.metadata, uid: '11111111-1111-1111-1111-111111111111' }, data: { k: 'w' } });
      expect(other.status).toBe(409);
      expect(other.json().message).toBe(`Operation cannot be fulfilled on configmaps "put-uid": Precondition failed: UID in precondition: 11111111-1111-1111-1111-111111111111, UID in object meta: ${current.metadata.uid}`);
      const moved = await call('PUT', URL, { ...current, metadata: { ...current.metadata, namespace: 'default' }, data: { k: 'w' } });
      expect(moved.status).toBe(400);
      expect(moved.json().message).toBe('the namespace of the provided object does not match the namespace sent on the request');
      // A body sent as a patch is no object: 415, as from kube-apiserver.
      const asPatch = await call('PUT', URL, { ...current, data: { k: 'w' } }, 'application/merge-patch+json');
      expect(asPatch.status).toBe(415);
      expect(asPatch.json().message).toBe('the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf');
    });
    // Its own uid, or none, is fine.
    expect((await call('PUT', URL, { ...current, data: { k: 'w' } })).status).toBe(200);
    const { uid: _uid, namespace: _ns, resourceVersion: _rv, ...bare } = current.metadata;
    expect((await call('PUT', URL, { ...current, metadata: bare, data: { k: 'x' } })).status).toBe(200);
    await cluster.kubectl(['delete', 'configmap', 'put-uid', '-n', 'err-ns']);
  });

  it('refuses DeleteOptions kube-apiserver refuses, from the query or a body, with 400 or 422, and deletes nothing', async () => {
    await cluster.kubectl(['create', 'configmap', 'kept', '-n', 'err-ns', '--from-literal=k=v']);
    const KEPT = `${NS}/err-ns/configmaps/kept`;
    const withBody = async (name: string, body: object) => {
      const file = join(scratch, `${name}.json`);
      writeFileSync(file, JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', ...body }));
      return cluster.kubectl(['delete', '--raw', KEPT, '-f', file]);
    };
    await writesNothing(async () => {
      // kubectl checks --grace-period itself; the parameter codec's 400 is for raw clients, read before the object is.
      for (const path of [`${KEPT}?gracePeriodSeconds=abc`, '/api/v1/namespaces/default/pods/x?gracePeriodSeconds=abc']) {
        const grace = await cluster.kubectl(['delete', '--raw', path]);
        expect(grace.code).not.toBe(0);
        expect(grace.stderr).toContain('Error from server (BadRequest): strconv.ParseInt: parsing "abc": invalid syntax');
      }
      const policy = await withBody('policy', { propagationPolicy: 'Sideways' });
      expect(policy.code).not.toBe(0);
      expect(policy.stderr).toContain('The DeleteOptions "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"');
      const both = await withBody('both', { orphanDependents: true, propagationPolicy: 'Orphan' });
      expect(both.stderr).toContain('propagationPolicy: Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set');
      const dryRun = await call('DELETE', `${KEPT}?dryRun=Some`);
      expect(dryRun.status).toBe(422);
      expect(dryRun.json()).toMatchObject({
        kind: 'Status', reason: 'Invalid', code: 422, message: 'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Some"}: supported values: "All"',
        details: { name: '', group: 'meta.k8s.io', kind: 'DeleteOptions', causes: [{ field: 'dryRun', reason: 'FieldValueNotSupported' }] },
      });
      const collection = await call('DELETE', `${NS}/err-ns/configmaps?propagationPolicy=Sideways`);
      expect(collection.status).toBe(422);
      const stale = await withBody('stale', { preconditions: { resourceVersion: '1' } });
      expect(stale.stderr).toContain('Error from server (Conflict): Operation cannot be fulfilled on ConfigMap "kept": the ResourceVersion in the precondition (1) does not match');
      expect((await cluster.kubectl(['get', 'configmap', 'kept', '-n', 'err-ns', '-o', 'name'])).stdout.trim()).toBe('configmap/kept');
    });
  });

  it('refuses a create\'s, an update\'s or a patch\'s bad options with 422 naming the options kind, and writes nothing', async () => {
    const CM = `${NS}/err-ns/configmaps`;
    const made = await call('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'opts' }, data: { a: '1' } });
    expect(made.status).toBe(201);
    const stored = made.json();
    await writesNothing(async () => {
      const create = await call('POST', `${CM}?dryRun=Server`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'opts-2' } });
      expect(create.status).toBe(422);
      expect(create.json()).toMatchObject({
        kind: 'Status', reason: 'Invalid', code: 422,
        message: 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Server"}: supported values: "All"',
        details: { name: '', group: 'meta.k8s.io', kind: 'CreateOptions', causes: [{ field: 'dryRun', reason: 'FieldValueNotSupported' }] },
      });
      const update = await call('PUT', `${CM}/opts?fieldValidation=strict`, { ...stored, data: { a: '2' } });
      expect(update.status).toBe(422);
      expect(update.json().message).toBe('UpdateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"');
      const patch = await call('PATCH', `${CM}/opts?force=true&dryRun=x`, { data: { a: '3' } }, 'application/merge-patch+json');
      expect(patch.status).toBe(422);
      expect(patch.json().message).toBe(
        'PatchOptions.meta.k8s.io "" is invalid: [force: Forbidden: may not be specified for non-apply patch, dryRun: Unsupported value: []string{"x"}: supported values: "All"]',
      );
      // kubectl --dry-run=server sends dryRun=All: taken, and nothing written either.
      const dry = await cluster.kubectl(['create', 'configmap', 'opts-3', '-n', 'err-ns', '--dry-run=server', '-o', 'name']);
      expect(dry.stdout.trim()).toBe('configmap/opts-3');
    });
    expect((await cluster.kubectl(['get', 'configmap', 'opts', '-n', 'err-ns', '-o', 'jsonpath={.data.a}'])).stdout).toBe('1');
  });

  it('refuses a patch that moves the object or changes its uid, and strategic merge directives strategicpatch refuses, in kube-apiserver\'s words', async () => {
    await cluster.kubectl(['apply', '-f', '-'], {
      input: manifest({ apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'pt', namespace: 'err-ns' }, template: { spec: { containers: [{ name: 'a', image: 'busybox:1', args: ['x'] }] } } }),
    });
    const patch = (type: string, body: unknown) => cluster.kubectl(['patch', 'podtemplate', 'pt', '-n', 'err-ns', `--type=${type}`, '-p', JSON.stringify(body)]);
    const refused = async (type: string, body: unknown, message: string) => {
      const result = await patch(type, body);
      expect({ body, code: result.code, stderr: result.stderr.trim() }).toEqual({ body, code: 1, stderr: message });
    };
    await writesNothing(async () => {
      // Undone without a word before: the patcher's name and namespace checks (400), BeforeUpdate's immutable uid (422).
      await refused('json', [{ op: 'replace', path: '/metadata/name', value: 'other' }], 'Error from server (BadRequest): the name of the object (other) does not match the name on the URL (pt)');
      await refused('json', [{ op: 'remove', path: '/metadata/name' }], 'Error from server (BadRequest): the name of the object () does not match the name on the URL (pt)');
      await refused('merge', { metadata: { namespace: 'default' } }, 'Error from server (BadRequest): the namespace of the provided object does not match the namespace sent on the request');
      const uid = '00000000-0000-4000-8000-000000000000';
      await refused('json', [{ op: 'replace', path: '/metadata/uid', value: uid }], `The PodTemplate "pt" is invalid: metadata.uid: Invalid value: "${uid}": field is immutable`);
      // Ignored before. kube-apiserver sends these as a 500 with no reason (errors that are no Status); 400 here, same words.
      await refused('strategic', { template: { spec: { containers: [{ image: 'busybox:2' }] } } }, 'Error from server (BadRequest): map: map[image:busybox:2] does not contain declared merge key: name');
      await refused('strategic', { template: { spec: { $patch: 'x' } } }, 'Error from server (BadRequest): unknown patch type: x in map: map[$patch:x]');
      await refused('strategic', { template: { spec: { $retainKeys: 'containers' } } }, 'Error from server (BadRequest): invalid patch format of retainKeys');
      await refused('strategic', { template: { spec: { '$setElementOrder/containers': 'a' } } }, 'Error from server (BadRequest): expected a []interface {}, but received a string');
      // A deletion list that is no list replaces the list, which validation then refuses (422, as kube's decoding).
      const notList = await patch('strategic', { template: { spec: { containers: [{ name: 'a', '$deleteFromPrimitiveList/args': 'x' }] } } });
      expect(notList.code).toBe(1);
      expect(notList.stderr).toContain('The PodTemplate "pt" is invalid: template.spec.containers[0].args');
    });
    expect(JSON.parse((await cluster.kubectl(['get', 'podtemplate', 'pt', '-n', 'err-ns', '-o', 'json'])).stdout).template.spec.containers).toEqual([
      expect.objectContaining({ name: 'a', image: 'busybox:1', args: ['x'] }),
    ]);
  });

  it('reads force on an apply patch as the parameter codec reads a bool: any value but false and 0 forces', async () => {
    const APPLY = 'application/apply-patch+yaml';
    const path = `${NS}/err-ns/configmaps/forced`;
    const applied = (a: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'forced' }, data: { a } });
    expect((await call('PATCH', `${path}?fieldManager=one`, applied('1'), APPLY)).status).toBe(201);
    expect((await call('PATCH', `${path}?fieldManager=two&force=false`, applied('2'), APPLY)).status).toBe(409);
    // force=x was read as false: a conflict kube-apiserver forces through.
    const forced = await call('PATCH', `${path}?fieldManager=two&force=x`, applied('2'), APPLY);
    expect(forced.status).toBe(200);
    expect(forced.json().data).toEqual({ a: '2' });
    // An apply that would create an object naming a uid: 409, none has it (it was created with a uid of its own).
    const uid = await call('PATCH', `${NS}/err-ns/configmaps/with-uid?fieldManager=one`, { ...applied('1'), metadata: { name: 'with-uid', uid: 'u-1' } }, APPLY);
    expect(uid.status).toBe(409);
    expect(uid.json().message).toBe('Operation cannot be fulfilled on configmaps "with-uid": uid mismatch: the provided object specified uid u-1, and no existing object was found');
  });

  it('refuses a strategic merge patch on a custom kind and protobuf bodies with 415', () =>
    writesNothing(async () => {
      const raw = await call('PATCH', `${HOSTS}/err-host`, { spec: { unschedulable: true } }, 'application/strategic-merge-patch+json');
      expect(raw.status).toBe(415);
      expect(raw.json()).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
      const kubectl = await cluster.kubectl(['patch', 'host', 'err-host', '-p', '{"spec":{"unschedulable":true}}']);
      expect(kubectl.code).not.toBe(0);
      expect(kubectl.stderr).toContain('application/strategic-merge-patch+json is not supported');
      const protobuf = await call('POST', HOSTS, Buffer.from('k8s\u0000\n\u0004Host'), 'application/vnd.kubernetes.protobuf');
      expect(protobuf.status).toBe(415);
      expect(protobuf.json()).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType' });
      // The reviews kubectl auth sends as protobuf, cut short: 400, not the 500 a truncated varint or field answered.
      for (const path of ['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', '/apis/authentication.k8s.io/v1/selfsubjectreviews']) {
        for (const bytes of [[0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f], [0x0a, 0x02, 0x0a, 0x00, 0x12, 0x05, 0x68]]) {
          const cut = await call('POST', path, Buffer.concat([Buffer.from('k8s\u0000'), Buffer.from(bytes)]), 'application/vnd.kubernetes.protobuf');
          expect({ path, status: cut.status, message: cut.json().message }).toEqual({ path, status: 400, message: expect.stringMatching(/^the protobuf body cannot be decoded: truncated (varint|field)$/) });
        }
      }
    }));

  it('refuses requests without a token or with a wrong one with 401', async () => {
    const none = await cluster.request('GET', NS, { token: null });
    expect(none.status).toBe(401);
    expect(none.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await cluster.request('GET', NS, { token: 'not-the-token' })).status).toBe(401);

    // The generated kubeconfig with its user taken away. kubectl would then prompt for a user name
    // on stdin (client-go's interactive loader), so it is given basic credentials instead: no token.
    const config = parseYaml(readFileSync(cluster.kubeconfig, 'utf8'));
    config.users = [];
    for (const context of config.contexts ?? []) delete context.context.user;
    const anonymous = join(scratch, 'anonymous.kubeconfig');
    writeFileSync(anonymous, toYaml(config));
    const noUser = await cluster.kubectl(['get', 'ns', '--username=nobody', '--password=secret'], { env: { KUBECONFIG: anonymous } });
    expect(noUser.code).not.toBe(0);
    expect(noUser.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
    const wrong = await cluster.kubectl(['get', 'ns', '--token=wrong']);
    expect(wrong.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
    expect((await cluster.kubectl(['get', 'ns', 'err-ns', '-o', 'name'])).stdout.trim()).toBe('namespace/err-ns');
  });

  it('answers 503 and writes nothing while the policy service is down, and keeps serving reads', () =>
    writesNothing(async () => {
      // Stopped, not killed: the launcher would restart a dead service at once.
      cluster.killService('policy', 'SIGSTOP');
      try {
        // In err-ns, whose LimitRange the policy service must judge writes by.
        const kubectl = await cluster.kubectl(['create', '-f', '-'], { input: manifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'no-policy', namespace: 'err-ns' } }) });
        expect(kubectl.code).not.toBe(0);
        expect(kubectl.stderr).toContain('Error from server (ServiceUnavailable)');
        const raw = await cluster.request('POST', `${NS}/err-ns/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'no-policy' } } });
        expect(raw.status).toBe(503);
        expect(raw.json()).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
        expect((await cluster.kubectl(['get', 'configmap', 'no-policy', '-n', 'err-ns'])).stderr).toContain('configmaps "no-policy" not found');
        expect((await cluster.kubectl(['get', 'ns', '-l', 'team=a', '-o', 'name'])).stdout.trim()).toBe('namespace/err-ns');
      } finally {
        cluster.killService('policy', 'SIGCONT');
      }
    }));
});
