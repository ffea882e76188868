import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bridgeName, CodedError, CrxErrorCodes, hostGateway, inCIDR, isIPv4, parseCIDR, podSubnet, PodSandboxConfig } from '@openpacific/contracts';
import { alive } from './process-tree';
import { endSpareShell, giveSpareAddress, namespaceSetup, SpareShells } from './spare-shells';

/** `CRX_POD_NETWORK`: `auto` takes a namespace per pod where the host allows it. */
export type PodNetworkRequest = 'auto' | 'netns' | 'loopback';

/** What `version().podNetwork` reports; the spherelet-agent annotates its Node with `mode`. */
export interface PodNetworkStatus {
  mode: 'netns' | 'loopback';
  /** Why pods share the host's network (loopback only). */
  reason?: string;
  /** The host's pod bridge and its gateway address (netns only). */
  bridge?: string;
  gateway?: string;
}

/** What keeps a sandbox's network namespace: its pause process, and that namespace's identity (pids get reused). */
export interface PodNetworkAttachment {
  pid: number;
  /** `readlink /proc/<pid>/ns/net`, e.g. `net:[4026532301]`. */
  netns: string;
  ip: string;
  /** The host end of its veth pair (on the bridge). */
  veth: string;
}

/**
 * A namespace made ahead of its sandbox: pause, veth pair on the bridge, `eth0` up and routed to the gateway; no
 * address yet. `addressFifo`: where its shell waits for the address (spare-shells.ts).
 */
export type SpareNetwork = Omit<PodNetworkAttachment, 'ip'> & { addressFifo?: string };

export interface PodNetworkSettings {
  request: PodNetworkRequest;
  /** The cluster's pod /16; empty = pods on loopback addresses. */
  podCIDR: string;
  driver: 'process' | 'sim';
  /** A guest cluster's worker keeps its 127.x /24 (`CRX_POD_SUBNET`). */
  podSubnet: string;
  hostName: string;
}

const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const TOOLS = ['ip', 'unshare', 'nsenter', 'sleep'] as const;
type Tools = Record<(typeof TOOLS)[number], string>;

/** The number at the end of the host's name (`host-2` → 2), as pod addressing takes it; 0 without one. */
export function hostIndexOf(hostName: string): number {
  return Number(/(\d+)$/.exec(hostName)?.[1] ?? 0);
}

/** An executable on the host's PATH, whatever PATH this process was given. */
export function findTool(name: string): string | undefined {
  return HOST_PATH.split(':').map((d) => join(d, name)).find((p) => existsSync(p));
}

/** Why pods of this host must share its network, before anything is tried; undefined = a namespace per pod may work. */
export function loopbackReason(s: PodNetworkSettings, host: { uid: number; missing: string[] }): string | undefined {
  if (s.request === 'loopback') return 'CRX_POD_NETWORK=loopback';
  if (!s.podCIDR) return 'POD_CIDR not set';
  if (s.driver !== 'process') return `CRX_DRIVER=${s.driver}`;
  if (s.podSubnet) return `CRX_POD_SUBNET=${s.podSubnet} (a guest cluster's worker keeps its loopback subnet)`;
  const index = hostIndexOf(s.hostName);
  if (index < 1 || index > 254) return `host index ${index} (from HOST_NAME ${s.hostName}) is not 1..254`;
  if (host.uid !== 0) return 'not root';
  if (host.missing.length) return `${host.missing.map((t) => (t === 'ip' ? 'iproute2' : t)).join(', ')} not found`;
  return undefined;
}

/**
 * Decides how this host's pods are networked and sets the host up for a namespace per pod (its bridge, forwarding):
 * that set-up is the trial, so a host that cannot falls back to loopback with the error as the reason. A forced
 * `netns` that cannot be had stops the runtime instead.
 */
export function preparePodNetwork(s: PodNetworkSettings): { status: PodNetworkStatus; network?: PodNetwork } {
  if (s.podCIDR) parseCIDR(s.podCIDR, 'POD_CIDR', 16);
  const found = Object.fromEntries(TOOLS.map((t) => [t, findTool(t)]));
  const missing = TOOLS.filter((t) => !found[t]);
  let reason = loopbackReason(s, { uid: process.getuid?.() ?? -1, missing });
  if (!reason) {
    const network = new PodNetwork(s.podCIDR, hostIndexOf(s.hostName), found as Tools);
    try {
      network.setUpHost();
      return { status: { mode: 'netns', bridge: network.bridge, gateway: network.gateway }, network };
    } catch (err) {
      reason = (err as Error).message;
    }
  }
  if (s.request === 'netns') throw new Error(`CRX_POD_NETWORK=netns but pods cannot have their own network namespace on this host: ${reason}`);
  return { status: { mode: 'loopback', reason } };
}

/**
 * One host's pod network: a bridge holding the host's gateway address, and per sandbox a pause process holding a
 * network namespace, joined to the bridge by a veth pair (`eth0` inside), the pod's address a /32 routed to it.
 */
export class PodNetwork {
  readonly bridge: string;
  readonly gateway: string;
  private readonly spares: SpareShells;

  constructor(
    readonly podCIDR: string,
    readonly hostIndex: number,
    private readonly tools: Tools,
  ) {
    this.bridge = bridgeName(podCIDR, hostIndex);
    this.gateway = hostGateway(podCIDR, hostIndex);
    this.spares = new SpareShells(tools, this.bridge, this.gateway);
  }

  /** Idempotent: a restarted runtime re-uses its bridge. */
  setUpHost(): void {
    if (!this.ipOk(['link', 'show', 'dev', this.bridge])) this.ip(['link', 'add', 'name', this.bridge, 'type', 'bridge']);
    this.ip(['addr', 'replace', `${this.gateway}/32`, 'dev', this.bridge]);
    this.ip(['link', 'set', this.bridge, 'up']);
    const forward = '/proc/sys/net/ipv4/ip_forward';
    if (readFileSync(forward, 'utf8').trim() !== '1') writeFileSync(forward, '1');
  }

  /** A sandbox's address must come from a namespace subnet of the cluster, and be no other live sandbox's. */
  checkAddress(config: PodSandboxConfig, taken: string[]): string {
    const { ip } = config;
    const pod = `pod ${config.podNamespace}/${config.podName}`;
    if (!ip) throw new CodedError(CrxErrorCodes.invalid, `${pod}: PodSandboxConfig.ip is required: this host gives each pod its own network namespace (POD_CIDR ${this.podCIDR})`);
    if (!isIPv4(ip) || !inCIDR(ip, this.podCIDR)) throw new CodedError(CrxErrorCodes.invalid, `${pod}: ip "${ip}" is not an IPv4 address in POD_CIDR ${this.podCIDR}`);
    if (inCIDR(ip, podSubnet(this.podCIDR, 0))) throw new CodedError(CrxErrorCodes.invalid, `${pod}: ip ${ip} is in ${podSubnet(this.podCIDR, 0)}, which holds the hosts' bridge gateways`);
    if (taken.includes(ip)) throw new CodedError(CrxErrorCodes.conflict, `${pod}: ip ${ip} is already used by another pod sandbox on this host`);
    return ip;
  }

  /**
   * The sandbox's namespace, up and routed, for a sandbox that found no spare ready; on failure nothing is left behind.
   * With `helper` (crx-netns, native/crx-netns.c, where a C compiler built it) one static program does it all over
   * rtnetlink; else this process starts the pause and runs `ip` outside and, through `nsenter`, inside.
   */
  attach(sandboxId: string, ip: string, helper?: string): PodNetworkAttachment {
    const veth = `opv${sandboxId.slice(0, 8)}`;
    if (helper) {
      try {
        const pid = Number(this.run(helper, [veth, this.bridge, this.gateway, ip]).trim());
        const netns = namespaceOf(pid);
        if (!netns) throw new Error(`its pause process ${pid} is gone`);
        return { pid, netns, ip, veth };
      } catch (err) {
        throw new CodedError(CrxErrorCodes.startFailed, `cannot set up the network of pod sandbox ${sandboxId}: ${(err as Error).message}`);
      }
    }
    const pid = this.startPause();
    try {
      const netns = this.waitForNamespace(pid);
      const { outside, inside } = namespaceSetup(veth, String(pid), this.bridge, this.gateway, ip);
      this.run(this.tools.ip, ['-batch', '-'], outside.join('\n') + '\n');
      this.run(this.tools.nsenter, [`--net=${netnsPath(pid)}`, '--', this.tools.ip, '-batch', '-'], inside.join('\n') + '\n');
      return { pid, netns, ip, veth };
    } catch (err) {
      kill(pid);
      throw new CodedError(CrxErrorCodes.startFailed, `cannot set up the network of pod sandbox ${sandboxId}: ${(err as Error).message}`);
    }
  }

  /**
   * A namespace with everything but the pod's address, made off the start path (asynchronously, while no sandbox
   * waits) by a small shell that then waits for the address (`SpareShells`): a sandbox that takes the spare only
   * hands it the address, and this process forks nothing for either. The shell's files (its output, the FIFOs)
   * go to `dir`.
   */
  async prepareSpare(dir: string): Promise<SpareNetwork> {
    const veth = `opv${randomBytes(4).toString('hex')}`;
    return { ...(await this.spares.make(veth, dir)), veth };
  }

  /**
   * Gives a spare namespace the sandbox's address and routes that to it; on failure the spare is gone. Through
   * the spare's shell, or by running `nsenter` and `ip` here for a spare without one (kept from before shells).
   */
  attachSpare(spare: SpareNetwork, ip: string): PodNetworkAttachment {
    try {
      if (spare.addressFifo) {
        giveSpareAddress(spare.addressFifo, ip);
      } else {
        this.run(this.tools.nsenter, [`--net=${netnsPath(spare.pid)}`, '--', this.tools.ip, 'addr', 'add', `${ip}/32`, 'dev', 'eth0']);
        this.ip(['route', 'replace', `${ip}/32`, 'dev', this.bridge]);
      }
      return { pid: spare.pid, netns: spare.netns, veth: spare.veth, ip };
    } catch (err) {
      kill(spare.pid);
      throw err;
    }
  }

  /** Ends a spare namespace no sandbox took (its veth goes with it), and its shell. */
  discardSpare(spare: SpareNetwork): void {
    if (spare.addressFifo) endSpareShell(spare.addressFifo);
    if (this.alive({ ...spare, ip: '' })) kill(spare.pid);
  }

  /** No more spares from this process: the shell that starts their shells goes. */
  closeSpares(): void {
    this.spares.close();
  }

  /**
   * Ends the namespace (its veth goes with it); the host route stays when `keepRoute` (another sandbox took the
   * address). Either way the machine forgets the address's link-layer neighbour on the bridge, which outlives the
   * veth: the next pod given the address here has another MAC, and until the kernel gave up on the old one (up to
   * 45 s for an entry in use) every packet to it would go to a MAC no port has.
   */
  detach(a: PodNetworkAttachment, keepRoute = false): void {
    if (this.alive(a)) kill(a.pid);
    if (!keepRoute) this.ipOk(['route', 'del', `${a.ip}/32`, 'dev', this.bridge]);
    this.ipOk(['neigh', 'del', a.ip, 'dev', this.bridge]);
  }

  /** Is its pause process still the one holding its namespace (a host killed as a whole takes it down)? */
  alive(a: PodNetworkAttachment): boolean {
    return alive(a.pid) && namespaceOf(a.pid) === a.netns;
  }

  /** Removes the routes of pods this host no longer has (left by a runtime or host that died). */
  sweepRoutes(live: string[]): string[] {
    const out = this.run(this.tools.ip, ['-4', '-o', 'route', 'show', 'dev', this.bridge]);
    const stale = out.split('\n').map((l) => l.split(' ')[0]).filter((dst) => isIPv4(dst) && inCIDR(dst, this.podCIDR) && !live.includes(dst));
    for (const dst of stale) {
      this.ipOk(['route', 'del', `${dst}/32`, 'dev', this.bridge]);
      this.ipOk(['neigh', 'del', dst, 'dev', this.bridge]);
    }
    return stale;
  }

  /** The command prefix that runs a command in a sandbox's network namespace. */
  enter(a: PodNetworkAttachment): string[] {
    return [this.tools.nsenter, `--net=${netnsPath(a.pid)}`, '--'];
  }

  /**
   * Not detached: the pause stays in the host's process group, so a host killed as a whole takes its pods' namespaces
   * with it; nothing waits for it, so it outlives a restart of this runtime.
   */
  private startPause(): number {
    // Spawned without waiting for it (libuv reaps it if it dies while this runtime lives; init does after).
    // The pod's IPC namespace is the pause's too, made by the same unshare.
    const child = spawn(this.tools.unshare, ['--net', '--ipc', '--', this.tools.sleep, 'infinity'], { stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    const pid = child.pid;
    if (!pid) throw new CodedError(CrxErrorCodes.startFailed, 'cannot start the pause process of a pod sandbox');
    return pid;
  }

  /** unshare runs a moment after it was started: wait until the pause is in a namespace of its own. */
  private waitForNamespace(pid: number): string {
    const check = namespaceCheck(pid);
    for (;;) {
      const ns = check();
      if (ns) return ns;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }

  private ip(args: string[]): string {
    return this.run(this.tools.ip, args);
  }

  private ipOk(args: string[]): boolean {
    return spawnSync(this.tools.ip, args, { stdio: 'ignore' }).status === 0;
  }

  private run(file: string, args: string[], input?: string): string {
    try {
      return execFileSync(file, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
      throw new Error(`${file.split('/').pop()} ${args.join(' ')}: ${stderr || (err as Error).message}`);
    }
  }
}

/**
 * `<sandbox dir>/resolv.conf` for the pod's resolver (isolated containers get it as /etc/resolv.conf); none
 * without `config.dns`. `ndots:5` as the kubelet writes it, so `web` and `web.ns` are tried on the search path first.
 */
export function writeResolvConf(directory: string, dns: PodSandboxConfig['dns']): string | undefined {
  if (!dns?.nameservers?.length) return undefined;
  const options = dns.options ?? ['ndots:5'];
  const lines = [...dns.nameservers.map((n) => `nameserver ${n}`), ...(dns.searches?.length ? [`search ${dns.searches.join(' ')}`] : []), ...(options.length ? [`options ${options.join(' ')}`] : [])];
  const path = join(directory, 'resolv.conf');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** The lines kubelet appends to a pod's /etc/hosts for its `spec.hostAliases` (none without any). */
export function hostAliasLines(aliases: Array<{ ip: string; hostnames: string[] }> = []): string {
  if (aliases.length === 0) return '';
  return `\n# Entries added by HostAliases.\n${aliases.map((a) => `${a.ip}\t${a.hostnames.join('\t')}\n`).join('')}`;
}

/**
 * `<sandbox dir>/hosts`, the pod's /etc/hosts as the kubelet writes it (isolated containers get it): localhost, and the
 * pod's address under its host name, or under its cluster DNS name and host name when it has a subdomain; then the
 * pod's host aliases.
 */
export function writeHostsFile(directory: string, ip: string, hostname: string, fqdn?: string, aliases?: Array<{ ip: string; hostnames: string[] }>): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    fqdn ? `${ip}\t${fqdn}\t${hostname}` : `${ip}\t${hostname}`,
  ];
  const path = join(directory, 'hosts');
  writeFileSync(path, lines.join('\n') + '\n' + hostAliasLines(aliases));
  return path;
}

export function netnsPath(pid: number): string {
  return `/proc/${pid}/ns/net`;
}

function namespaceOf(pid: number): string | undefined {
  try {
    return readlinkSync(netnsPath(pid));
  } catch {
    return undefined;
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/**
 * One look at whether the pause `pid` is in a network namespace of its own: the namespace once it is (unshare
 * made it, and the pause only execs sleep after), undefined while not yet; throws once it died or 3 s passed.
 */
function namespaceCheck(pid: number): () => string | undefined {
  const own = namespaceOf(process.pid);
  const deadline = Date.now() + 3000;
  return () => {
    const ns = namespaceOf(pid);
    if (ns && ns !== own) return ns;
    if (!alive(pid) || Date.now() > deadline) throw new Error(`the pause process ${pid} did not get a network namespace of its own`);
    return undefined;
  };
}
