/**
 * The node image of a sim guest: when a VM's user data carries a node section (`GuestNodeConfig`, written by
 * cluster-api per Machine), the guest runs the programs of its role as supervised child processes, against the
 * guest cluster's own database and NATS prefix:
 *
 * - `control-plane`: policy, api-gateway (on the VM's address, port 6443, with the cluster's CA and admin
 *   token), scheduler and, given the cluster's own Service range, vm-operator in its guest mode (Services'
 *   EndpointSlices, Endpoints, proxy and DNS; node ports on the VM's address);
 * - `worker`: crx-runtime and spherelet-agent, registering the node `nodeName`.
 *
 * The programs are this repository's own built services, each bundled into one file as a node image carries
 * them (`services/<svc>/dist/main.bundle.js`, made by `npm run build`: deploy/bundle-services.mjs). Every process
 * of a VM carries `OPENPACIFIC_VM_UID=<uid>` in its environment, so what belongs to a VM can be found and killed
 * (`signalVmProcesses`), including the container shims a worker's crx-runtime leaves running by design.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, isAbsolute, join, normalize, resolve } from 'node:path';
import { GUEST_CLUSTER_ENV, GuestNodeConfig, serviceBundlePath, staleServiceBundle } from '@openpacific/contracts';
import { VM_UID_ENV } from './hypervisor';

/** The VM a guest runs in, as its guest.json describes it. */
export interface GuestVm {
  uid: string;
  name: string;
  ip: string;
  cpus: number;
  memoryBytes: number;
  /** The VM's folder on its host (`<HYPERVISOR_ROOT>/<uid>`); the node's files go to `<dir>/node`. */
  dir: string;
}

/** One program of a node: its name (`api-gateway`), entry file and complete environment. */
export interface GuestService {
  name: string;
  entry: string;
  env: Record<string, string>;
}

/** The port the control plane's api-gateway listens on, at the VM's address. */
export const GUEST_API_PORT = 6443;
/** The Supervisor's issuer public key in the control plane gateway's pki folder. */
const SUPERVISOR_KEY_FILE = 'supervisor-issuer.pub';

const ROLE_SERVICES: Record<GuestNodeConfig['role'], string[]> = {
  // A control-plane VM is a node too (tainted, so workloads go to the workers), as in a kubeadm cluster.
  'control-plane': ['policy', 'api-gateway', 'scheduler', 'vm-operator', 'crx-runtime', 'spherelet-agent'],
  worker: ['crx-runtime', 'spherelet-agent'],
};

/** The programs of a role; vm-operator (the Service proxy) only with the cluster's own Service range, never on the Supervisor's. */
function roleServices(config: GuestNodeConfig): string[] {
  const own = Boolean(config.serviceCIDR);
  return ROLE_SERVICES[config.role].filter((name) => name !== 'vm-operator' || own);
}
/** What marks a control-plane node, as kubeadm labels and taints it. */
const CONTROL_PLANE_ROLE = 'node-role.kubernetes.io/control-plane';
/** The only variables a node's programs take from the guest: never the host agent's own configuration. */
const KEPT_ENV = ['PATH', 'HOME', 'LANG', 'TZ'];
const STOP_GRACE_MS = 4000;
const BACKOFF_FIRST_MS = 200;
const BACKOFF_MAX_MS = 5000;
/** A program that ran this long before it exited starts again at the first backoff step. */
const BACKOFF_RESET_AFTER_MS = 60_000;

/** `<repo>`, seen from the built guest script (`<repo>/services/spherelet-agent/dist/vms/`). */
export function defaultRepoRoot(): string {
  return resolve(__dirname, '..', '..', '..', '..');
}

export function nodeDir(vm: GuestVm): string {
  return join(vm.dir, 'node');
}

/**
 * Where the guest's volumes are: the cluster's own datastore its data names (an absolute, normalised path, outside
 * every VM's folder, so a replaced control-plane VM leaves them be) or, in data made before that, this VM's
 * `<dir>/node/datastore`.
 */
export function nodeDatastoreDir(config: GuestNodeConfig, vm: GuestVm): string {
  const given = config.datastoreDir;
  if (given && isAbsolute(given) && normalize(given) === given) return given;
  return join(nodeDir(vm), 'datastore');
}

/** The programs of a node's role, with their environments. */
export function nodeServices(config: GuestNodeConfig, vm: GuestVm, opts: { repoRoot?: string; env?: NodeJS.ProcessEnv } = {}): GuestService[] {
  const repoRoot = opts.repoRoot ?? defaultRepoRoot();
  const parentEnv = opts.env ?? process.env;
  const dir = nodeDir(vm);
  const kept = Object.fromEntries(KEPT_ENV.filter((k) => parentEnv[k] !== undefined).map((k) => [k, parentEnv[k] as string]));
  const endpoint = config.controlPlaneEndpoint;
  const own: Record<string, Record<string, string>> = {
    policy: {},
    'api-gateway': {
      GATEWAY_BIND: vm.ip,
      GATEWAY_PORT: String(GUEST_API_PORT),
      GATEWAY_PUBLIC_URL: `https://${endpoint.host}:${endpoint.port}`,
      // Its validators compile as its few kinds are first used, not all at once while the workers start.
      GATEWAY_PRECOMPILE_SCHEMAS: 'false',
      TLS_SANS: [...new Set([endpoint.host, vm.ip, 'localhost'])].join(','),
      DATA_DIR: join(dir, 'gateway'),
      // The Supervisor's `kubectl vsphere login` sessions for this cluster (writeGatewayFiles writes the key).
      ...(config.supervisorSessions
        ? {
            SUPERVISOR_ISSUER_PUBLIC_KEY_FILE: join(dir, 'gateway', 'pki', SUPERVISOR_KEY_FILE),
            SUPERVISOR_ISSUER: config.supervisorSessions.issuer,
            SUPERVISOR_SESSION_AUDIENCE: config.supervisorSessions.audience,
          }
        : {}),
    },
    scheduler: { DATASTORE_DIR: nodeDatastoreDir(config, vm) },
    // Only what a guest needs (Services, EndpointSlices, Endpoints, their proxy, cluster DNS); node ports on this VM's address.
    'vm-operator': { VM_OPERATOR_MODE: 'guest', NODE_PORT_ADDRESS: vm.ip },
    'crx-runtime': {
      HOST_NAME: config.nodeName,
      CRX_ROOT: join(dir, 'crx'),
      ...(config.podSubnet ? { CRX_POD_SUBNET: config.podSubnet } : {}),
    },
    'spherelet-agent': {
      HOST_NAME: config.nodeName,
      HYPERVISOR_ROOT: join(dir, 'hypervisor'),
      HOST_CPU: String(vm.cpus),
      HOST_MEMORY: String(vm.memoryBytes),
      // Its Node's InternalIP is the VM's address, where the guest's proxy serves node ports.
      HOST_ADDRESS: vm.ip,
      ...(config.role === 'control-plane' ? { HOST_LABELS: `${CONTROL_PLANE_ROLE}=`, HOST_TAINTS: `${CONTROL_PLANE_ROLE}:NoSchedule` } : {}),
    },
  };
  // The cluster's Service range; LOADBALANCER_CIDR only where the data has one (a Cluster made when each guest took a
  // pair of /16s). Without it the programs default to 127.203.0.0/16 (LOOPBACK_NETWORK's), which a guest uses for
  // nothing: its vm-operator neither listens at nor writes LoadBalancer ingress addresses nor gives host addresses, and
  // routes nothing in 127/8; no other program of a node reads it.
  const network: Record<string, string> = config.serviceCIDR
    ? { SERVICE_CIDR: config.serviceCIDR, ...(config.loadBalancerCIDR ? { LOADBALANCER_CIDR: config.loadBalancerCIDR } : {}) }
    : {};
  return roleServices(config).map((name) => ({
    name,
    entry: serviceBundlePath(repoRoot, name),
    env: {
      ...kept,
      DATABASE_URL: config.databaseUrl,
      NATS_URL: config.natsUrl,
      NATS_PREFIX: config.natsPrefix,
      SECRETS_ENCRYPTION_KEY: config.secretsEncryptionKey,
      LOG_LEVEL: 'info',
      HEALTH_PORT: '0',
      INSTANCE_ID: `${config.nodeName}-${name}`,
      OPENPACIFIC_SERVICE: name,
      [GUEST_CLUSTER_ENV]: config.cluster.uid,
      [VM_UID_ENV]: vm.uid,
      ...network,
      ...own[name],
    },
  }));
}

/**
 * What the control plane's api-gateway finds in its DATA_DIR before it starts: the cluster's CA
 * (`pki/ca.crt`, `pki/ca.key`), the admin's token (`admin.token`) and, when the Supervisor's sessions are let in,
 * the Supervisor's issuer public key (`pki/supervisor-issuer.pub`). The gateway then uses them and issues its serving
 * certificate for its SANs from that CA.
 */
export function writeGatewayFiles(config: GuestNodeConfig, vm: GuestVm): void {
  const dataDir = join(nodeDir(vm), 'gateway');
  mkdirSync(join(dataDir, 'pki'), { recursive: true, mode: 0o700 });
  if (config.caCertPem && config.caKeyPem) {
    writePrivate(join(dataDir, 'pki', 'ca.key'), config.caKeyPem, 0o600);
    writePrivate(join(dataDir, 'pki', 'ca.crt'), config.caCertPem, 0o644);
  }
  if (config.adminToken) writePrivate(join(dataDir, 'admin.token'), `${config.adminToken.trim()}\n`, 0o600);
  if (config.supervisorSessions) writePrivate(join(dataDir, 'pki', SUPERVISOR_KEY_FILE), config.supervisorSessions.publicKeyPem, 0o644);
}

function writePrivate(file: string, content: string, mode: number): void {
  writeFileSync(file, content, { mode });
  chmodSync(file, mode); // writeFileSync sets the mode only on a file it creates
}

/** `setpriv` from the PATH, so a guest killed with SIGKILL takes its programs with it (util-linux). */
function findSetpriv(path: string | undefined): string | undefined {
  for (const d of (path ?? '').split(delimiter)) {
    if (d && existsSync(join(d, 'setpriv'))) return join(d, 'setpriv');
  }
  return undefined;
}

interface Supervised {
  service: GuestService;
  logFile: string;
  child?: ChildProcess;
  exited?: Promise<void>;
  startedAt: number;
  restarts: number;
  timer?: NodeJS.Timeout;
}

/**
 * The programs of a node, each restarted when it exits (200 ms doubling to 5 s), each one's stdout and stderr
 * appended to `<vm dir>/node/logs/<service>.log`.
 */
export class GuestNode {
  private readonly supervised: Supervised[];
  private readonly setpriv: string | undefined;
  private readonly logDir: string;
  private stopping?: Promise<void>;

  private constructor(
    readonly config: GuestNodeConfig,
    readonly vm: GuestVm,
    services: GuestService[],
  ) {
    this.logDir = join(nodeDir(vm), 'logs');
    mkdirSync(this.logDir, { recursive: true });
    this.setpriv = findSetpriv(process.env.PATH);
    this.supervised = services.map((service) => ({ service, logFile: join(this.logDir, `${service.name}.log`), startedAt: 0, restarts: 0 }));
  }

  /** Writes what the programs need, then starts them (the gateway's CA and token before the gateway). */
  static start(config: GuestNodeConfig, vm: GuestVm, opts: { repoRoot?: string } = {}): GuestNode {
    const services = nodeServices(config, vm, opts);
    const repoRoot = opts.repoRoot ?? defaultRepoRoot();
    for (const s of services) {
      const stale = staleServiceBundle(repoRoot, s.name);
      if (stale) throw Object.assign(new Error(`${stale}: the services are not built (npm run build)`), { code: 'GUEST.NODE_NOT_BUILT' });
    }
    if (config.role === 'control-plane') writeGatewayFiles(config, vm);
    for (const d of config.role === 'control-plane' ? ['gateway', 'crx', 'hypervisor'] : ['crx', 'hypervisor']) mkdirSync(join(nodeDir(vm), d), { recursive: true });
    if (config.role === 'control-plane') mkdirSync(nodeDatastoreDir(config, vm), { recursive: true });
    const node = new GuestNode(config, vm, services);
    node.log('node starting', { role: config.role, node: config.nodeName, services: services.map((s) => s.name), setpriv: node.setpriv ?? false });
    for (const s of node.supervised) node.launch(s);
    return node;
  }

  /** The programs and their current pids. */
  get processes(): { name: string; pid?: number }[] {
    return this.supervised.map((s) => ({ name: s.service.name, pid: s.child?.pid }));
  }

  /**
   * A guest shutdown: SIGTERM every program, SIGKILL what is left after 4 s, then every other process of the
   * VM (the container shims a worker's crx-runtime started outlive it by design).
   */
  stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping ??= (async () => {
      this.log('node stopping');
      for (const s of this.supervised) clearTimeout(s.timer);
      const running = this.supervised.filter((s) => s.child && s.child.exitCode === null && s.child.signalCode === null);
      for (const s of running) signal(s.child!.pid, 'SIGTERM');
      await Promise.race([Promise.all(running.map((s) => s.exited)), sleep(graceMs)]);
      for (const s of running) if (s.child!.exitCode === null && s.child!.signalCode === null) signal(s.child!.pid, 'SIGKILL');
      await Promise.race([Promise.all(running.map((s) => s.exited)), sleep(500)]);
      const others = signalVmProcesses(this.vm.uid, 'SIGKILL');
      this.log('node stopped', { killedOthers: others });
    })();
    return this.stopping;
  }

  private launch(s: Supervised): void {
    const { service } = s;
    const [command, ...args] = this.setpriv
      ? [this.setpriv, '--pdeathsig', 'KILL', '--', process.execPath, service.entry]
      : [process.execPath, service.entry];
    const fd = openSync(s.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(command, args, { env: service.env, cwd: nodeDir(this.vm), stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    s.child = child;
    s.startedAt = Date.now();
    s.exited = new Promise((res) => child.once('exit', () => res()));
    child.once('error', (err) => this.log('service failed to start', { service: service.name, error: err.message }));
    this.log('service started', { service: service.name, pid: child.pid });
    child.once('exit', (code, sig) => {
      if (this.stopping) return;
      if (Date.now() - s.startedAt > BACKOFF_RESET_AFTER_MS) s.restarts = 0;
      s.restarts++;
      const delay = Math.min(BACKOFF_FIRST_MS * 2 ** Math.min(s.restarts - 1, 5), BACKOFF_MAX_MS);
      this.log('service exited; restarting it', { service: service.name, code, signal: sig, restarts: s.restarts, inMs: delay });
      s.timer = setTimeout(() => {
        if (!this.stopping) this.launch(s);
      }, delay);
    });
  }

  private log(msg: string, fields: Record<string, unknown> = {}): void {
    const line = JSON.stringify({ time: new Date().toISOString(), level: 'info', msg, vm: this.vm?.name, ...fields });
    try {
      appendFileSync(join(this.logDir, 'guest-node.log'), `${line}\n`);
    } catch {
      // the VM's folder is being removed
    }
  }
}

/** The pids of every process (but `except`) whose environment carries `OPENPACIFIC_VM_UID` set to one of `uids`. */
export function vmProcesses(uids: string | string[], except: number[] = [process.pid]): number[] {
  const marks = (Array.isArray(uids) ? uids : [uids]).map((uid) => `${VM_UID_ENV}=${uid}`);
  if (marks.length === 0) return [];
  const skip = new Set(except);
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || skip.has(Number(entry))) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue; // gone meanwhile
    }
    if (!environ) continue; // a zombie, or a kernel thread
    const vars = environ.split('\0');
    if (marks.some((m) => vars.includes(m))) found.push(Number(entry));
  }
  return found;
}

/**
 * Signals every process of the given VMs (found by their `OPENPACIFIC_VM_UID`), except this one; synchronous.
 * With SIGKILL it looks again until nothing is left (a process may fork while the first pass runs).
 * Returns how many processes it signalled.
 */
export function signalVmProcesses(uids: string | string[], sig: NodeJS.Signals, except: number[] = [process.pid]): number {
  const signalled = new Set<number>();
  for (let pass = 0; pass < (sig === 'SIGKILL' ? 5 : 1); pass++) {
    if (pass > 0) sleepSync(10);
    const pids = vmProcesses(uids, except);
    if (pids.length === 0) break;
    for (const pid of pids) if (signal(pid, sig)) signalled.add(pid);
  }
  return signalled.size;
}

/** SIGKILLs every process of the given VMs but this one. */
export function killVmProcesses(uids: string | string[], except: number[] = [process.pid]): number {
  return signalVmProcesses(uids, 'SIGKILL', except);
}

function signal(pid: number | undefined, sig: NodeJS.Signals): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
