import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '@openpacific/contracts';
import { LauncherErrorCodes } from './launcher-errors';
import { ManagedProcess } from './managed-process';
import { isLocalHost, tcpAnswers } from './network';
import { waitUntil } from './wait-ready';
import { logTail } from './log-tail';

export const natsInstallHelp = [
  'nats-server was not found on the PATH and nothing answers at the NATS address.',
  'Install it, e.g.:',
  '  Debian/Ubuntu:  apt-get install nats-server',
  '  macOS:          brew install nats-server',
  '  any system:     https://github.com/nats-io/nats-server/releases (put nats-server on the PATH)',
  'or point NATS_URL at a NATS server with JetStream enabled.',
].join('\n');

export interface NatsHandle {
  url: string;
  /** Set when the launcher spawned nats-server and must stop it. */
  server?: ManagedProcess;
}

/** Uses the NATS server at `url`, or spawns `nats-server -js` when nothing answers on a local address. */
export async function provisionNats(url: string, dataDir: string, logDir: string, log: (line: string) => void): Promise<NatsHandle> {
  if (url.includes(',')) return useCluster(url, log);
  const target = new URL(url);
  const port = Number(target.port || 4222);
  if (await tcpAnswers(target.hostname, port)) {
    log(`nats: using ${target.host}`);
    return { url };
  }
  if (!isLocalHost(target.hostname)) {
    throw new CodedError(LauncherErrorCodes.natsUnavailable, `nothing answers at ${url}`);
  }
  const storeDir = join(dataDir, 'nats');
  mkdirSync(storeDir, { recursive: true });
  log(`nats: nothing answers at ${target.host}; starting nats-server with JetStream in ${storeDir}`);
  const server = startNatsServer(port, storeDir, join(logDir, 'nats.log'));
  try {
    await waitUntil('nats-server', () => tcpAnswers('127.0.0.1', port), { timeoutMs: 15_000, watch: [server] });
  } catch (err) {
    await server.stop(2000);
    const missing = server.exitInfo?.code === 127;
    throw new CodedError(
      LauncherErrorCodes.natsUnavailable,
      missing ? natsInstallHelp : `nats-server did not start:\n${logTail(server.spec.logFile)}`,
      { cause: err },
    );
  }
  return { url, server };
}

/** `nats-server -js` on 127.0.0.1:port; the launcher starts it again the same way when it dies. */
export function startNatsServer(port: number, storeDir: string, logFile: string): ManagedProcess {
  return ManagedProcess.start({
    name: 'nats-server',
    command: 'nats-server',
    args: ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir],
    env: process.env,
    logFile,
  });
}

/** A NATS cluster is never started here: at least one member must answer, and the clients fail over among them. */
async function useCluster(url: string, log: (line: string) => void): Promise<NatsHandle> {
  const members = url.split(',').map((u) => new URL(u.trim()));
  const answering = [];
  for (const m of members) if (await tcpAnswers(m.hostname, Number(m.port || 4222))) answering.push(m.host);
  if (answering.length === 0) throw new CodedError(LauncherErrorCodes.natsUnavailable, `no member of the NATS cluster answers at ${url}`);
  log(`nats: using the cluster ${members.map((m) => m.host).join(', ')} (${answering.length} answering)`);
  return { url };
}
