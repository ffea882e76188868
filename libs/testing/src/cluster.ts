import { ClusterNetwork, clusterNetworkEnv, clusterNetworkFromEnv, ClusterState, indexedClusterNetwork } from '@openpacific/contracts';
import { spawn, ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase } from './database';
import { dropEventStream, dropGuestStores } from './guest-stores';
import { testNatsUrl, uniqueNatsPrefix } from './nats';
import { freePort } from './ports';

export interface ClusterHost {
  name: string;
  pgid: number;
}

/** `${dataDir}/cluster.json` as the launcher writes it after every (re)start (see deploy/local-cluster). */
export type ClusterStateFile = ClusterState;

export interface ChaosResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ClusterResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = any>(): T;
}

export interface TestCluster {
  server: string;
  kubeconfig: string;
  token: string;
  caCertPem: string;
  dataDir: string;
  databaseUrl: string;
  /** The NATS the cluster's services use, with their subject prefix (a test may publish what hosts would, e.g. HostMetrics). */
  natsUrl: string;
  natsPrefix: string;
  /** Its pod, service and load balancer ranges (podCIDR empty: pods on loopback addresses). */
  network: ClusterNetwork;
  /** The last lines of each service's log (or only the lines matching `filter`), for a failing test to show. */
  logTails(lines?: number, filter?: RegExp): string;
  /** The hosts with their current process groups (a rebooted host has a new one). */
  hosts: ClusterHost[];
  /** Every api-gateway instance (more than one with `replicas`); `server` is the first's. */
  gateways: { name: string; server: string }[];
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number; env?: Record<string, string> }): Promise<KubectlResult>;
  /** Resolves once `kubectl get nodes` shows `count` Ready hosts (booting hosts on a busy machine take a while). */
  hostsReady(count: number, timeoutMs?: number): Promise<void>;
  request(
    method: string,
    path: string,
    /** `server`: another gateway replica's address (default: the first gateway). */
    opts?: { body?: unknown; headers?: Record<string, string>; token?: string | null; server?: string; timeoutMs?: number },
  ): Promise<ClusterResponse>;
  /** The control-plane service processes (policy, api-gateway, scheduler, vm-operator, cluster-api), current pids. */
  services: { name: string; pid: number }[];
  /** cluster.json read now: current pids of hosts, services, NATS and Postgres. */
  state(): ClusterStateFile;
  /** Signals one control-plane service process (SIGKILL by default); the launcher restarts it. */
  killService(name: string, signal?: NodeJS.Signals): void;
  /** Signals a host's whole process group (spherelet-agent and crx-runtime); SIGKILL by default. */
  killHost(name: string, signal?: NodeJS.Signals): void;
  /** SIGKILLs a host's spherelet-agent only; its host supervisor restarts it. */
  killAgent(host: string): void;
  /** SIGSTOPs a host's process group for `ms`, then SIGCONTs it; resolves once it runs again. */
  pauseHost(name: string, ms: number): Promise<void>;
  /** Runs `node deploy/local-cluster/dist/chaos.js <args>` against this cluster. */
  chaos(args: string[]): Promise<ChaosResult>;
  /** Stops the launcher (and with it every service and host) and drops the database. */
  stop(): Promise<void>;
}

const repoRoot = resolve(__dirname, '..', '..', '..');
export const launcherMain = join(repoRoot, 'deploy', 'local-cluster', 'dist', 'main.js');
export const chaosMain = join(repoRoot, 'deploy', 'local-cluster', 'dist', 'chaos.js');
const podNetworkModule = join(repoRoot, 'deploy', 'local-cluster', 'dist', 'pod-network.js');

let networksHandedOut = 0;

/**
 * A network of its own for each test cluster (index 1..31, never `npm start`'s 0), so clusters on one machine
 * never share bridges or ranges — where the machine gives pods their own network at all; else undefined (loopback).
 */
function testClusterNetwork(env: Record<string, string> | undefined): ClusterNetwork | undefined {
  if (env?.POD_CIDR !== undefined || env?.POD_NETWORK !== undefined) return undefined;
  const { podNetworkUnavailable } = require(podNetworkModule) as { podNetworkUnavailable(): string | undefined };
  if (podNetworkUnavailable()) return undefined;
  return indexedClusterNetwork(1 + ((process.pid + networksHandedOut++ * 7) % 31));
}
const readyMarker = 'OPENPACIFIC_READY ';
/** TEST_CLUSTER_START_TIMEOUT_MS: more time to start on a machine others load heavily (benchmarks at full size). */
const startTimeoutMs = Number(process.env.TEST_CLUSTER_START_TIMEOUT_MS) || 60_000;

/**
 * A whole cluster for one test file: its own database, NATS prefix, gateway
 * port and data folder, started through the built launcher like `npm start`.
 */
export async function startCluster(
  opts: {
    label?: string;
    hostCount?: number;
    replicas?: number;
    env?: Record<string, string>;
    /** The cluster runs its own Postgres and NATS (started and restarted by the launcher) instead of the machine's. */
    ownServers?: boolean;
  } = {},
): Promise<TestCluster> {
  if (!existsSync(launcherMain)) {
    throw Object.assign(new Error(`${launcherMain} is missing: run npm run build first`), { code: 'TESTING.NOT_BUILT' });
  }
  const label = opts.label ?? 'cluster';
  // Own servers: Postgres and NATS on free ports where nothing answers, so the launcher starts (and restarts) them.
  const database = opts.ownServers ? await ownServers() : await createTestDatabase(label);
  // The database pool of createTestDatabase is not needed: the services connect themselves.
  await database.pool.end().catch(() => undefined);
  const natsUrl = opts.ownServers ? `nats://127.0.0.1:${await freePort()}` : (opts.env?.NATS_URL ?? testNatsUrl);
  const natsPrefix = uniqueNatsPrefix(label);
  const dataDir = mkdtempSync(join(tmpdir(), `openpacific-${label.replace(/[^a-z0-9]/gi, '')}-`));
  const gatewayPort = await freePort();
  const network = testClusterNetwork(opts.env);
  const launcher = spawn(process.execPath, [launcherMain], {
    env: {
      ...process.env,
      ...(network ? clusterNetworkEnv(network) : {}),
      ...opts.env,
      DATA_DIR: dataDir,
      GATEWAY_PORT: String(gatewayPort),
      NATS_PREFIX: natsPrefix,
      DATABASE_URL: database.url,
      NATS_URL: natsUrl,
      HOST_COUNT: String(opts.hostCount ?? 3),
      ...(opts.replicas === undefined ? {} : { REPLICAS: String(opts.replicas) }),
      LOG_LEVEL: opts.env?.LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'info',
    },
    // Its own process group, so stop() can clean up services even if the launcher crashed.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((res) => launcher.once('exit', (code) => res(code)));

  let ready: ReadyLine;
  try {
    ready = await waitForReady(launcher, output, exited);
  } catch (err) {
    await stopLauncher(launcher, exited, []);
    if (network) (require(podNetworkModule) as { removeClusterNetwork(n: ClusterNetwork): void }).removeClusterNetwork(network);
    await database.drop().catch(() => undefined);
    // The services' errors first: a long report is cut in the middle by whoever shows it, and the cause must survive.
    const errors = logTails(dataDir, 10, /"level":"(error|fatal)"/);
    const message = `${(err as Error).message}\n--- errors in service logs ---\n${errors}\n--- launcher output ---\n${output.join('').slice(-8000)}\n${logTails(dataDir)}`;
    rmSync(dataDir, { recursive: true, force: true });
    throw Object.assign(new Error(message), { code: 'TESTING.CLUSTER_START_FAILED' });
  }

  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const caCertPem = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8');
  const kubeEnv = { KUBECONFIG: ready.kubeconfig, KUBECACHEDIR: join(dataDir, 'kube-cache') };
  let stopped: Promise<void> | undefined;
  // After stop() cluster.json is gone: the last state read stands in.
  let last: ClusterStateFile | undefined;
  const current = (): ClusterStateFile | undefined => (last = readState(dataDir) ?? last);
  const freshState = (): ClusterStateFile => {
    const state = readState(dataDir);
    if (!state) throw new Error(`${join(dataDir, 'cluster.json')} is missing: the cluster is not running`);
    return (last = state);
  };
  const hosts = () => current()?.hosts.map((h) => ({ name: h.name, pgid: h.pgid })) ?? ready.hosts;
  const services = () => current()?.services.map((s) => ({ name: s.name, pid: s.pid })) ?? ready.services;

  return {
    server: ready.server,
    kubeconfig: ready.kubeconfig,
    token,
    caCertPem,
    dataDir,
    databaseUrl: database.url,
    natsUrl,
    natsPrefix,
    network: network ?? clusterNetworkFromEnv(opts.env ?? {}),
    logTails: (lines, filter) => logTails(dataDir, lines, filter),
    get hosts() {
      return hosts();
    },
    get services() {
      return services();
    },
    gateways: ready.gateways ?? [{ name: 'api-gateway', server: ready.server }],
    state: freshState,
    killService(name, signal = 'SIGKILL') {
      const service = services().find((s) => s.name === name);
      if (!service) throw new Error(`no service named ${name}`);
      process.kill(service.pid, signal);
    },
    killAgent(host) {
      loadChaos().killAgent(freshState(), host);
    },
    async pauseHost(name, ms) {
      await loadChaos().pauseHost(freshState(), name, ms);
    },
    chaos: (args) => runChaos(args, dataDir),
    kubectl: (args, o = {}) => runKubectl(args, { ...o, env: { ...kubeEnv, ...o.env } }),
    hostsReady: async (count, timeoutMs = 60_000) => {
      let seen = '';
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        seen = (await runKubectl(['get', 'nodes', '--no-headers'], { env: kubeEnv })).stdout;
        if ((seen.match(/\sReady\s/g) ?? []).length === count) return;
        if (Date.now() > deadline) throw new Error(`expected ${count} Ready hosts within ${timeoutMs} ms, kubectl get nodes shows:\n${seen}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    request: (method, path, o = {}) =>
      httpsCall(o.server ?? ready.server, caCertPem, method, path, { ...o, token: o.token === undefined ? token : o.token }),
    killHost(name, signal = 'SIGKILL') {
      const host = hosts().find((h) => h.name === name);
      if (!host) throw new Error(`no host named ${name}`);
      process.kill(-host.pgid, signal);
    },
    stop() {
      stopped ??= (async () => {
        // A rebooted host is in a group the ready line never named.
        await stopLauncher(launcher, exited, [...ready.hosts, ...hosts()]);
        // The launcher removes them as it stops; again here in case it was killed.
        if (network) (require(podNetworkModule) as { removeClusterNetwork(n: ClusterNetwork): void }).removeClusterNetwork(network);
        // Its guest clusters' databases and streams first: the log that names them goes with the database.
        if (!opts.ownServers) await dropGuestStores(database.url, natsUrl);
        await database.drop();
        if (!process.env.KEEP_CLUSTER_DATA) {
          rmSync(dataDir, { recursive: true, force: true });
          // A cluster with servers of its own took them down with it.
          if (!opts.ownServers) await dropEventStream(natsUrl, natsPrefix);
        }
      })();
      return stopped;
    },
  };
}

interface ReadyLine {
  server: string;
  kubeconfig: string;
  gateways?: { name: string; server: string }[];
  hosts: ClusterHost[];
  services: { name: string; pid: number }[];
}

function readState(dataDir: string): ClusterStateFile | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'cluster.json'), 'utf8')) as ClusterStateFile;
  } catch {
    return undefined;
  }
}

/** The chaos tool's exported actions, loaded from the build (libs/testing does not compile against deploy/). */
interface ChaosModule {
  killAgent(state: ClusterStateFile, host: string): unknown;
  pauseHost(state: ClusterStateFile, host: string, ms: number): Promise<unknown>;
}

function loadChaos(): ChaosModule {
  if (!existsSync(chaosMain)) throw Object.assign(new Error(`${chaosMain} is missing: run npm run build first`), { code: 'TESTING.NOT_BUILT' });
  return require(chaosMain) as ChaosModule;
}

function runChaos(args: string[], dataDir: string): Promise<ChaosResult> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [chaosMain, ...args], { env: { ...process.env, DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('close', (code) => res({ code: code ?? 1, stdout, stderr }));
  });
}

function waitForReady(launcher: ChildProcess, output: string[], exited: Promise<number | null>) {
  return new Promise<ReadyLine>((res, rej) => {
    let pending = '';
    const timer = setTimeout(() => rej(new Error(`cluster not ready after ${startTimeoutMs} ms`)), startTimeoutMs);
    launcher.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    launcher.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(text);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const line = lines.find((l) => l.startsWith(readyMarker));
      if (line) {
        clearTimeout(timer);
        res(JSON.parse(line.slice(readyMarker.length)));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`the launcher exited with code ${code} before the cluster was ready`));
    });
  });
}

/** SIGTERM to the launcher, which stops everything; SIGKILL to its group and the hosts if it hangs. */
async function stopLauncher(launcher: ChildProcess, exited: Promise<number | null>, hosts: ClusterHost[]): Promise<void> {
  if (launcher.exitCode === null && launcher.signalCode === null) {
    launcher.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), 20_000).unref());
    await Promise.race([exited, timeout]);
  }
  for (const pgid of [launcher.pid, ...hosts.map((h) => h.pgid)]) {
    try {
      if (pgid) process.kill(-pgid, 'SIGKILL');
    } catch {
      // Nothing left in that group: the normal case after a clean stop.
    }
  }
}

function runKubectl(args: string[], opts: { input?: string; timeoutMs?: number; env: Record<string, string> }): Promise<KubectlResult> {
  return new Promise((res) => {
    const child = spawn('/usr/bin/kubectl', args, { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      stderr += `\n(kubectl timed out after ${opts.timeoutMs ?? 30_000} ms)`;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      res({ code: code ?? 124, stdout, stderr });
    });
    // A kubectl that ends without reading its input (a get needs none) closes the pipe: the write's EPIPE is no failure
    // of the test (it once failed a whole suite in CI); the exit code and output say how kubectl ended.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

function httpsCall(
  server: string,
  ca: string,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string>; token?: string | null; timeoutMs?: number },
): Promise<ClusterResponse> {
  const url = new URL(path, server);
  const body =
    opts.body === undefined ? undefined : typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  // Node sends no length for a DELETE body unless told, and the server would read it as the next request.
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  return new Promise((res, rej) => {
    const req = httpsRequest(url, { method, headers, ca }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        res({ status: response.statusCode ?? 0, headers: response.headers, body: text, json: () => JSON.parse(text) });
      });
      response.on('error', rej);
    });
    req.on('error', rej);
    if (opts.timeoutMs) req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.end(body);
  });
}

function logTails(dataDir: string, count = 15, filter?: RegExp): string {
  const logDir = join(dataDir, 'logs');
  if (!existsSync(logDir)) return '(no service logs)';
  return readdirSync(logDir)
    .map((file) => {
      const all = readFileSync(join(logDir, file), 'utf8').trimEnd().split('\n');
      const lines = (filter ? all.filter((l) => filter.test(l)) : all).slice(-count).join('\n');
      // A filtered view names only the logs that have matching lines.
      return filter && !lines ? '' : `--- ${file} ---\n${lines}`;
    })
    .filter(Boolean)
    .join('\n');
}

/** Whether any process of the group is alive. */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A Postgres URL on a free loopback port: the launcher finds nothing there and starts an embedded server. */
async function ownServers(): Promise<{ url: string; pool: { end(): Promise<void> }; drop(): Promise<void> }> {
  const url = `postgres://postgres@127.0.0.1:${await freePort()}/openpacific`;
  // The server and its data live in the cluster's data folder and go with it.
  return { url, pool: { end: async () => undefined }, drop: async () => undefined };
}
