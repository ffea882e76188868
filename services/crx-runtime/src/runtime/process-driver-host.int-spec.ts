import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ContainerConfig, PodSandboxConfig } from '@openpacific/contracts';
import { eventually } from '@openpacific/testing';
import { findTool, preparePodNetwork } from './pod-network';
import { ProcessDriver } from './process-driver';
import { processTree } from './process-tree';

const shim = resolve(__dirname, '..', '..', 'dist', 'shim', 'crx-shim.js');
// Outside 10.64–10.95 (test clusters) and 10.60 (pod-network.int-spec.ts), so they never meet.
const POD_CIDR = '10.59.0.0/16';
const BRIDGE = 'op59h3';
const netnsCapable = process.getuid?.() === 0 && !!findTool('ip') && !!findTool('nsenter') && !!findTool('unshare');
const linkExists = (name: string) => spawnSync('ip', ['link', 'show', 'dev', name], { stdio: 'ignore' }).status === 0;

describe('hostPath volumes and host namespaces in the process driver (isolated containers)', () => {
  const root = mkdtempSync(join(tmpdir(), 'crx-host-'));
  const machine = join(root, 'machine');
  let driver: ProcessDriver;
  let pods = 0;
  let marker: ChildProcess;

  beforeAll(() => {
    if (!existsSync(shim)) throw new Error(`${shim} missing: run npm run build first`);
    if (netnsCapable && linkExists(BRIDGE)) execFileSync('ip', ['link', 'del', BRIDGE]);
    const network = netnsCapable ? preparePodNetwork({ request: 'netns', podCIDR: POD_CIDR, driver: 'process', podSubnet: '', hostName: 'host-3' }) : undefined;
    driver = new ProcessDriver(join(root, 'runtime'), 3, shim, network);
    if (!driver.images.isolating) throw new Error('these tests need isolation: root, busybox-static and crx-init (npm run build)');
    mkdirSync(join(machine, 'etc'), { recursive: true });
    writeFileSync(join(machine, 'etc', 'motd'), 'written on the machine\n');
    // A process of the machine's, with an argument no other has, for hostPID containers to find.
    marker = spawn('sleep', ['3601.25'], { stdio: 'ignore' });
  });
  afterAll(async () => {
    marker?.kill('SIGKILL');
    for (const s of driver?.listPodSandboxes() ?? []) await driver.removePodSandbox(s.id);
    driver?.close();
    if (netnsCapable && linkExists(BRIDGE)) execFileSync('ip', ['link', 'del', BRIDGE]);
    rmSync(root, { recursive: true, force: true });
  });

  /** Runs `script` in a new pod's container and returns its log once it ended, with its exit code. */
  async function run(script: string, pod: Partial<PodSandboxConfig> = {}, extra: Partial<ContainerConfig> = {}) {
    pods++;
    // In netns mode the scheduler gives a pod of its own network an address; one on the host's has the host's.
    const ip = netnsCapable && !pod.hostNetwork ? { ip: `10.59.1.${10 + pods}` } : {};
    const sandbox = driver.runPodSandbox({ podUid: `uid-${pods}`, podName: `host-${pods}`, podNamespace: 'default', ...ip, ...pod });
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['sh', '-c', script], ...extra }, 0);
    await driver.startContainer(c.id);
    await eventually(() => expect(driver.containerStatus(c.id).state).toBe('CONTAINER_EXITED'));
    return { log: driver.readLogs({ containerId: c.id }).content, exitCode: driver.containerStatus(c.id).exitCode, sandbox };
  }

  it('binds a hostPath directory read-only, and a single file of the machine at a path of its own', async () => {
    const mounts = [
      { name: 'etc', mountPath: '/host/etc', hostPath: join(machine, 'etc'), readOnly: true },
      { name: 'motd', mountPath: '/etc/motd', hostPath: join(machine, 'etc', 'motd') },
    ];
    const { log, exitCode } = await run('cat /host/etc/motd; echo more >> /etc/motd; touch /host/etc/new 2>&1; true', {}, { mounts });
    expect(exitCode).toBe(0);
    expect(log).toMatch(/^written on the machine\ntouch: \/host\/etc\/new: Read-only file system\n$/);
    // The file is the machine's own: what the container appended is there.
    expect(readFileSync(join(machine, 'etc', 'motd'), 'utf8')).toBe('written on the machine\nmore\n');
    expect(existsSync(join(machine, 'etc', 'new'))).toBe(false);
  });

  it('shows a hostPID container the machine\'s processes, and another only its own', async () => {
    const find = 'ps -o args | grep -c "^sleep 3601.25$"; echo "me $$"';
    const host = await run(find, { hostPID: true });
    expect(host.log).toMatch(/^1\nme (\d+)\n$/);
    // The machine's numbering: far past the 2 its shell has under its own init (PID 1) in a namespace of its own.
    expect(Number(/me (\d+)/.exec(host.log)![1])).toBeGreaterThan(2);
    const own = await run(find);
    expect(own.log).toBe('0\nme 2\n');
  });

  (netnsCapable ? it : it.skip)('keeps a hostNetwork pod on the machine\'s network, with its name and hosts file', async () => {
    const script = 'ip -o link show | grep -c " lo:"; ip -o link show | grep -c ": eth0@"; hostname; echo "$POD_IP"; head -1 /etc/hosts';
    const host = await run(script, { hostNetwork: true, ip: '127.0.0.1' });
    const hostsHead = readFileSync('/etc/hosts', 'utf8').split('\n')[0];
    // The machine's links (its loopback, no eth0 of a pod's veth), its name, and kubelet's hosts file (host network).
    expect(host.log).toBe(`1\n0\n${hostname()}\n127.0.0.1\n# Kubernetes-managed hosts file (host network).\n`);
    expect(host.sandbox.ip).toBe('127.0.0.1');
    expect(readFileSync(join(host.sandbox.directory, 'hosts'), 'utf8')).toContain(hostsHead);
    expect(driver.podSandboxStatus(host.sandbox.id).state).toBe('SANDBOX_READY');
    const own = await run(script);
    expect(own.log).toBe(`1\n1\n${own.sandbox.config.podName}\n${own.sandbox.ip}\n# Kubernetes-managed hosts file.\n`);
  });

  (netnsCapable ? it : it.skip)('gives a pod one IPC namespace of its own, shared by its containers and exec sessions; hostIPC keeps the machine\'s', async () => {
    /** A pod of two containers that say their IPC namespace and stay; and what an exec session in the first says. */
    const pod = async (config: Partial<PodSandboxConfig>) => {
      pods++;
      const ip = config.hostNetwork ? {} : { ip: `10.59.1.${10 + pods}` };
      const sandbox = driver.runPodSandbox({ podUid: `uid-${pods}`, podName: `ipc-${pods}`, podNamespace: 'default', ...ip, ...config });
      const ids: string[] = [];
      for (const name of ['a', 'b']) {
        const c = driver.createContainer(sandbox.id, { name, image: 'busybox', command: ['sh', '-c', 'readlink /proc/self/ns/ipc; exec sleep 3600'] }, 0);
        await driver.startContainer(c.id);
        ids.push(c.id);
      }
      const seen = await eventually(() => {
        const said = ids.map((id) => driver.readLogs({ containerId: id }).content.trim());
        for (const s of said) expect(s).toMatch(/^ipc:\[\d+\]$/);
        return said;
      });
      const exec = await driver.execSync({ containerId: ids[0], command: ['readlink', '/proc/self/ns/ipc'], timeoutSeconds: 5 });
      for (const id of ids) await driver.stopContainer(id, 0);
      return { containers: seen, exec: exec.stdout.trim() };
    };
    const machine = readlinkSync('/proc/self/ns/ipc');
    const first = await pod({});
    expect(first.containers[1]).toBe(first.containers[0]);
    expect(first.exec).toBe(first.containers[0]);
    expect(first.containers[0]).not.toBe(machine);
    const second = await pod({});
    expect(second.containers[0]).toBe(second.containers[1]);
    expect(second.containers[0]).not.toBe(first.containers[0]);
    expect(second.containers[0]).not.toBe(machine);
    const host = await pod({ hostIPC: true });
    expect(host).toEqual({ containers: [machine, machine], exec: machine });
  });

  it('shares one process namespace among a pod\'s containers with shareProcessNamespace, ended with its sandbox', async () => {
    /** A pod whose first container sleeps with an argument of its own, and whose second lists the processes it sees. */
    const pod = async (config: Partial<PodSandboxConfig>) => {
      pods++;
      const ip = netnsCapable ? { ip: `10.59.1.${10 + pods}` } : {};
      const sandbox = driver.runPodSandbox({ podUid: `uid-${pods}`, podName: `pidns-${pods}`, podNamespace: 'default', ...ip, ...config });
      const sleeper = driver.createContainer(sandbox.id, { name: 'sleeper', image: 'busybox', command: ['sleep', '3602.5'] }, 0);
      await driver.startContainer(sleeper.id);
      const looker = driver.createContainer(sandbox.id, { name: 'looker', image: 'busybox', command: ['sh', '-c', 'ps -o pid,args; echo "me $$"'] }, 0);
      await driver.startContainer(looker.id);
      await eventually(() => expect(driver.containerStatus(looker.id).state).toBe('CONTAINER_EXITED'));
      return { sandbox, sleeper, log: driver.readLogs({ containerId: looker.id }).content };
    };
    const shared = await pod({ shareProcessNamespace: true });
    // The sandbox's PID 1 (crx-pidns), the other container's process, and its own shell, none of them PID 1.
    expect(shared.log).toMatch(/^\s*1 .*crx-pidns$/m);
    expect(shared.log).toMatch(/^\s*\d+ sleep 3602\.5$/m);
    expect(Number(/me (\d+)/.exec(shared.log)![1])).toBeGreaterThan(2);
    // The pod's namespace is not the machine's: the machine's own processes are not there.
    expect(shared.log).not.toMatch(/sleep 3601\.25/);
    const own = await pod({});
    expect(own.log).not.toMatch(/sleep 3602\.5/);
    expect(own.log).toMatch(/me 2\n$/);
    // Removing the sandbox ends its namespace: no process of the machine is left in it, its PID 1 included.
    // The container's status pid is crx-init's first process, in the machine's namespace; its sleep is in the pod's.
    const sleep = processTree(driver.containerStatus(shared.sleeper.id).pid!).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\u00003602.5\u0000')!;
    const namespace = readlinkSync(`/proc/${sleep}/ns/pid`);
    expect(namespace).not.toBe(readlinkSync('/proc/self/ns/pid'));
    const inNamespace = () => readdirSync('/proc').filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/pid`) === namespace;
      } catch {
        return false;
      }
    });
    expect(inNamespace().length).toBeGreaterThan(1);
    await driver.removePodSandbox(shared.sandbox.id);
    await eventually(() => expect(inNamespace()).toEqual([]));
  });

  (netnsCapable ? it : it.skip)('keeps a hostNetwork pod out of a network namespace without isolation too, its hostPath in VOLUME_<NAME>', async () => {
    const bare = new ProcessDriver(join(root, 'bare'), 4, shim, preparePodNetwork({ request: 'netns', podCIDR: POD_CIDR, driver: 'process', podSubnet: '', hostName: 'host-4' }));
    // A host without busybox-static or crx-init: its containers run on the machine's root, started through busybox itself.
    Object.defineProperty(bare.images, 'isolating', { value: false });
    try {
      const runBare = async (pod: Partial<PodSandboxConfig>) => {
        const sandbox = bare.runPodSandbox({ podUid: `uid-bare-${++pods}`, podName: `bare-${pods}`, podNamespace: 'default', ...pod });
        const mounts = [{ name: 'motd', mountPath: '/etc/motd', hostPath: join(machine, 'etc', 'motd') }];
        const c = bare.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['busybox', 'sh', '-c', `busybox ip -o link show dev ${BRIDGE} 2>/dev/null | busybox wc -l; busybox cat "$VOLUME_MOTD"`], mounts }, 0);
        await bare.startContainer(c.id);
        await eventually(() => expect(bare.containerStatus(c.id).state).toBe('CONTAINER_EXITED'));
        return bare.readLogs({ containerId: c.id }).content;
      };
      // The other host's bridge is a link of the machine's network: seen from the host's network only.
      expect(await runBare({ hostNetwork: true, ip: '127.0.0.1' })).toMatch(/^1\nwritten on the machine\n/);
      expect(await runBare({ ip: '10.59.1.200' })).toMatch(/^0\nwritten on the machine\n/);
    } finally {
      for (const s of bare.listPodSandboxes()) await bare.removePodSandbox(s.id);
      bare.close();
      if (linkExists('op59h4')) execFileSync('ip', ['link', 'del', 'op59h4']);
    }
  });
});
