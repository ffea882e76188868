import { resolve } from 'node:path';
import { ClusterLauncher } from './cluster-launcher';
import { readLauncherConfig } from './launcher-config';
import { ChildExitedError } from './launcher-errors';
import { logTail } from './log-tail';
import { formatReady } from './ready-line';

/** `npm start`: the whole cluster on this machine, stopped with Ctrl-C. */
async function main(): Promise<void> {
  const repoRoot = resolve(__dirname, '..', '..', '..');
  const config = readLauncherConfig(process.env, repoRoot);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const launcher = new ClusterLauncher(config, (line) => say(`[launcher] ${line}`));

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string, exitCode: number) => {
    stopping ??= (async () => {
      say(`[launcher] stopping (${reason})`);
      await launcher.stop();
      say('[launcher] stopped');
      process.exit(exitCode);
    })();
    return stopping;
  };
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.on('SIGHUP', () => void shutdown('SIGHUP', 0));

  try {
    const info = await launcher.start();
    if (stopping) return;
    for (const line of formatReady(info)) say(line);
  } catch (err) {
    if (stopping) return;
    process.stderr.write(`[launcher] start failed: ${(err as Error).message}\n`);
    if (err instanceof ChildExitedError) {
      const exit = err.process.exitInfo;
      process.stderr.write(`[launcher] ${err.process.name} ${exit ? JSON.stringify(exit) : ''}\n`);
      for (const file of launcher.logFiles.get(err.process.name) ?? []) {
        process.stderr.write(`----- ${file} (last lines) -----\n${logTail(file)}\n`);
      }
    }
    await shutdown('start failed', 1);
  }
}

void main();
