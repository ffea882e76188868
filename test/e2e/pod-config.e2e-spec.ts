import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * What a pod takes from the API, as kubelet gives it, through the real kubectl on real (isolated) process pods:
 * env vars from ConfigMaps, Secrets, the pod's own fields and resources; envFrom; configMap, secret, downwardAPI and
 * projected volumes, read-only, updated in place when their ConfigMap changes; a volume's subPath (a ConfigMap key
 * as a file, a directory of an emptyDir) and a subPath leading out of its volume refused; a container waiting for what
 * it refers to (CreateContainerConfigError, FailedMount) until it exists; bad references refused at the API.
 */
const pod = (name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'config', tier: 'web' }, annotations: { note: 'say "hi"' } },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exec sleep 3600'], ...container }], ...spec },
  });

describe('ConfigMaps, Secrets and the downward API in pods', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], opts?: { input?: string; timeoutMs?: number }) => cluster.kubectl(args, opts);
  const ok = async (args: string[], input?: string) => {
    const r = await kubectl(args, input === undefined ? undefined : { input });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const sh = (name: string, command: string) => kubectl(['exec', name, '--', 'sh', '-c', command]);
  const running = (name: string) =>
    eventually(async () => expect((await kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Running'), { timeoutMs: 30_000 });
  const waiting = async (name: string) => JSON.parse((await kubectl(['get', 'pod', name, '-o', 'json'])).stdout).status.containerStatuses?.[0]?.state?.waiting;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'pod-config', hostCount: 1 });
    await cluster.hostsReady(1);
    await ok(['create', 'configmap', 'app', '--from-literal=greeting=hello', '--from-literal=mode=fast', '--from-literal=bad-name=skipped']);
    await ok(['create', 'secret', 'generic', 'creds', '--from-literal=password=s3cret', '--from-literal=user=admin']);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('gives a container env vars from a ConfigMap, a Secret, its pod and its limits, with $(VAR) references and envFrom prefixes', async () => {
    await ok(['apply', '-f', '-'], pod('env', {
      env: [
        { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'app', key: 'greeting' } } },
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
        { name: 'MISSING_OK', valueFrom: { configMapKeyRef: { name: 'nowhere', key: 'x', optional: true } } },
        { name: 'ME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'TIER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'MEMORY_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'MESSAGE', value: '$(GREETING) from $(ME), not $$(ME)' },
        { name: 'mode', value: 'own value wins' },
      ],
      envFrom: [{ configMapRef: { name: 'app' } }, { prefix: 'SECRET_', secretRef: { name: 'creds' } }],
      resources: { limits: { memory: '64Mi' } },
    }));
    await running('env');
    const printed = (await sh('env', 'echo "$GREETING|$PASSWORD|${MISSING_OK-unset}|$ME|$TIER|$NODE|$MEMORY_MI|$MESSAGE|$mode|$greeting|$SECRET_user"')).stdout;
    expect(printed).toBe('hello|s3cret|unset|env|web|host-1|64|hello from env, not $(ME)|own value wins|hello|admin\n');
    const ip = (await kubectl(['get', 'pod', 'env', '-o', 'jsonpath={.status.podIP}'])).stdout;
    expect((await sh('env', 'echo $IP')).stdout).toBe(`${ip}\n`);
  }, 60_000);

  it('mounts configMap, secret, downwardAPI and projected volumes read-only, with their modes, and updates a ConfigMap volume in place', async () => {
    await ok(['apply', '-f', '-'], pod('vols', {
      volumeMounts: [
        { name: 'config', mountPath: '/etc/config' },
        { name: 'secret', mountPath: '/etc/secret' },
        { name: 'podinfo', mountPath: '/etc/podinfo' },
        { name: 'all', mountPath: '/etc/all' },
        { name: 'scratch', mountPath: '/scratch' },
      ],
    }, {
      volumes: [
        { name: 'config', configMap: { name: 'app' } },
        { name: 'secret', secret: { secretName: 'creds', items: [{ key: 'password', path: 'db/password', mode: 0o400 }] } },
        { name: 'podinfo', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } }, { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
        {
          name: 'all',
          projected: {
            sources: [
              { configMap: { name: 'app', items: [{ key: 'mode', path: 'mode' }] } },
              { secret: { name: 'creds', items: [{ key: 'user', path: 'user' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
            ],
          },
        },
        { name: 'scratch', emptyDir: {} },
      ],
    }));
    await running('vols');
    expect((await sh('vols', 'cat /etc/config/greeting /etc/config/mode; echo; ls /etc/config')).stdout).toBe('hellofast\nbad-name\ngreeting\nmode\n');
    expect((await sh('vols', 'cat /etc/secret/db/password; echo; stat -L -c %a /etc/secret/db/password /etc/config/greeting')).stdout).toBe('s3cret\n400\n644\n');
    expect((await sh('vols', 'cat /etc/podinfo/labels; echo; cat /etc/podinfo/annotations; echo; cat /etc/podinfo/name')).stdout).toContain('app="config"\ntier="web"\n');
    expect((await sh('vols', 'cat /etc/podinfo/annotations')).stdout).toContain('note="say \\"hi\\""');
    expect((await sh('vols', 'cat /etc/podinfo/name')).stdout).toBe('vols');
    expect((await sh('vols', 'cat /etc/all/mode /etc/all/user /etc/all/namespace')).stdout).toBe('fastadmindefault');
    const write = await sh('vols', 'echo x > /etc/config/new');
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/Read-only file system/);
    expect((await sh('vols', 'echo x > /scratch/new && cat /scratch/new')).stdout).toBe('x\n');

    await ok(['patch', 'configmap', 'app', '-p', JSON.stringify({ data: { greeting: 'bonjour' } })]);
    await eventually(async () => expect((await sh('vols', 'cat /etc/config/greeting')).stdout).toBe('bonjour'), { timeoutMs: 20_000 });
    // The env of a running container is as it was made.
    expect((await sh('env', 'echo $GREETING')).stdout).toBe('hello\n');
    await ok(['patch', 'configmap', 'app', '-p', JSON.stringify({ data: { greeting: 'hello' } })]);
  }, 90_000);

  it('mounts a ConfigMap holding nearly 1 MiB, larger than one NATS message to its host', async () => {
    // The volume's files go to the host's runtime in one request: over a NATS message, through the object store.
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'large' }, data: { blob: 'L'.repeat(1_040_000) } });
    await ok(['create', '-f', '-'], body);
    await ok(['apply', '-f', '-'], pod('large', { volumeMounts: [{ name: 'large', mountPath: '/large' }] }, { volumes: [{ name: 'large', configMap: { name: 'large' } }] }));
    await running('large');
    expect((await sh('large', 'wc -c < /large/blob; head -c 3 /large/blob')).stdout).toBe('1040000\nLLL');
  }, 90_000);

  it('holds a container in CreateContainerConfigError until the ConfigMap its env names exists, and says why', async () => {
    await ok(['apply', '-f', '-'], pod('later', { env: [{ name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'level' } } }] }));
    await eventually(async () => expect(await waiting('later')).toEqual({ reason: 'CreateContainerConfigError', message: 'configmap "settings" not found' }), { timeoutMs: 20_000 });
    expect((await kubectl(['get', 'pod', 'later', '--no-headers'])).stdout).toMatch(/^later\s+0\/1\s+CreateContainerConfigError\s+0/);
    await eventually(async () => expect((await kubectl(['describe', 'pod', 'later'])).stdout).toMatch(/Warning\s+Failed\s+.*Error: configmap "settings" not found/), { timeoutMs: 10_000 });
    await ok(['create', 'configmap', 'settings', '--from-literal=other=1']);
    await eventually(async () => expect(await waiting('later')).toEqual({ reason: 'CreateContainerConfigError', message: "couldn't find key level in ConfigMap default/settings" }), { timeoutMs: 20_000 });
    await ok(['patch', 'configmap', 'settings', '-p', JSON.stringify({ data: { level: 'debug' } })]);
    await running('later');
    expect((await sh('later', 'echo $LEVEL')).stdout).toBe('debug\n');
  }, 90_000);

  it('keeps a pod ContainerCreating with a FailedMount Event while a volume\'s Secret is missing; an optional one mounts empty', async () => {
    await ok(['apply', '-f', '-'], pod('mountless', { volumeMounts: [{ name: 's', mountPath: '/s' }, { name: 'maybe', mountPath: '/maybe' }] }, {
      volumes: [{ name: 's', secret: { secretName: 'tls' } }, { name: 'maybe', configMap: { name: 'absent', optional: true } }],
    }));
    await eventually(async () => expect((await waiting('mountless'))?.reason).toBe('ContainerCreating'), { timeoutMs: 20_000 });
    await eventually(async () => expect((await kubectl(['describe', 'pod', 'mountless'])).stdout).toMatch(/Warning\s+FailedMount\s+.*MountVolume\.SetUp failed for volume "s" : secret "tls" not found/), { timeoutMs: 10_000 });
    await ok(['create', 'secret', 'generic', 'tls', '--from-literal=tls.key=k']);
    await running('mountless');
    expect((await sh('mountless', 'cat /s/tls.key; ls /maybe | wc -l')).stdout).toBe('k0\n');
  }, 90_000);

  it('mounts a ConfigMap key as a file by subPath, read-only and as it was, and an emptyDir subPath one container writes and another reads', async () => {
    await ok(['create', 'configmap', 'app-conf', '--from-literal=app.conf=level=info', '--from-literal=other=x']);
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sub' },
      spec: {
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'config', configMap: { name: 'app-conf' } }, { name: 'shared', emptyDir: {} }],
        containers: [
          {
            name: 'writer', image: 'busybox', command: ['sh', '-c', 'echo from $POD_NAME > /out/note; exec sleep 3600'],
            env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            volumeMounts: [{ name: 'shared', mountPath: '/out', subPathExpr: 'logs/$(POD_NAME)' }],
          },
          {
            name: 'reader', image: 'busybox', command: ['sh', '-c', 'exec sleep 3600'],
            volumeMounts: [
              { name: 'config', mountPath: '/etc/app/app.conf', subPath: 'app.conf' },
              { name: 'config', mountPath: '/etc/config' },
              { name: 'shared', mountPath: '/shared' },
            ],
          },
        ],
      },
    }));
    await running('sub');
    const reader = (command: string) => kubectl(['exec', 'sub', '-c', 'reader', '--', 'sh', '-c', command]);
    expect((await reader('test -f /etc/app/app.conf && cat /etc/app/app.conf; echo; ls -A /etc/app')).stdout).toBe('level=info\napp.conf\n');
    await eventually(async () => expect((await reader('cat /shared/logs/sub/note')).stdout).toBe('from sub\n'), { timeoutMs: 10_000 });
    expect((await kubectl(['exec', 'sub', '-c', 'writer', '--', 'ls', '-A', '/out'])).stdout).toBe('note\n');
    const write = await reader('echo x > /etc/app/app.conf');
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/Read-only file system/);

    // The whole volume follows the ConfigMap; the key's file stays as it was mounted, as in Kubernetes.
    await ok(['patch', 'configmap', 'app-conf', '-p', JSON.stringify({ data: { 'app.conf': 'level=debug' } })]);
    await eventually(async () => expect((await reader('cat /etc/config/app.conf')).stdout).toBe('level=debug'), { timeoutMs: 20_000 });
    expect((await reader('cat /etc/app/app.conf')).stdout).toBe('level=info');
  }, 90_000);

  it('refuses a subPath that a symlink in its volume leads out of, as kubelet does: CreateContainerConfigError and a Failed Event', async () => {
    await ok(['apply', '-f', '-'], pod('escape', { volumeMounts: [{ name: 'shared', mountPath: '/host', subPath: 'escape' }] }, {
      volumes: [{ name: 'shared', emptyDir: {} }],
      initContainers: [{ name: 'link', image: 'busybox', command: ['ln', '-s', '/', '/shared/escape'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }],
    }));
    const message = 'failed to prepare subPath for volumeMount "shared" of container "c"';
    await eventually(async () => expect(await waiting('escape')).toEqual({ reason: 'CreateContainerConfigError', message }), { timeoutMs: 30_000 });
    expect((await kubectl(['get', 'pod', 'escape', '--no-headers'])).stdout).toMatch(/^escape\s+0\/1\s+CreateContainerConfigError\s+0/);
    await eventually(async () => expect((await kubectl(['describe', 'pod', 'escape'])).stdout).toContain(`Error: ${message}`), { timeoutMs: 10_000 });
  }, 60_000);

  it('refuses a bad reference with a 422 naming the field, and writes nothing', async () => {
    const twoSources = await kubectl(['create', '-f', '-'], {
      input: pod('bad-env', { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'app', key: 'mode' }, secretKeyRef: { name: 'creds', key: 'user' } } }] }),
    });
    expect(twoSources.code).not.toBe(0);
    expect(twoSources.stderr).toContain('spec.containers[0].env[0].valueFrom');
    expect(twoSources.stderr).toContain('may not have more than one field specified at a time');
    const badPath = await kubectl(['create', '-f', '-'], {
      input: pod('bad-vol', { volumeMounts: [{ name: 'v', mountPath: '/v' }] }, { volumes: [{ name: 'v', configMap: { name: 'app', items: [{ key: 'mode', path: '../escape' }] } }] }),
    });
    expect(badPath.code).not.toBe(0);
    expect(badPath.stderr).toContain('spec.volumes[0].configMap.items[0].path');
    const both = await kubectl(['create', '-f', '-'], {
      input: pod('bad-sub', { volumeMounts: [{ name: 'v', mountPath: '/v', subPath: 'a', subPathExpr: '$(POD_NAME)' }] }, { volumes: [{ name: 'v', emptyDir: {} }] }),
    });
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "$(POD_NAME)": subPathExpr and subPath are mutually exclusive');
    for (const name of ['bad-env', 'bad-vol', 'bad-sub']) expect((await kubectl(['get', 'pod', name])).stderr).toContain('NotFound');
  }, 30_000);
});
