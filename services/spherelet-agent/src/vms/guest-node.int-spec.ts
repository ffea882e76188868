import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect as natsConnect } from 'nats';
import { GuestNodeConfig, natsNames, renderNodeBootstrap } from '@openpacific/contracts';
import { createCertificateAuthority, KeyAndCert } from '@openpacific/kube-api';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { vmProcesses } from './guest-node';
import { VM_UID_ENV } from './hypervisor';
import { SimHypervisor } from './sim-hypervisor';

// The guests run the built services (npm test builds first).
const repoRoot = resolve(__dirname, '..', '..', '..', '..');
const guestScript = resolve(__dirname, '..', '..', 'dist', 'vms', 'sim-guest.js');
const entries = ['policy', 'api-gateway', 'scheduler', 'crx-runtime', 'spherelet-agent'].map((s) => join(repoRoot, 'services', s, 'dist', 'main.bundle.js'));

interface Answer {
  status: number;
  body: string;
  json<T = any>(): T;
}

function call(ca: string, url: string, opts: { method?: string; token?: string; body?: unknown } = {}): Promise<Answer> {
  return new Promise((res, rej) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = httpsRequest(
      url,
      {
        method: opts.method ?? 'GET',
        ca,
        timeout: 10_000,
        headers: {
          accept: 'application/json',
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (r) => {
        let body = '';
        r.on('data', (c) => (body += c));
        r.on('end', () => res({ status: r.statusCode ?? 0, body, json: () => JSON.parse(body) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', rej);
    req.end(payload);
  });
}

function greet(ip: string, port: number): Promise<string> {
  return new Promise((res, rej) => {
    const s = tcpConnect({ host: ip, port });
    s.once('data', (d) => {
      res(d.toString());
      s.destroy();
    });
    s.once('error', rej);
  });
}

function environOf(pid: number): Record<string, string> {
  try {
    const vars = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter(Boolean);
    return Object.fromEntries(vars.map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]));
  } catch {
    return {};
  }
}

/** Every live process whose environment has `name=value` (zombies have none). */
function processesWith(name: string, value: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
    .map(Number)
    .filter((pid) => environOf(pid)[name] === value);
}

const octet = () => 1 + Math.floor(Math.random() * 250);

describe('a guest booted from the node image runs a cluster of its own', () => {
  const root = mkdtempSync(join(tmpdir(), 'guest-node-'));
  const hv = new SimHypervisor(root, { guestScript, bootMs: 100, softStopMs: 8000 });
  const third = octet();
  const cp = { uid: randomUUID(), name: `gn${randomBytes(3).toString('hex')}-control-plane-x1a2b`, ip: `127.64.${third}.${octet()}` };
  const worker = { uid: randomUUID(), name: `gn${randomBytes(3).toString('hex')}-workers-q8z7p`, ip: `127.64.${third === 250 ? 1 : third + 1}.${octet()}` };
  const podSubnet = `127.160.${octet()}.0/24`;
  const token = randomBytes(32).toString('base64url');
  const hostEnv = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/the_supervisors_own', NATS_PREFIX: 'supervisor', HOST_NAME: 'host-1', CRX_ROOT: '/nonexistent/crx', SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
  const savedEnv: Record<string, string | undefined> = {};
  let db: TestDatabase;
  let natsPrefix: string;
  let ca: KeyAndCert;
  let caCertPem: string;
  let base: GuestNodeConfig;
  const timings: Record<string, number> = {};

  /** On a failure, what the guests' programs said. */
  const logTails = (): string =>
    [cp, worker]
      .flatMap((vm) => {
        const dir = join(root, vm.uid, 'node', 'logs');
        return existsSync(dir) ? readdirSync(dir).map((f) => `--- ${vm.name}/${f}\n${readFileSync(join(dir, f), 'utf8').slice(-3000)}`) : [];
      })
      .join('\n');
  const within = async <T>(what: string, timeoutMs: number, check: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      const result = await eventually(check, { timeoutMs, intervalMs: 250 });
      timings[what] = Date.now() - t0;
      return result;
    } catch (err) {
      throw Object.assign(new Error(`${what}: ${(err as Error).message}\n${logTails()}`), { cause: err });
    }
  };

  beforeAll(async () => {
    for (const entry of [guestScript, ...entries]) if (!existsSync(entry)) throw new Error(`${entry} missing: run npm run build first`);
    // The host agent's own configuration, which a guest's programs must never see.
    for (const [k, v] of Object.entries(hostEnv)) {
      savedEnv[k] = process.env[k];
      process.env[k] = v;
    }
    db = await createTestDatabase('guestnode');
    await db.pool.end().catch(() => undefined); // the guests' programs connect themselves
    natsPrefix = uniqueNatsPrefix('gnode');
    ca = await createCertificateAuthority('guest-node-test-ca');
    caCertPem = ca.certPem;
    base = {
      role: 'control-plane',
      cluster: { name: 'gn', namespace: 'tkg-team', uid: randomUUID() },
      nodeName: cp.name,
      databaseUrl: db.url,
      natsUrl: testNatsUrl,
      natsPrefix,
      secretsEncryptionKey: randomBytes(32).toString('base64'),
      controlPlaneEndpoint: { host: cp.ip, port: 6443 },
    };
  }, 60_000);

  afterAll(async () => {
    // Whatever a failed test left: the VMs, their processes, the database, the event stream.
    for (const vm of [cp, worker]) await hv.destroy(vm.uid).catch(() => undefined);
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await db?.drop().catch(() => undefined);
    if (natsPrefix) {
      const nc = await natsConnect({ servers: testNatsUrl });
      await (await nc.jetstreamManager()).streams.delete(natsNames(natsPrefix).eventStream).catch(() => undefined);
      await nc.close();
    }
    rmSync(root, { recursive: true, force: true });
    process.stdout.write(`guest-node timings (ms): ${JSON.stringify(timings)}\n`);
  }, 60_000);

  it('boots a control plane whose api-gateway answers on the VM address with the cluster CA, and keeps the echo on its other ports', async () => {
    const config: GuestNodeConfig = { ...base, caCertPem, caKeyPem: ca.keyPem, adminToken: token };
    await hv.create({ ...cp, namespace: 'tkg-team', epoch: 1, cpus: 2, memoryBytes: 4 * 2 ** 30, ports: [6443, 22], userData: renderNodeBootstrap(config) });
    await hv.powerOn(cp.uid);
    const version = await within('control plane: power-on to /version', 120_000, async () => {
      const r = await call(caCertPem, `https://${cp.ip}:6443/version`);
      expect(r.status).toBe(200);
      return r.json();
    });
    expect(version).toHaveProperty('gitVersion');
    expect((await hv.guestInfo(cp.uid)).guestHeartbeat).toBe('green');
    expect(await greet(cp.ip, 22)).toBe(`${cp.name} 22\n`);
    // The gateway took the CA and token it was given; the key is the guest's own.
    const gatewayDir = join(root, cp.uid, 'node', 'gateway');
    expect(readFileSync(join(gatewayDir, 'pki', 'ca.crt'), 'utf8')).toBe(caCertPem);
    expect(statSync(join(gatewayDir, 'pki', 'ca.key')).mode & 0o777).toBe(0o600);
    expect((await call(caCertPem, `https://${cp.ip}:6443/api/v1/namespaces`)).status).toBe(401);
    expect((await call(caCertPem, `https://${cp.ip}:6443/api/v1/namespaces`, { token })).status).toBe(200);
    // Each program runs in a clean environment: the guest cluster's, never the host agent's.
    const programs = vmProcesses(cp.uid, [process.pid, (await hv.guestInfo(cp.uid)).pid!]).map(environOf);
    // The control plane is a node too: a spherelet-agent and crx-runtime of its own.
    expect(programs.map((e) => e.OPENPACIFIC_SERVICE).filter(Boolean).sort()).toEqual(['api-gateway', 'crx-runtime', 'policy', 'scheduler', 'spherelet-agent']);
    for (const env of programs.filter((e) => e.OPENPACIFIC_SERVICE)) {
      expect(env).toMatchObject({ DATABASE_URL: db.url, NATS_PREFIX: natsPrefix, OPENPACIFIC_GUEST_CLUSTER: base.cluster.uid, [VM_UID_ENV]: cp.uid, INSTANCE_ID: `${cp.name}-${env.OPENPACIFIC_SERVICE}` });
      const nodeProgram = env.OPENPACIFIC_SERVICE === 'spherelet-agent' || env.OPENPACIFIC_SERVICE === 'crx-runtime';
      expect(env.HOST_NAME).toBe(nodeProgram ? cp.name : undefined);
      if (env.CRX_ROOT !== undefined) expect(env.CRX_ROOT).toBe(join(root, cp.uid, 'node', 'crx'));
      expect(env.SECRETS_ENCRYPTION_KEY).toBe(base.secretsEncryptionKey);
    }
    for (const svc of ['policy', 'api-gateway', 'scheduler']) expect(existsSync(join(root, cp.uid, 'node', 'logs', `${svc}.log`))).toBe(true);
  }, 180_000);

  it('boots a worker that joins as a Ready node and runs a pod in its pod subnet', async () => {
    const config: GuestNodeConfig = { ...base, role: 'worker', nodeName: worker.name, podSubnet };
    await hv.create({ ...worker, namespace: 'tkg-team', epoch: 1, cpus: 2, memoryBytes: 4 * 2 ** 30, ports: [22], userData: renderNodeBootstrap(config) });
    await hv.powerOn(worker.uid);
    await within('worker: power-on to node Ready', 60_000, async () => {
      const nodes = (await call(caCertPem, `https://${cp.ip}:6443/api/v1/nodes`, { token })).json<{ items: any[] }>().items;
      const node = nodes.find((n) => n.metadata.name === worker.name);
      expect(node?.status?.conditions?.find((c: any) => c.type === 'Ready')?.status).toBe('True');
      // The control plane's own node is there too, labelled and tainted as kubeadm does, so pods avoid it.
      const cpNode = nodes.find((n) => n.metadata.name === cp.name);
      expect(cpNode?.metadata?.labels).toHaveProperty(['node-role.kubernetes.io/control-plane']);
      expect(cpNode?.spec?.taints).toEqual([expect.objectContaining({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' })]);
      return node;
    });
    const created = await call(caCertPem, `https://${cp.ip}:6443/api/v1/namespaces/default/pods`, {
      method: 'POST',
      token,
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sleeper' }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] } },
    });
    expect(created.status).toBe(201);
    const pod = await within('pod: created to Running', 90_000, async () => {
      const p = (await call(caCertPem, `https://${cp.ip}:6443/api/v1/namespaces/default/pods/sleeper`, { token })).json();
      expect(p.status?.phase).toBe('Running');
      return p;
    });
    expect(pod.spec.nodeName).toBe(worker.name);
    expect(pod.status.podIP).toMatch(new RegExp(`^${podSubnet.split('.').slice(0, 3).join('\\.')}\\.([2-9]|[1-9]\\d|1\\d\\d|2[0-4]\\d|25[01])$`));
    // The container runs on the worker, as a process of its own (with its pod's address).
    expect(processesWith('POD_IP', pod.status.podIP).length).toBeGreaterThan(0);
  }, 240_000);

  it('a soft power-off stops a guest\'s programs; a guest killed takes its programs with it; a hard power-off and a destroy leave nothing', async () => {
    expect(vmProcesses(cp.uid).length).toBeGreaterThanOrEqual(4); // the guest and its three programs
    // The worker: the guest, its two programs and the pod's container shim (which outlives crx-runtime by design).
    const cmdline = (pid: number) => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; } };
    expect(vmProcesses(worker.uid).map(cmdline).filter((c) => c.includes('crx-shim'))).toHaveLength(1);
    const podIP = (await call(caCertPem, `https://${cp.ip}:6443/api/v1/namespaces/default/pods/sleeper`, { token })).json().status.podIP as string;

    // A guest shutdown: the guest stops its programs itself, within the soft window (no fallback to SIGKILL).
    expect((await hv.powerOff(cp.uid, 'Soft')).powerState).toBe('PoweredOff');
    expect(vmProcesses(cp.uid)).toEqual([]);
    expect(readFileSync(join(root, cp.uid, 'node', 'logs', 'guest-node.log'), 'utf8')).toContain('"msg":"node stopped"');

    // Powered on again, it serves again (same CA, same token); killed outright, its programs die with it (no hypervisor involved).
    const { pid: guestPid } = await hv.powerOn(cp.uid);
    await within('control plane: power-on again to /version', 120_000, async () => {
      expect((await call(caCertPem, `https://${cp.ip}:6443/api/v1/namespaces`, { token })).status).toBe(200);
    });
    const programs = vmProcesses(cp.uid, [process.pid, guestPid!]);
    expect(programs.length).toBeGreaterThanOrEqual(3);
    process.kill(guestPid!, 'SIGKILL');
    await within('control plane: guest killed to programs gone', 10_000, async () => expect(vmProcesses(cp.uid)).toEqual([]));

    // A hard power-off kills the guest, its programs die with it, and the hypervisor kills what outlives them: the container shims.
    expect((await hv.powerOff(worker.uid, 'Hard')).powerState).toBe('PoweredOff');
    await hv.destroy(worker.uid);
    await hv.destroy(cp.uid);
    await eventually(() => {
      expect(processesWith(VM_UID_ENV, cp.uid)).toEqual([]);
      expect(processesWith(VM_UID_ENV, worker.uid)).toEqual([]);
      expect(processesWith('POD_IP', podIP)).toEqual([]); // the container died with its shim
    }, { timeoutMs: 5000 });
    expect(await hv.list()).toEqual([]);
  }, 240_000);
});
