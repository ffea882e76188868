import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlOnTerminal } from './support/kubectl-terminal';

/** hostPath volumes, hostPID and hostNetwork pods, and kubectl debug node/…, with the real kubectl on one real host. */
describe('host namespaces, hostPath volumes and kubectl debug node', () => {
  let cluster: TestCluster;
  let node: string;
  let files: string;
  /** A process of the machine's, with an argument nothing else has, for hostPID pods to see. */
  let marker: ChildProcess;
  const env = () => ({ ...process.env, KUBECONFIG: cluster.kubeconfig, KUBECACHEDIR: `${cluster.dataDir}/kube-cache` });
  const apply = (pod: object) => cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', ...pod }) });
  const podJson = (name: string) => cluster.kubectl(['get', 'pod', name, '-o', 'json']).then((r) => JSON.parse(r.stdout));
  const running = (name: string) => eventually(async () => expect((await podJson(name)).status.phase).toBe('Running'), { timeoutMs: 60_000 });
  const sleeper = (name: string, spec: object = {}, container: object = {}) => ({
    metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], ...container }], ...spec },
  });

  beforeAll(async () => {
    cluster = await startCluster({ label: 'hostns', hostCount: 1 });
    await cluster.hostsReady(1);
    node = cluster.hosts[0].name;
    files = join(cluster.dataDir, 'machine-files');
    mkdirSync(files, { recursive: true });
    writeFileSync(join(files, 'greeting'), 'hello from the machine\n');
    marker = spawn('sleep', ['4242.75'], { stdio: 'ignore' });
  }, 180_000);
  afterAll(async () => {
    marker?.kill('SIGKILL');
    await cluster?.stop();
  }, 60_000);

  it('mounts a file and a directory of the machine into a pod, the directory read-only', async () => {
    const volumes = [{ name: 'greeting', hostPath: { path: join(files, 'greeting'), type: 'File' } }, { name: 'files', hostPath: { path: files } }];
    const volumeMounts = [{ name: 'greeting', mountPath: '/etc/greeting' }, { name: 'files', mountPath: '/machine', readOnly: true }];
    expect((await apply(sleeper('reader', { volumes }, { volumeMounts }))).code).toBe(0);
    await running('reader');
    expect((await cluster.kubectl(['exec', 'reader', '--', 'cat', '/etc/greeting'])).stdout).toBe('hello from the machine\n');
    const write = await cluster.kubectl(['exec', 'reader', '--', 'touch', '/machine/new']);
    expect(write.stderr).toContain('Read-only file system');
    // kube-apiserver's default type, as kubectl shows it.
    expect((await podJson('reader')).spec.volumes[1].hostPath).toEqual({ path: files, type: '' });
  }, 120_000);

  it('holds a pod whose hostPath fails its type check in ContainerCreating, with kubelet\'s FailedMount Event', async () => {
    const path = join(files, 'greeting');
    const pod = sleeper('wrong-type', { volumes: [{ name: 'x', hostPath: { path, type: 'Directory' } }] }, { volumeMounts: [{ name: 'x', mountPath: '/x' }] });
    expect((await apply(pod)).code).toBe(0);
    const message = `MountVolume.SetUp failed for volume "x" : hostPath type check failed: ${path} is not a directory`;
    await eventually(async () => {
      const events = JSON.parse((await cluster.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=wrong-type', '-o', 'json'])).stdout).items;
      expect(events.filter((e: any) => e.reason === 'FailedMount').map((e: any) => e.message)).toContain(message);
    }, { timeoutMs: 60_000 });
    expect((await podJson('wrong-type')).status.containerStatuses[0].state.waiting.reason).toBe('ContainerCreating');
  }, 120_000);

  it('refuses a hostPath with a `..` element or an unknown type with a 422 naming the field', async () => {
    const bad = sleeper('bad-path', { volumes: [{ name: 'x', hostPath: { path: '/var/../etc', type: 'Dir' } }] });
    const r = await apply(bad);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Pod "bad-path" is invalid');
    expect(r.stderr).toContain(`spec.volumes[0].hostPath.path: Invalid value: "/var/../etc": must not contain '..'`);
    expect(r.stderr).toContain('spec.volumes[0].hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice"');
  }, 60_000);

  it('shows a hostPID pod the machine\'s processes', async () => {
    expect((await apply(sleeper('pids', { hostPID: true }))).code).toBe(0);
    await running('pids');
    const ps = await cluster.kubectl(['exec', 'pids', '--', 'ps', '-o', 'args']);
    expect(ps.stdout).toMatch(/^sleep 4242\.75$/m);
  }, 120_000);

  it('gives a hostNetwork pod the host\'s address and no address of its namespace\'s range', async () => {
    expect((await apply(sleeper('hostnet', { hostNetwork: true }))).code).toBe(0);
    await running('hostnet');
    const pod = await podJson('hostnet');
    expect(pod.status.podIP).toBe(pod.status.hostIP);
    expect(pod.status.podIPs).toEqual(pod.status.hostIPs);
    expect(pod.metadata.annotations?.['openpacific.io/pod-ip']).toBeUndefined();
    // Where hosts network their pods, any other pod has an address of its namespace's /24.
    if (cluster.network.podCIDR) expect((await podJson('reader')).status.podIP).toMatch(new RegExp(`^${cluster.network.podCIDR.split('.').slice(0, 2).join('\\.')}\\.`));
    // The machine's own name, and kubelet's hosts file for a pod on the host's network.
    expect((await cluster.kubectl(['exec', 'hostnet', '--', 'hostname'])).stdout.trim()).toBe(readFileSync('/proc/sys/kernel/hostname', 'utf8').trim());
    expect((await cluster.kubectl(['exec', 'hostnet', '--', 'head', '-1', '/etc/hosts'])).stdout).toBe('# Kubernetes-managed hosts file (host network).\n');
  }, 120_000);

  it('runs kubectl debug node/<host> -- ls /host in a pod on that host with its root at /host, its output in kubectl logs', async () => {
    const r = await cluster.kubectl(['debug', `node/${node}`, '--image=busybox', '--', 'ls', '/host'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    // kubectl 1.32's default profile, with its own warning.
    expect(r.stderr).toContain('--profile=legacy is deprecated');
    const name = new RegExp(`Creating debugging pod (node-debugger-${node}-[a-z0-9]{5}) with container debugger on node ${node}\\.`).exec(r.stdout)?.[1];
    expect(name).toBeDefined();
    await eventually(async () => expect((await podJson(name!)).status.phase).toBe('Succeeded'), { timeoutMs: 60_000 });
    const logs = (await cluster.kubectl(['logs', name!])).stdout.split('\n');
    expect(logs).toEqual(expect.arrayContaining(['etc', 'proc', 'usr']));
    const pod = await podJson(name!);
    expect(pod.spec).toMatchObject({ nodeName: node, hostPID: true, hostNetwork: true, hostIPC: true, restartPolicy: 'Never', tolerations: [{ operator: 'Exists' }] });
    expect(pod.spec.volumes).toContainEqual({ name: 'host-root', hostPath: { path: '/', type: '' } });
    // Bound by its author (nodeName), it still takes no address of the namespace's range.
    expect(pod.status.podIP).toBe(pod.status.hostIP);
    expect(pod.metadata.annotations?.['openpacific.io/pod-ip']).toBeUndefined();
  }, 120_000);

  it('makes the same pod, privileged, for --profile=sysadmin', async () => {
    const r = await cluster.kubectl(['debug', `node/${node}`, '--profile=sysadmin', '--image=busybox', '--', 'cat', '/host/etc/hostname'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const name = /Creating debugging pod (\S+) with container/.exec(r.stdout)![1];
    await eventually(async () => expect((await podJson(name)).status.phase).toBe('Succeeded'), { timeoutMs: 60_000 });
    expect((await cluster.kubectl(['logs', name])).stdout).toBe(readFileSync('/etc/hostname', 'utf8'));
    const pod = await podJson(name);
    expect(pod.spec).toMatchObject({ hostPID: true, hostNetwork: true, hostIPC: true });
    expect(pod.spec.containers[0].securityContext).toMatchObject({ privileged: true });
  }, 120_000);

  it('gives kubectl debug node/<host> -it a shell that sees the machine\'s files and processes', async () => {
    const input = 'cat /host/etc/hostname\\nps -o args | grep -c "^sleep 4242.75$"\\nexit\\n';
    const { out, code } = await kubectlOnTerminal(`kubectl debug node/${node} -it --image=busybox`, input, env());
    expect(out).toMatch(new RegExp(`^${readFileSync('/etc/hostname', 'utf8').trim()}\\r$`, 'm'));
    expect(out).toMatch(/^1\r$/m);
    expect(code).toBe(0);
  }, 120_000);
});
