import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CrxErrorCodes, PodSandboxConfig } from '@openpacific/contracts';
import { eventually } from '@openpacific/testing';
import { findTool, preparePodNetwork } from './pod-network';
import { ProcessDriver } from './process-driver';
import { endSpareShell } from './spare-shells';
import { alive } from './process-tree';

const shim = resolve(__dirname, '..', '..', 'dist', 'shim', 'crx-shim.js');
// Outside 10.64–10.95, which test clusters take (indexedClusterNetwork), so they never meet.
const POD_CIDR = '10.60.0.0/16';
const BRIDGES = ['op60h1', 'op60h2'];
// A namespace per pod needs root and iproute2; elsewhere only the fallback can be shown.
const capable = process.getuid?.() === 0 && !!findTool('ip') && !!findTool('nsenter') && !!findTool('unshare');
const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });
const linkExists = (name: string) => spawnSync('ip', ['link', 'show', 'dev', name], { stdio: 'ignore' }).status === 0;
const settings = (hostName: string) => ({ request: 'netns' as const, podCIDR: POD_CIDR, driver: 'process' as const, podSubnet: '', hostName });
const pod = (name: string, podIp?: string): PodSandboxConfig => ({
  podUid: `uid-${name}`, podName: name, podNamespace: 'default', ip: podIp,
  dns: { nameservers: ['10.97.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'] },
});

(capable ? describe : describe.skip)('pods in their own network namespaces (process driver)', () => {
  const root = mkdtempSync(join(tmpdir(), 'crx-netns-'));
  let host1: ProcessDriver;
  let host2: ProcessDriver;

  beforeAll(() => {
    if (!existsSync(shim)) throw new Error(`${shim} missing: run npm run build first`);
    for (const b of BRIDGES) if (linkExists(b)) ip('link', 'del', b);
    host1 = new ProcessDriver(join(root, 'host-1'), 1, shim, preparePodNetwork(settings('host-1')));
    host2 = new ProcessDriver(join(root, 'host-2'), 2, shim, preparePodNetwork(settings('host-2')));
    // host-1 stands for a host without busybox-static: its containers run on the host's root.
    Object.defineProperty(host1.images, 'isolating', { value: false });
  });
  afterAll(async () => {
    for (const d of [host1, host2]) for (const s of d?.listPodSandboxes() ?? []) await d.removePodSandbox(s.id);
    for (const d of [host1, host2]) d?.close();
    for (const b of BRIDGES) if (linkExists(b)) ip('link', 'del', b);
    rmSync(root, { recursive: true, force: true });
  });

  it('sets up a bridge per host with its gateway address and reports the mode', () => {
    expect(host1.version().podNetwork).toEqual({ mode: 'netns', bridge: 'op60h1', gateway: '10.60.0.1' });
    expect(host2.version().podNetwork).toEqual({ mode: 'netns', bridge: 'op60h2', gateway: '10.60.0.2' });
    expect(ip('-4', '-o', 'addr', 'show', 'dev', 'op60h2')).toContain('inet 10.60.0.2/32');
    expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim()).toBe('1');
    // Again, as a restarted runtime does: the bridge is re-used.
    expect(preparePodNetwork(settings('host-2')).status.mode).toBe('netns');
  });

  it('connects a pod on one host to a pod on another by their addresses, each with eth0 in its own namespace', async () => {
    const a = host1.runPodSandbox(pod('a', '10.60.1.11'));
    const b = host2.runPodSandbox(pod('b', '10.60.1.12'));
    expect([a.ip, b.ip]).toEqual(['10.60.1.11', '10.60.1.12']);
    // index.html says who serves, the CGI script who asks (REMOTE_ADDR: the client pod's own address, no NAT).
    const cgi = '#!/bin/sh\necho Content-Type: text/plain\necho\necho "$REMOTE_ADDR"';
    const serve = `mkdir -p /www/cgi-bin && echo "hello from $POD_IP" > /www/index.html && printf '%s\\n' '${cgi}' > /www/cgi-bin/peer && chmod +x /www/cgi-bin/peer && exec httpd -f -p 8080 -h /www`;
    const server = host2.createContainer(b.id, { name: 'web', image: 'busybox', command: ['sh', '-c', serve] }, 0);
    await host2.startContainer(server.id);
    // On host-1 the container runs on the host's root, so it is started through busybox itself.
    const client = host1.createContainer(a.id, { name: 'client', image: 'busybox', command: ['busybox', 'sleep', '3600'] }, 0);
    await host1.startContainer(client.id);

    const wget = await eventually(async () => {
      const r = await host1.execSync({ containerId: client.id, command: ['busybox', 'wget', '-qO-', 'http://10.60.1.12:8080/'], timeoutSeconds: 3 });
      expect(r).toMatchObject({ exitCode: 0, stdout: 'hello from 10.60.1.12\n' });
      return r;
    });
    expect(wget.stdout).toBe('hello from 10.60.1.12\n');
    const peer = await host1.execSync({ containerId: client.id, command: ['busybox', 'wget', '-qO-', 'http://10.60.1.12:8080/cgi-bin/peer'], timeoutSeconds: 3 });
    expect(peer.stdout).toMatch(/^\[?(::ffff:)?10\.60\.1\.11\]?\n$/); // httpd listens on IPv6 too: a v4-mapped address

    const inA = await host1.execSync({ containerId: client.id, command: ['ip', '-4', '-o', 'addr', 'show'], timeoutSeconds: 3 });
    expect(inA.stdout).toMatch(/eth0\s+inet 10\.60\.1\.11\/32/);
    expect(inA.stdout).not.toContain('10.60.0.1/32'); // the host's bridge is not in the pod's namespace
    const inB = await host2.execSync({ containerId: server.id, command: ['cat', '/proc/net/route', '/etc/resolv.conf'], timeoutSeconds: 3 });
    expect(inB.stdout).toMatch(/^eth0\s+00000000\s+02003C0A/m); // default via 10.60.0.2, host-2's gateway
    expect(inB.stdout).toContain('nameserver 10.97.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n');
    // The machine reaches a pod too (its route to the pod's /32 on the pod's host's bridge).
    expect(ip('-4', '-o', 'route', 'show', '10.60.1.12/32')).toContain('dev op60h2');
  });

  it('ends the namespace, its veth and its route when the sandbox stops, keeping the logs until it is removed', async () => {
    const c = host2.runPodSandbox(pod('c', '10.60.2.5'));
    await host2.persisted(); // the state file holds it (the server answers only then)
    const pause = JSON.parse(readFileSync(join(root, 'host-2', 'state.json'), 'utf8')).networks[c.id];
    expect(alive(pause.pid)).toBe(true);
    const said = host2.createContainer(c.id, { name: 'done', image: 'busybox', command: ['sh', '-c', 'echo finished'] }, 0);
    await host2.startContainer(said.id);
    await eventually(() => expect(host2.containerStatus(said.id).state).toBe('CONTAINER_EXITED'));
    await host2.stopPodSandbox(c.id, 1);
    // A finished pod's sandbox (the host stops it as kubelet does): its address is free on this host at once...
    expect(alive(pause.pid)).toBe(false);
    expect(ip('-4', '-o', 'route', 'show', 'dev', 'op60h2')).not.toContain('10.60.2.5');
    await eventually(() => expect(linkExists(pause.veth)).toBe(false));
    expect(JSON.parse(readFileSync(join(root, 'host-2', 'state.json'), 'utf8')).networks[c.id]).toBeUndefined();
    expect(host2.podSandboxStatus(c.id).state).toBe('SANDBOX_NOTREADY');
    const again = host2.runPodSandbox(pod('c-next', '10.60.2.5'));
    expect(again.ip).toBe('10.60.2.5');
    await host2.removePodSandbox(again.id);
    // ...while what it wrote is still read, until the sandbox is removed.
    expect(readFileSync(host2.containerStatus(said.id).logPath, 'utf8')).toContain('finished');
    await host2.removePodSandbox(c.id);
    expect(existsSync(join(root, 'host-2', 'pods', 'default_c_uid-c'))).toBe(false);
  });

  it('reports a sandbox whose pause died as not ready after a restart, and drops routes of pods it no longer has', async () => {
    const d = host2.runPodSandbox(pod('d', '10.60.2.6'));
    await host2.persisted();
    const { pid } = JSON.parse(readFileSync(join(root, 'host-2', 'state.json'), 'utf8')).networks[d.id];
    host2.close();
    process.kill(pid, 'SIGKILL');
    ip('route', 'replace', '10.60.9.9/32', 'dev', 'op60h2');
    host2 = new ProcessDriver(join(root, 'host-2'), 2, shim, preparePodNetwork(settings('host-2')));
    expect(host2.podSandboxStatus(d.id).state).toBe('SANDBOX_NOTREADY');
    const routes = ip('-4', '-o', 'route', 'show', 'dev', 'op60h2');
    expect(routes).not.toContain('10.60.9.9');
    expect(routes).not.toContain('10.60.2.6');
    expect(routes).toContain('10.60.1.12'); // pod b still runs and keeps its route
    expect(host2.runPodSandbox(pod('d', '10.60.2.6')).id).not.toBe(d.id);
  });

  // A sandbox that finds no spare ready: crx-netns (native/crx-netns.c) where it was built, else ip and nsenter.
  it.each([
    ['crx-netns', resolve(__dirname, '..', '..', 'dist', 'shim', 'crx-netns')],
    ['ip and nsenter (no C compiler at build time)', undefined],
  ])('makes a namespace on demand with %s: eth0 addressed and routed both ways; a failed one leaves nothing', async (_how, helper) => {
    if (helper && !existsSync(helper)) throw new Error(`${helper} missing: run npm run build first (it needs cc)`);
    const network = preparePodNetwork(settings('host-2')).network!;
    const address = helper ? '10.60.3.7' : '10.60.3.8';
    const id = helper ? 'a1b2c3d4e5f6' : 'f6e5d4c3b2a1';
    const made = network.attach(id, address, helper);
    try {
      expect(made).toMatchObject({ ip: address, veth: `opv${id.slice(0, 8)}` });
      expect(network.alive(made)).toBe(true);
      const inside = (...args: string[]) => execFileSync('nsenter', [`--net=/proc/${made.pid}/ns/net`, '--', 'ip', ...args], { encoding: 'utf8' });
      expect(inside('-4', '-o', 'addr', 'show', 'dev', 'eth0')).toContain(`inet ${address}/32`);
      expect(inside('-o', 'link', 'show', 'dev', 'lo')).toMatch(/\bUP\b/);
      expect(inside('route', 'show', 'default')).toContain('default via 10.60.0.2 dev eth0');
      expect(ip('-o', 'link', 'show', 'dev', made.veth)).toMatch(/master op60h2 state UP/);
      expect(ip('-4', '-o', 'route', 'show', 'dev', 'op60h2')).toContain(`${address} scope link`);
      // The same host end again: refused, and its pause is not left behind.
      const pauses = () => processesNamed('crx-netns').filter((p) => alive(p)).length;
      const before = pauses();
      expect(() => network.attach(id, '10.60.3.9', helper)).toThrow(expect.objectContaining({ code: CrxErrorCodes.startFailed, message: expect.stringMatching(/File exists/) }));
      await eventually(() => expect(pauses()).toBeLessThanOrEqual(before));
      expect(ip('-4', '-o', 'route', 'show', 'dev', 'op60h2')).not.toContain('10.60.3.9');
    } finally {
      network.detach(made);
    }
  });

  it('keeps spare namespaces ready, gives a sandbox one, and ends them when the runtime stops', async () => {
    const dir = join(root, 'host-2-spares');
    const driver = new ProcessDriver(dir, 2, shim, preparePodNetwork(settings('host-2')));
    const spares = () => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).spares as { pid: number; veth: string }[];
    await eventually(() => expect(spares()).toHaveLength(2));
    const [first] = spares();
    const sandbox = driver.runPodSandbox(pod('spare', '10.60.2.9'));
    await driver.persisted();
    const attachment = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).networks[sandbox.id];
    expect(attachment).toMatchObject({ pid: first.pid, veth: first.veth, ip: '10.60.2.9' });
    expect(ip('-4', '-o', 'route', 'show', 'dev', 'op60h2')).toContain('10.60.2.9');
    const inside = (...args: string[]) => execFileSync('nsenter', [`--net=/proc/${first.pid}/ns/net`, '--', 'ip', ...args], { encoding: 'utf8' });
    expect(inside('-4', '-o', 'addr', 'show', 'dev', 'eth0')).toContain('inet 10.60.2.9/32');
    expect(inside('route', 'show', 'default')).toContain('default via 10.60.0.2 dev eth0');
    await eventually(() => expect(spares()).toHaveLength(2));
    const left = spares();
    await driver.removePodSandbox(sandbox.id);
    driver.close();
    expect(spares()).toEqual([]);
    await eventually(() => expect(left.filter((s) => linkExists(s.veth))).toEqual([]));
  });

  it('gives a spare its address through the shell that made it, also after a restart; with that shell gone, or none, still gives the sandbox a network', async () => {
    const dir = join(root, 'host-2-helpers');
    const first = new ProcessDriver(dir, 2, shim, preparePodNetwork(settings('host-2')));
    const state = () => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    // The shell that made a spare is its pause's parent until it exits (the pause is then adopted).
    const shellOf = (pid: number) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const parent = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      return readFileSync(`/proc/${parent}/comm`, 'utf8').trim() === 'sh' ? parent : '';
    };
    let second: ProcessDriver | undefined;
    let orphanFifo: string | undefined;
    try {
      await eventually(() => expect(state().spares).toHaveLength(2));
      const [a, b] = state().spares as { pid: number }[];
      expect(shellOf(a.pid)).not.toBe('');
      // a's shell killed: the spare is given up and the sandbox gets a namespace of its own.
      process.kill(Number(shellOf(a.pid)), 'SIGTERM');
      await eventually(() => expect(shellOf(a.pid)).toBe(''));
      const viaNew = first.runPodSandbox(pod('helper-gone', '10.60.2.20'));
      await first.persisted();
      const attachedNew = state().networks[viaNew.id];
      expect(attachedNew.pid).not.toBe(a.pid);
      expect(alive(a.pid)).toBe(false);
      // b's shell answers: b takes the address, and the shell is done.
      const viaHelper = first.runPodSandbox(pod('helper', '10.60.2.21'));
      await first.persisted();
      expect(state().networks[viaHelper.id].pid).toBe(b.pid);
      await eventually(() => expect(shellOf(b.pid)).toBe(''));
      // A runtime started again hands a spare its predecessor made the address through that spare's shell (its
      // FIFO is in the state), and one from an older runtime's state, without a shell, by running ip itself.
      await eventually(() => expect(state().spares).toHaveLength(2));
      const saved = state();
      const [c, d] = saved.spares as { pid: number; addressFifo?: string }[];
      expect(c.addressFifo).toMatch(/\.addr$/);
      orphanFifo = d.addressFifo;
      delete d.addressFifo;
      writeFileSync(join(dir, 'state.json'), JSON.stringify(saved));
      second = new ProcessDriver(dir, 2, shim, preparePodNetwork(settings('host-2')));
      const viaFifo = second.runPodSandbox(pod('restarted', '10.60.2.22'));
      await second.persisted();
      expect(state().networks[viaFifo.id].pid).toBe(c.pid);
      const viaRun = second.runPodSandbox(pod('restarted-older', '10.60.2.23'));
      await second.persisted();
      expect(state().networks[viaRun.id].pid).toBe(d.pid);
      for (const [sandbox, address] of [[viaNew, '10.60.2.20'], [viaHelper, '10.60.2.21'], [viaFifo, '10.60.2.22'], [viaRun, '10.60.2.23']] as const) {
        const pid = state().networks[sandbox.id].pid;
        const addrs = execFileSync('nsenter', [`--net=/proc/${pid}/ns/net`, '--', 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' });
        expect(addrs).toContain(`inet ${address}/32`);
        expect(ip('-4', '-o', 'route', 'show', 'dev', 'op60h2')).toContain(address);
      }
    } finally {
      const last = second ?? first;
      for (const s of last.listPodSandboxes()) await last.removePodSandbox(s.id);
      first.close();
      second?.close();
      if (orphanFifo) endSpareShell(orphanFifo);
    }
  });

  it('refuses a sandbox without an address from the pod network, naming what is wrong', () => {
    expect(() => host1.runPodSandbox(pod('none'))).toThrow(expect.objectContaining({ code: CrxErrorCodes.invalid, message: expect.stringContaining('PodSandboxConfig.ip is required') }));
    expect(() => host1.runPodSandbox(pod('outside', '10.92.1.3'))).toThrow(/not an IPv4 address in POD_CIDR 10\.60\.0\.0\/16/);
    expect(() => host1.runPodSandbox(pod('gateway', '10.60.0.7'))).toThrow(/holds the hosts' bridge gateways/);
    expect(() => host1.runPodSandbox(pod('twin', '10.60.1.11'))).toThrow(expect.objectContaining({ code: CrxErrorCodes.conflict }));
  });
});

describe('the loopback fallback', () => {
  it('keeps pods on loopback addresses when told to, and says why', () => {
    const { status, network } = preparePodNetwork({ request: 'loopback', podCIDR: POD_CIDR, driver: 'process', podSubnet: '', hostName: 'host-3' });
    expect(status).toEqual({ mode: 'loopback', reason: 'CRX_POD_NETWORK=loopback' });
    expect(network).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'crx-loopback-'));
    const driver = new ProcessDriver(dir, 3, shim, { status, network });
    expect(driver.version().podNetwork).toEqual(status);
    expect(driver.runPodSandbox(pod('lo', '10.60.1.20')).ip).toBe('127.103.0.2');
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start when a namespace per pod is insisted on but cannot be had', () => {
    expect(() => preparePodNetwork({ request: 'netns', podCIDR: '', driver: 'process', podSubnet: '', hostName: 'host-3' })).toThrow(
      'CRX_POD_NETWORK=netns but pods cannot have their own network namespace on this host: POD_CIDR not set',
    );
  });
});

/** Pids of the processes whose command name is `name`. */
function processesNamed(name: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number);
}
