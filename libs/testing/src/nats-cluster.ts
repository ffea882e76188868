import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { freePort } from './ports';

export interface NatsNode {
  name: string;
  port: number;
  url: string;
  process: ChildProcess;
}

export interface NatsCluster {
  /** Every member's client URL, comma-separated, as NATS_URL takes them. */
  url: string;
  nodes: NatsNode[];
  kill(name: string, signal?: NodeJS.Signals): void;
  stop(): Promise<void>;
}

/**
 * A NATS cluster of `size` local nats-server processes with JetStream (clustered, so streams can be
 * replicated), on free loopback ports, for tests that kill one member. Resolves once JetStream answers.
 */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'nats-cluster-'));
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), route: await freePort() })));
  const routes = ports.map((p) => `nats://127.0.0.1:${p.route}`).join(',');
  const nodes: NatsNode[] = ports.map((p, i) => {
    const name = `n${i + 1}`;
    const child = spawn(
      'nats-server',
      ['-a', '127.0.0.1', '-p', String(p.client), '-js', '-sd', join(dir, name), '--server_name', name, '--cluster_name', 'openpacific-test', '--cluster', `nats://127.0.0.1:${p.route}`, '--routes', routes],
      { stdio: 'ignore' },
    );
    return { name, port: p.client, url: `nats://127.0.0.1:${p.client}`, process: child };
  });
  const url = nodes.map((n) => n.url).join(',');
  const stop = async () => {
    for (const n of nodes) if (n.process.exitCode === null && n.process.signalCode === null) n.process.kill('SIGKILL');
    await Promise.all(nodes.map((n) => (n.process.exitCode === null && n.process.signalCode === null ? new Promise((r) => n.process.once('exit', r)) : undefined)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await Promise.all(nodes.map((n) => answers(n.port)))).every(Boolean), 15_000);
    // JetStream in a cluster answers only once its members have elected a meta leader.
    await waitFor(async () => {
      const nc = await connect({ servers: nodes.map((n) => n.url), timeout: 1000 });
      try {
        await (await nc.jetstreamManager()).getAccountInfo();
        return true;
      } finally {
        await nc.close();
      }
    }, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    nodes,
    kill(name, signal = 'SIGKILL') {
      const node = nodes.find((n) => n.name === name);
      if (!node) throw new Error(`no NATS node ${name}`);
      node.process.kill(signal);
    },
    stop,
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`NATS cluster not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = tcpConnect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      res(true);
    });
    s.on('error', () => res(false));
  });
}
