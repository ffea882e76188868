import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { NftTableApplier, runNft, findNft } from './nft-applier';
import { renderPolicyRuleset } from './nft-ruleset';
import { PolicyEvaluator } from './policy-evaluator';

/**
 * The rendered ruleset in the machine's real forward path: pod network namespaces built by hand as the
 * crx-runtime builds them (a pause process per pod, a veth into a host bridge, /32 routes), two bridges so that
 * traffic crosses hosts, and a network of its own (10.188.0.0/16, outside every test cluster's range).
 */

const POD_CIDR = '10.188.0.0/16';
const TAG = `${process.pid % 100000}`;
const TABLE = `np_test_${TAG}`;
const BRIDGES = [{ name: `npt${TAG}a`, gateway: '10.188.0.1' }, { name: `npt${TAG}b`, gateway: '10.188.0.2' }];
const SERVER = `
const net = require('node:net');
for (const port of [8080, 9090]) net.createServer((s) => s.end('port ' + port)).listen(port, '0.0.0.0', () => process.stdout.write(port + '\\n'));
`;
const CLIENT = `
const s = require('node:net').connect({ host: process.argv[1], port: Number(process.argv[2]) });
let data = '';
s.setTimeout(3000, () => { console.log('timeout'); process.exit(0); });
s.on('data', (d) => (data += d));
s.on('error', (e) => { console.log(e.code); process.exit(0); });
s.on('close', () => { if (data) console.log(data); });
`;

interface TestPod {
  namespace: string;
  name: string;
  ip: string;
  bridge: (typeof BRIDGES)[number];
  pause?: ChildProcess;
}

const PODS: TestPod[] = [
  { namespace: 'alpha', name: 'server', ip: '10.188.1.2', bridge: BRIDGES[0] },
  { namespace: 'alpha', name: 'neighbour', ip: '10.188.1.3', bridge: BRIDGES[1] },
  { namespace: 'beta', name: 'stranger', ip: '10.188.2.2', bridge: BRIDGES[1] },
];
const [server, neighbour, stranger] = PODS;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const netns = (pod: TestPod) => `--net=/proc/${pod.pause!.pid}/ns/net`;

function attach(pod: TestPod): void {
  pod.pause = spawn('unshare', ['--net', 'sleep', '600'], { stdio: 'ignore' });
  const pid = String(pod.pause.pid);
  // unshare execs sleep once the namespace exists: wait until the pid's namespace differs from ours.
  const own = execFileSync('readlink', ['/proc/self/ns/net']).toString();
  while (execFileSync('readlink', [`/proc/${pid}/ns/net`]).toString() === own) execFileSync('sleep', ['0.02']);
  const veth = `npv${pid}`;
  ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pid);
  ip('link', 'set', veth, 'master', pod.bridge.name);
  ip('link', 'set', veth, 'up');
  const inside = ['link set lo up', `addr add ${pod.ip}/32 dev eth0`, 'link set eth0 up', `route add ${pod.bridge.gateway} dev eth0`, `route add default via ${pod.bridge.gateway} dev eth0`];
  execFileSync('nsenter', [netns(pod), '--', 'ip', '-batch', '-'], { input: inside.join('\n') + '\n' });
  ip('route', 'replace', `${pod.ip}/32`, 'dev', pod.bridge.name);
}

/** `port 8080` when connected, else the error (`ECONNREFUSED`, `timeout`). */
function connect(from: TestPod, to: TestPod, port: number): string {
  return execFileSync('nsenter', [netns(from), '--', process.execPath, '-e', CLIENT, to.ip, String(port)]).toString().trim();
}

const asPod = (p: TestPod, ports: any[] = []) => ({
  metadata: { namespace: p.namespace, name: p.name, labels: { app: p.name } },
  spec: { containers: [{ name: 'main', ports }] },
  status: { phase: 'Running', podIP: p.ip },
});
const SERVER_PORTS = [{ name: 'http', containerPort: 8080 }, { name: 'admin', containerPort: 9090 }];

function ruleset(policies: any[]): string {
  const pods = PODS.map((p) => asPod(p, p === server ? SERVER_PORTS : []));
  const namespaces = [{ metadata: { name: 'alpha' } }, { metadata: { name: 'beta' } }];
  return renderPolicyRuleset(new PolicyEvaluator({ podCIDR: POD_CIDR, pods, namespaces, policies }), POD_CIDR, TABLE);
}

const canRun = process.getuid?.() === 0 && Boolean(findNft());

(canRun ? describe : describe.skip)('NetworkPolicy ruleset in the forward path (root, nft, iproute2)', () => {
  const nft = findNft()!;
  const applier = new NftTableApplier(nft, TABLE);
  let serverProcess: ChildProcess | undefined;

  beforeAll(async () => {
    // Pods on two bridges reach each other through the host, as the netns runtime sets it up (it turns forwarding on):
    // this file must not depend on a runtime test having run before it.
    const forward = '/proc/sys/net/ipv4/ip_forward';
    if (readFileSync(forward, 'utf8').trim() !== '1') writeFileSync(forward, '1');
    for (const b of BRIDGES) {
      ip('link', 'add', 'name', b.name, 'type', 'bridge');
      ip('addr', 'add', `${b.gateway}/32`, 'dev', b.name);
      ip('link', 'set', b.name, 'up');
    }
    for (const pod of PODS) attach(pod);
    serverProcess = spawn('nsenter', [netns(server), '--', process.execPath, '-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    let listening = '';
    await new Promise<void>((resolve) => serverProcess!.stdout!.on('data', (d) => (listening += d) && listening.split('\n').length > 2 && resolve()));
  });

  afterAll(async () => {
    await runNft(nft, `table inet ${TABLE} {}\ndelete table inet ${TABLE}\n`).catch(() => undefined);
    serverProcess?.kill();
    for (const pod of PODS) {
      pod.pause?.kill();
      try {
        ip('route', 'del', `${pod.ip}/32`);
      } catch { /* already gone with its bridge */ }
    }
    for (const b of BRIDGES) {
      try {
        ip('link', 'del', b.name);
      } catch { /* never created */ }
    }
  });

  it('routes every pod to every other pod before any ruleset is applied', () => {
    expect(connect(neighbour, server, 8080)).toBe('port 8080');
    expect(connect(stranger, server, 8080)).toBe('port 8080');
  });

  it('isolates namespaces: the same namespace connects across bridges, another namespace is refused', async () => {
    expect(await applier.apply(ruleset([]))).toBe(true);
    expect(await applier.apply(ruleset([]))).toBe(false);
    expect(connect(neighbour, server, 8080)).toBe('port 8080');
    expect(connect(stranger, server, 8080)).toBe('ECONNREFUSED');
    expect(connect(server, neighbour, 22)).toBe('ECONNREFUSED'); // reached, nothing listens: the namespace default let it through
  });

  it('opens to another namespace what a policy names, and keeps the port it does not name closed', async () => {
    const policy = {
      metadata: { namespace: 'alpha', name: 'http-from-beta' },
      spec: {
        podSelector: { matchLabels: { app: 'server' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'beta' } } }], ports: [{ port: 'http', protocol: 'TCP' }] }],
      },
    };
    expect(await applier.apply(ruleset([policy]))).toBe(true);
    expect(connect(stranger, server, 8080)).toBe('port 8080');
    expect(connect(stranger, server, 9090)).toBe('ECONNREFUSED');
    // Selected by a policy, the server no longer takes its own namespace by default.
    expect(connect(neighbour, server, 8080)).toBe('ECONNREFUSED');
  });

  it('removes the table on stop, and everything connects again', async () => {
    await applier.remove();
    expect(() => execFileSync(nft, ['list', 'table', 'inet', TABLE], { stdio: 'ignore' })).toThrow();
    expect(connect(stranger, server, 9090)).toBe('port 9090');
  });
});
